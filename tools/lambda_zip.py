#!/usr/bin/env python
"""Build the platform's Lambda packages: each function's source into its zip, byte for byte the same on every build.

cloud_design.platform.lambda_functions compares the zip's SHA-256 with the function's CodeSha256, so a zip stamped with the time it was made
would redeploy the function on every run: the entries carry a fixed date and mode instead, uncompressed.

    python tools/lambda_zip.py          # rebuild
    python tools/lambda_zip.py --check  # exit 1 when a zip is not its source's (the unit tests run this)
"""

import argparse
import io
import os
import sys
import zipfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# zip -> the sources it holds, by the name the handler imports.
PACKAGES = {
    "roles/workload/files/secret_rotation.zip": ["roles/workload/files/secret_rotation.py"],
}


def build(sources):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for source in sources:
            entry = zipfile.ZipInfo(os.path.basename(source), date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_STORED  # deflate differs between zlib builds; stored does not
            with open(os.path.join(TOP, source), "rb") as handle:
                archive.writestr(entry, handle.read())
    return buffer.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that every zip is its sources'")
    args = parser.parse_args(argv)
    stale = []
    for package, sources in PACKAGES.items():
        wanted = build(sources)
        path = os.path.join(TOP, package)
        current = open(path, "rb").read() if os.path.exists(path) else b""
        if current != wanted:
            stale.append(package)
            if not args.check:
                with open(path, "wb") as handle:
                    handle.write(wanted)
    if args.check and stale:
        print("stale, run python tools/lambda_zip.py: %s" % ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
