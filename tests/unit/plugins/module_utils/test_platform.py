"""Adopt-or-refuse, idempotency tokens, tag arithmetic and the retry policy."""

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu


def test_pick_one_zero_candidates_means_create():
    assert pu.pick_one([], "VPCs") is None


def test_pick_one_single_candidate_is_adopted():
    assert pu.pick_one([{"id": "vpc-1"}], "VPCs", ident=lambda c: c["id"]) == {"id": "vpc-1"}


def test_pick_one_refuses_two_and_lists_them():
    with pytest.raises(pu.AmbiguousResourceError) as err:
        pu.pick_one([{"id": "vpc-1"}, {"id": "vpc-2"}], "VPCs tagged demo", ident=lambda c: c["id"])
    message = str(err.value)
    assert "vpc-1" in message and "vpc-2" in message
    assert "found 2 VPCs tagged demo" in message
    assert "delete or re-tag" in message


def test_client_token_is_stable_and_distinct():
    assert pu.client_token("nat", "subnet-1") == pu.client_token("nat", "subnet-1")
    assert pu.client_token("nat", "subnet-1") != pu.client_token("nat", "subnet-2")
    assert len(pu.client_token("x")) == 64


def test_tag_changes_purge_and_keep_aws_tags():
    to_set, to_remove = pu.tag_changes({"a": "1", "b": "2", "aws:x": "y"}, {"a": "1", "c": 3}, purge=True)
    assert to_set == {"c": "3"}
    assert to_remove == ["b"]
    assert pu.tag_changes({"b": "2"}, {}, purge=False) == ({}, [])


def test_resource_names_follow_the_convention():
    names = pu.resource_names("shop", "prod")
    assert names["vpc"] == "shop-prod-vpc"
    assert names["cluster"] == "shop-prod-cluster"
    assert names["private_domain"] == "prod.shop.internal"


def test_retry_policy_absorbs_throttling(monkeypatch):
    sleeps = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    calls = []

    @pu.aws_retry()
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "DescribeVpcs")
        return "ok"

    assert flaky() == "ok"
    assert len(calls) == 3
    assert len(sleeps) == 2


def test_retry_policy_does_not_retry_a_real_error(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    calls = []

    @pu.aws_retry()
    def broken():
        calls.append(1)
        raise ClientError({"Error": {"Code": "InvalidParameterValue", "Message": "bad"}}, "CreateVpc")

    with pytest.raises(ClientError):
        broken()
    assert len(calls) == 1


def test_wait_for_backs_off_and_times_out(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    states = iter(["PENDING", "PENDING", "SUCCESS"])
    assert pu.wait_for(lambda: next(states), lambda s: s == "SUCCESS") == "SUCCESS"
    with pytest.raises(pu.PlatformError, match="timed out"):
        pu.wait_for(lambda: "PENDING", lambda s: s == "SUCCESS", timeout=0)


def test_apply_tags_calls_the_service_and_merges():
    calls = []
    changed, after = pu.apply_tags(False, {"a": "1", "b": "2"}, {"a": "9"}, True,
                                   lambda add: calls.append(("add", add)), lambda keys: calls.append(("remove", keys)))
    assert changed is True
    assert after == {"a": "9"}
    assert calls == [("add", {"a": "9"}), ("remove", ["b"])]


def test_apply_tags_check_mode_and_no_wish_make_no_call():
    def fail(_arg):
        raise AssertionError("no call expected")

    assert pu.apply_tags(True, {"a": "1"}, {"a": "2"}, True, fail, fail) == (True, {"a": "2"})
    assert pu.apply_tags(False, {"a": "1"}, None, True, fail, fail) == (False, {"a": "1"})
    assert pu.apply_tags(False, {"a": "1"}, {"a": "1"}, True, fail, fail) == (False, {"a": "1"})


def _platform_module(args):
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

    with patch_module_args(dict(args, region="eu-west-1")):
        return pu.PlatformModule(argument_spec={}, supports_check_mode=True)


def test_platform_module_clients_share_one_service_model_loader(aws):
    module = _platform_module({"aws_config": {"connect_timeout": 7}})
    ec2 = module.client("ec2")
    kms = module.client("kms", retry_decorator=pu.aws_retry())
    other = _platform_module({}).client("ec2")
    # one parsed copy of botocore's data per process, whichever module run or session made the client
    assert ec2._loader is kms.client._loader is other._loader  # pylint: disable=protected-access
    # the caller's options reach the client as amazon.aws passes them; each client keeps its own
    assert ec2.meta.config.connect_timeout == 7
    assert other.meta.config.connect_timeout != 7
    assert ec2.meta.region_name == "eu-west-1"
    assert ec2.describe_vpcs()["Vpcs"]  # moto's default VPC answers through the client
    assert kms.list_keys(aws_retry=True)["Keys"] == []


def test_platform_module_reports_a_missing_region(aws, monkeypatch, run_module):  # pylint: disable=unused-argument
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

    with patch_module_args({}):
        module = pu.PlatformModule(argument_spec={}, supports_check_mode=True)
    with pytest.raises(Exception) as err:
        module.client("ec2")
    assert "requires a region" in str(err.value)
