"""Role READMEs carry the variables of their argument specs."""

import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_role_readmes_match_their_argument_specs():
    proc = subprocess.run([sys.executable, os.path.join(TOP, "tools", "role_docs.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_role_has_an_argument_spec_and_readme():
    for role in os.listdir(os.path.join(TOP, "roles")):
        assert os.path.exists(os.path.join(TOP, "roles", role, "meta", "argument_specs.yml")), role
        assert os.path.exists(os.path.join(TOP, "roles", role, "README.md")), role
