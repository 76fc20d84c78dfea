"""Booleans behave the same from YAML, -e and an AWX survey: every expression reads a boolean input through
``| bool`` (a string 'false' is true to Jinja, and a bare string is no condition at all for ansible-core)."""

import os

import pytest

from tests.support import booleans


def test_every_boolean_input_is_read_through_bool():
    names = booleans.boolean_inputs()
    assert {"security_hardening_keep_keys_on_destroy", "platform_wait_for_deployments", "load_balancers_tls_enabled"} <= names
    found = []
    for path in booleans.files():
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for offset, name in booleans.unconverted(text, names, yaml_file=not path.endswith(".j2")):
            found.append("%s:%d %s" % (os.path.relpath(path, booleans.TOP), text.count("\n", 0, offset) + 1, name))
    assert found == []


@pytest.mark.parametrize("text, bad", [
    ("- name: x\n  when: not security_hardening_keep_keys_on_destroy\n", ["security_hardening_keep_keys_on_destroy"]),
    ("- name: x\n  when:\n    - platform_state == 'present'\n    - verify_drift\n", ["verify_drift"]),
    ("x: \"{{ 1 if load_balancers_tls_enabled else 2 }}\"\n", ["load_balancers_tls_enabled"]),
    ("x: \"{{ 1 if load_balancers_tls_enabled | bool else 2 }}\"\n", []),
    ("x: \"{{ verify_drift | default(true) | bool }}\"\n", []),
    ("msg: 'set load_balancers_tls_enabled: true'\n", []),
    ("x: \"{{ 'load_balancers_tls_enabled' }}\"\n", []),
])
def test_the_scan_finds_a_bare_boolean(text, bad):
    names = {"security_hardening_keep_keys_on_destroy", "verify_drift", "load_balancers_tls_enabled"}
    assert [found[1] for found in booleans.unconverted(text, names)] == bad
