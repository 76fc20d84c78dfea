"""An inventory host in another account: with platform_aws_assume_role_arn, every playbook takes the deployer role of
that account through STS first and goes on with its credentials (playbooks/tasks/assume_role.yml). The README's block
that makes that role, run as written.

On an endpoint of its own without IAM enforced: the role is another account's, which the endpoint answers as AWS does
(STS AssumeRole gives credentials of the role's account)."""

import json
import os
import re
import subprocess
import sys
import urllib.parse

import pytest

from tests.support.harness import ACCOUNT, REGION, TOP, Endpoint, UserInstall, clone_tree, run_block, run_playbook

ROLE = "arn:aws:iam::111111111111:role/demo-deployer"


@pytest.fixture(scope="module")
def ep(tmp_path_factory):
    server = Endpoint(str(tmp_path_factory.mktemp("endpoint")))
    yield server
    server.stop()


def test_a_run_goes_on_in_the_account_of_the_role_it_assumes(ep):
    run = run_playbook(ep, "playbooks/summary.yml", extra_vars={"platform_env": "ar", "platform_aws_assume_role_arn": ROLE},
                       callback="default")
    assert run.rc == 0, run.stdout[-3000:]
    assert re.search(r"Platform demo-ar in eu-west-1 \(account 111111111111\)", run.stdout), run.stdout[-3000:]
    plain = run_playbook(ep, "playbooks/summary.yml", extra_vars={"platform_env": "ar"}, callback="default")
    assert re.search(r"\(account 123456789012\)", plain.stdout), plain.stdout[-3000:]


def test_keys_given_as_extra_vars_cannot_be_replaced_and_the_run_says_so(ep):
    run = run_playbook(ep, "playbooks/summary.yml", extra_vars={
        "platform_env": "ar", "platform_aws_assume_role_arn": ROLE, "platform_aws_access_key": "testing",
        "platform_aws_secret_key": "testing"}, callback="default")
    assert run.rc != 0
    assert "given as an extra variable (-e)" in run.stdout, run.stdout[-3000:]


# The AWS CLI of the README's blocks, in a virtual environment of its own (it pins its own botocore).
AWS_CLI = "awscli==1.45.11"


@pytest.fixture(scope="module")
def aws_cli(tmp_path_factory):
    venv = tmp_path_factory.mktemp("awscli")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", AWS_CLI],
                   check=True, capture_output=True, timeout=600)
    return venv / "bin"


def test_the_readme_deployer_block_makes_the_role_and_its_policies(ep, aws_cli, tmp_path):
    """The README's deployer block as written, in a copy of the checkout, with the AWS CLI (pointed at the endpoint by
    AWS_ENDPOINT_URL, as the CLI allows) and a Python without the development requirements: the role trusts its own
    account, and carries the environment's deployer policies, each the document tools/iam_policy.py renders for it;
    the boundary policy is there."""
    checkout = clone_tree(tmp_path / "checkout")
    run = run_block(ep, "deployer", "unused", install=UserInstall(checkout, aws_cli), callback="default", env={
        "AWS_ENDPOINT_URL": ep.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION})
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-3000:]
    sys.path.insert(0, os.path.join(TOP, "tools"))
    import iam_policy  # pylint: disable=import-outside-toplevel,import-error
    wanted = iam_policy.rendered("shop", "dev", ACCOUNT, "eu-west-1")
    iam = ep.client("iam")
    role = iam.get_role(RoleName="shop-dev-deployer")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT}, "Action": "sts:AssumeRole"}]
    attached = sorted(p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="shop-dev-deployer")["AttachedPolicies"])
    assert attached == sorted("shop-dev-deployer-" + name[:-len(".json")] for name in wanted) and len(attached) > 1

    def document(name):
        arn = "arn:aws:iam::%s:policy/%s" % (ACCOUNT, name)
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        found = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        return json.loads(urllib.parse.unquote(found)) if isinstance(found, str) else found

    for name, doc in wanted.items():
        assert document("shop-dev-deployer-" + name[:-len(".json")]) == doc, name
    assert document("shop-dev-boundary") == iam_policy.rendered("shop", "dev", ACCOUNT, "eu-west-1", prefix="boundary")["boundary.json"]
