"""Boolean inputs and where role and playbook expressions read them.

A boolean given as a string (``-e name=false``, an AWX survey answer) reaches the tasks as the string
'false': ``when: not name`` then skips silently and ``when: name`` fails. Every expression therefore
reads a boolean input through ``| bool``; tests/unit/test_boolean_inputs.py holds the roles to it.
"""

import glob
import os
import re

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Inputs read by the playbooks beside the roles' own (documented in the README and the playbooks).
PLAYBOOK_BOOLEANS = {"platform_destroy_skip_final_snapshot", "verify_drift", "aurora_kms_migration_delete_source", "aurora_kms_migration_final_snapshot",
                     "aurora_kms_migration_rollback", "aurora_kms_migration_rekey"}
CONDITION_KEYS = ("when", "until", "changed_when", "failed_when", "that")


def boolean_inputs():
    names = set(PLAYBOOK_BOOLEANS)
    for path in glob.glob(os.path.join(TOP, "roles", "*", "meta", "argument_specs.yml")):
        with open(path, encoding="utf-8") as handle:
            specs = yaml.safe_load(handle)["argument_specs"]
        for entry in specs.values():
            for name, option in (entry.get("options") or {}).items():
                if option.get("type") == "bool":
                    names.add(name)
    return names


def files():
    out = []
    for pattern in ("roles/*/tasks/*.yml", "roles/*/vars/*.yml", "roles/*/defaults/*.yml", "roles/*/templates/*.j2", "playbooks/*.yml"):
        out += sorted(glob.glob(os.path.join(TOP, pattern)))
    return out


_STRING = re.compile(r"'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"")


def code_spans(text, yaml_file=True):
    """(start, end) of Jinja code in a file: inside {{ }} and {% %} and, in YAML, the values of condition keys
    (when:, until:, that: ... and their list items), string literals left out."""
    spans = []
    for match in re.finditer(r"\{\{(.*?)\}\}|\{%-?(.*?)-?%\}", text, re.S):
        group = 1 if match.group(1) is not None else 2
        spans.append((match.start(group), match.end(group)))
    if yaml_file:
        lines = text.splitlines(keepends=True)
        offset, in_list, list_indent = 0, False, 0
        for line in lines:
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            key = re.match(r"(\s*)(?:- )?(%s):\s*(.*)$" % "|".join(CONDITION_KEYS), line)
            if key:
                value = key.group(3).rstrip("\n")
                if value and not value.startswith(("{{", ">", "|", "[")):
                    start = offset + line.index(value, key.end(2) - 0)
                    spans.append((start, start + len(value)))
                in_list, list_indent = not value, indent
            elif in_list and stripped.startswith("- ") and indent >= list_indent:
                value = stripped[2:].rstrip("\n")
                if not value.startswith("{{"):
                    start = offset + indent + 2
                    spans.append((start, start + len(value)))
            elif stripped.strip():
                in_list = False
            offset += len(line)
    # Drop the string literals inside each span.
    out = []
    for start, end in spans:
        cursor = start
        for literal in _STRING.finditer(text, start, end):
            out.append((cursor, literal.start()))
            cursor = literal.end()
        out.append((cursor, end))
    return out


def unconverted(text, names, yaml_file=True):
    """[(offset, name)] of boolean inputs read in code without ``| bool`` right after them."""
    found = []
    pattern = re.compile(r"\b(%s)\b(?!\s*\|\s*bool)(?!\s*\|\s*default\([^)]*\)\s*\|\s*bool)"
                         r"(?!\s*(?:is|is not)\s+(?:none|defined|not none))" % "|".join(sorted(names)))
    for start, end in code_spans(text, yaml_file):
        for match in pattern.finditer(text, start, end):
            # A variable's own definition or a default()'s argument is not a read of the input.
            if text[match.end():match.end() + 1] == ":" or text[max(0, match.start() - 1)] in ".'\"":
                continue
            found.append((match.start(), match.group(1)))
    return found
