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


def test_deployer_iam_policies_match_the_role_readmes():
    proc = subprocess.run([sys.executable, os.path.join(TOP, "tools", "iam_policy.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_public_role_lists_its_iam_actions():
    for role in os.listdir(os.path.join(TOP, "roles")):
        if role in ("workload", "platform"):  # internal: the roles that use them list their actions (platform makes no call)
            continue
        text = open(os.path.join(TOP, "roles", role, "README.md"), encoding="utf-8").read()
        assert "## IAM actions the deployer needs" in text, role
