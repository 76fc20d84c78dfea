#!/usr/bin/env python
"""Stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test fetches get-pip from a host that offline machines cannot reach. This script
does the same job with the pip wheel that Python's own ensurepip bundles: it installs the
requested pip (from the configured package index) into the running interpreter.
tools/test.sh copies it into ansible-test's cache under the name ansible-test looks for.
"""

import ensurepip
import sys


def main():
    # get-pip options that pip itself does not know.
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    with ensurepip._get_pip_whl_path_ctx() as wheel:  # pylint: disable=protected-access
        sys.path.insert(0, str(wheel))
        from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

        return pip_main(["install", "--upgrade", "--force-reinstall"] + args)


if __name__ == "__main__":
    sys.exit(main())
