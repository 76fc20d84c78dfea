"""An inventory host in another account: with platform_aws_assume_role_arn, every playbook takes the deployer role of
that account through STS first and goes on with its credentials (playbooks/tasks/assume_role.yml).

On an endpoint of its own without IAM enforced: the role is another account's, which the endpoint answers as AWS does
(STS AssumeRole gives credentials of the role's account)."""

import re

import pytest

from tests.support.harness import Endpoint, run_playbook

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
