"""log_groups against moto: owned groups made, every group under the prefix brought to one retention and key;
AssociateKmsKey is the endpoint's (tools/endpoint_server.py), which checks the key as CloudWatch Logs does, so
the key here is a real one whose policy lets CloudWatch Logs use it for the groups under /demo/t/."""

import json
import sys

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.modules import log_groups

from ...conftest import ModuleFail

KEY = None  # the key of each test (fixture below)


@pytest.fixture(autouse=True)
def key(aws, monkeypatch):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], "Resource": "*",
         "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/demo/t/*"}}},
    ]}
    arn = aws("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    monkeypatch.setattr(sys.modules[__name__], "KEY", arn)
    return arn


@pytest.fixture
def associations(monkeypatch):
    """The AssociateKmsKey calls the module makes (carried out by the endpoint)."""
    calls = []
    original = PlatformModule.client

    class Recorder:
        def __init__(self, client):
            self._client = client

        def associate_kms_key(self, **kwargs):
            calls.append(kwargs)
            return self._client.associate_kms_key(**kwargs)

        def __getattr__(self, name):
            return getattr(self._client, name)

    def client(self, service, *args, **kwargs):
        real = original(self, service, *args, **kwargs)
        return Recorder(real) if service == "logs" else real

    monkeypatch.setattr(PlatformModule, "client", client)
    return calls


def args(**extra):
    return dict({"prefix": "/demo/t/", "groups": ["/demo/t/cloudtrail"], "retention_days": 30, "kms_key_id": KEY,
                 "tags": {"Project": "demo"}}, **extra)


def groups(aws):
    return {g["logGroupName"]: g for g in aws("logs").describe_log_groups()["logGroups"]}


def test_make_and_govern(aws, run_module, associations):
    logs = aws("logs")
    logs.create_log_group(logGroupName="/demo/t/ecs/billing-app", kmsKeyId=KEY)
    logs.put_retention_policy(logGroupName="/demo/t/ecs/billing-app", retentionInDays=14)
    logs.create_log_group(logGroupName="/demo/t/vpc-flow-logs", kmsKeyId=KEY)
    logs.create_log_group(logGroupName="/other/t/app")
    planned = run_module(log_groups, args(), check=True)
    assert planned["changed"] is True and "/demo/t/cloudtrail" not in groups(aws)
    made = run_module(log_groups, args(), diff=True)
    assert sorted(made["changes"]) == ["create /demo/t/cloudtrail", "retention of /demo/t/ecs/billing-app 14 -> 30",
                                       "retention of /demo/t/vpc-flow-logs never expire -> 30"]
    found = groups(aws)
    assert all(found[n]["retentionInDays"] == 30 and found[n]["kmsKeyId"] == KEY
               for n in ("/demo/t/cloudtrail", "/demo/t/ecs/billing-app", "/demo/t/vpc-flow-logs"))
    assert "retentionInDays" not in found["/other/t/app"]
    assert logs.list_tags_log_group(logGroupName="/demo/t/cloudtrail")["tags"] == {"Project": "demo"}
    assert associations == []
    again = run_module(log_groups, args(), check=True, diff=True)
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"]


def test_unencrypted_group_is_associated_with_the_key(aws, run_module, associations):
    aws("logs").create_log_group(logGroupName="/demo/t/handmade")
    planned = run_module(log_groups, args(groups=[]), check=True)["changes"]
    assert "encrypt /demo/t/handmade with %s" % KEY in planned
    assert associations == [] and "kmsKeyId" not in groups(aws)["/demo/t/handmade"]
    result = run_module(log_groups, args(groups=[]))
    assert "encrypt /demo/t/handmade with %s" % KEY in result["changes"]
    assert associations == [{"logGroupName": "/demo/t/handmade", "kmsKeyId": KEY}]
    assert groups(aws)["/demo/t/handmade"]["kmsKeyId"] == KEY
    assert run_module(log_groups, args(groups=[]))["changed"] is False


def test_absent_removes_owned_groups_only(aws, run_module, associations):
    aws("logs").create_log_group(logGroupName="/demo/t/ecs/billing-app")
    run_module(log_groups, args())
    assert run_module(log_groups, args(state="absent"))["changes"] == ["delete /demo/t/cloudtrail"]
    assert set(groups(aws)) == {"/demo/t/ecs/billing-app"}
    assert run_module(log_groups, args(state="absent"))["changed"] is False


@pytest.mark.parametrize("extra, message", [
    ({"retention_days": 10}, "retention_days 10"),
    ({"prefix": "/"}, "every log group"),
    ({"groups": ["/other/x"]}, "outside the prefix"),
    ({"prefix": None, "groups": []}, "neither prefix nor groups"),
])
def test_bad_input(aws, run_module, associations, extra, message):
    with pytest.raises(ModuleFail) as failed:
        run_module(log_groups, args(**extra))
    assert message in failed.value.result["msg"]
    assert groups(aws) == {}


def root_use(pattern='{ $.userIdentity.type = "Root" }'):
    return {"log_group": "/demo/t/cloudtrail", "name": "demo-t-root-use", "pattern": pattern, "metric_name": "RootUse",
            "metric_namespace": "Demo/CloudTrail", "default_value": 0}


def refused():
    return {"log_group": "/demo/t/cloudtrail", "name": "demo-t-refused", "pattern": '{ $.errorCode = "AccessDenied*" }',
            "metric_name": "Refused", "metric_namespace": "Demo/CloudTrail"}


def filters(aws):
    return {f["filterName"]: f for f in aws("logs").describe_metric_filters(logGroupName="/demo/t/cloudtrail")["metricFilters"]}


def test_metric_filters_are_exactly_the_listed_ones(aws, run_module, associations):
    assert run_module(log_groups, args(metric_filters=[root_use(), refused()]), check=True)["changed"] is True
    made = run_module(log_groups, args(metric_filters=[root_use(), refused()]))
    assert "create metric filter demo-t-root-use" in made["changes"]
    found = filters(aws)
    assert sorted(found) == ["demo-t-refused", "demo-t-root-use"]
    transformation = found["demo-t-root-use"]["metricTransformations"][0]
    assert transformation["metricName"] == "RootUse" and transformation["metricNamespace"] == "Demo/CloudTrail"
    assert transformation["metricValue"] == "1" and transformation["defaultValue"] == 0
    assert run_module(log_groups, args(metric_filters=[root_use(), refused()]))["changed"] is False
    changed = run_module(log_groups, args(metric_filters=[root_use('{ $.userIdentity.type = "Root" && $.x NOT EXISTS }')]))
    assert changed["changes"] == ["update metric filter demo-t-root-use", "delete metric filter demo-t-refused"]
    assert list(filters(aws)) == ["demo-t-root-use"]
    assert "NOT EXISTS" in filters(aws)["demo-t-root-use"]["filterPattern"]


def test_metric_filters_only_on_owned_groups(aws, run_module, associations):
    with pytest.raises(ModuleFail) as failed:
        run_module(log_groups, args(groups=[], metric_filters=[root_use()]))
    assert "not in groups" in failed.value.result["msg"]


def test_an_owned_groups_tags_become_exactly_the_wanted_ones(aws, run_module, associations):
    """The stock module and the roles' tasks it replaced kept an owned group's tags; so does this module."""
    logs = aws("logs")
    run_module(log_groups, args())
    logs.tag_log_group(logGroupName="/demo/t/cloudtrail", tags={"Owner": "someone", "Project": "old"})
    planned = run_module(log_groups, args(), check=True)
    assert planned["changes"] == ["tags of /demo/t/cloudtrail: Project", "tags of /demo/t/cloudtrail: remove Owner"]
    assert logs.list_tags_log_group(logGroupName="/demo/t/cloudtrail")["tags"] == {"Owner": "someone", "Project": "old"}
    assert run_module(log_groups, args())["changed"] is True
    assert logs.list_tags_log_group(logGroupName="/demo/t/cloudtrail")["tags"] == {"Project": "demo"}
    assert run_module(log_groups, args())["changed"] is False
    logs.tag_log_group(logGroupName="/demo/t/cloudtrail", tags={"Owner": "someone"})
    assert run_module(log_groups, args(purge_tags=False))["changed"] is False
    assert run_module(log_groups, args(tags=None))["changed"] is False  # no tags given: left alone
    assert logs.list_tags_log_group(logGroupName="/demo/t/cloudtrail")["tags"] == {"Owner": "someone", "Project": "demo"}


def test_without_a_prefix_only_the_listed_groups_are_governed(aws, run_module, associations):
    logs = aws("logs")
    logs.create_log_group(logGroupName="/aws/lambda/demo-t-rotation-old")
    made = run_module(log_groups, args(prefix=None, groups=["/aws/lambda/demo-t-rotation"], kms_key_id=None))
    assert made["changes"] == ["create /aws/lambda/demo-t-rotation"]
    arn = made["log_groups"]["/aws/lambda/demo-t-rotation"]["arn"]
    assert arn.startswith("arn:aws:logs:eu-west-1:") and ":log-group:/aws/lambda/demo-t-rotation" in arn
    found = groups(aws)
    assert found["/aws/lambda/demo-t-rotation"]["retentionInDays"] == 30 and "retentionInDays" not in found["/aws/lambda/demo-t-rotation-old"]
    again = run_module(log_groups, args(prefix=None, groups=["/aws/lambda/demo-t-rotation"], kms_key_id=None))
    assert again["changed"] is False and list(again["log_groups"]) == ["/aws/lambda/demo-t-rotation"]
