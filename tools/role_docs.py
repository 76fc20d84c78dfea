#!/usr/bin/env python
"""Fill each role README's variables table from the role's meta/argument_specs.yml.

    python tools/role_docs.py          # rewrite the tables
    python tools/role_docs.py --check  # exit 1 when a README is out of date
"""

import os
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN VARIABLES (tools/role_docs.py) -->"
END = "<!-- END VARIABLES -->"


def cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(spec):
    rows = ["| variable | type | default | description |", "|---|---|---|---|"]
    for name, option in spec.get("options", {}).items():
        kind = option.get("type", "str")
        if option.get("elements"):
            kind += " of " + option["elements"]
        if option.get("choices"):
            kind += ": " + ", ".join(str(c) for c in option["choices"])
        default = "required" if option.get("required") else ("`%s`" % (option["default"],) if "default" in option else "")
        description = option.get("description", "")
        if isinstance(description, list):
            description = " ".join(description)
        rows.append("| `%s` | %s | %s | %s |" % (name, cell(kind), cell(default), cell(description)))
    return "\n".join(rows)


def render(readme_text, spec):
    if BEGIN not in readme_text or END not in readme_text:
        raise ValueError("README lacks the %s / %s markers" % (BEGIN, END))
    head, rest = readme_text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return head + BEGIN + "\n" + table(spec) + "\n" + END + tail


def main(argv):
    check = "--check" in argv
    stale = []
    roles_dir = os.path.join(TOP, "roles")
    for role in sorted(os.listdir(roles_dir)):
        spec_path = os.path.join(roles_dir, role, "meta", "argument_specs.yml")
        readme_path = os.path.join(roles_dir, role, "README.md")
        if not os.path.exists(spec_path):
            continue
        with open(spec_path, encoding="utf-8") as handle:
            spec = yaml.safe_load(handle)["argument_specs"]["main"]
        with open(readme_path, encoding="utf-8") as handle:
            current = handle.read()
        wanted = render(current, spec)
        if wanted != current:
            stale.append(readme_path)
            if not check:
                with open(readme_path, "w", encoding="utf-8") as handle:
                    handle.write(wanted)
    if check and stale:
        print("out of date (run python tools/role_docs.py): %s" % ", ".join(os.path.relpath(p, TOP) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
