"""event_rules against moto: an exact set of rules under a prefix, one topic target each, tags, removal."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import event_rules

from ...conftest import ModuleFail

TOPIC = "arn:aws:sns:eu-west-1:123456789012:demo-t-alerts"
OWNER = {"Project": "demo", "Environment": "t"}
FAILED = {"name": "demo-t-ecs-deployment-failed", "description": "deployments",
          "event_pattern": {"source": ["aws.ecs"], "detail-type": ["ECS Deployment State Change"],
                            "detail": {"eventName": ["SERVICE_DEPLOYMENT_FAILED"]}}}
FINDINGS = {"name": "demo-t-inspector-findings", "description": "findings",
            "event_pattern": {"source": ["aws.inspector2"], "detail-type": ["Inspector2 Finding"],
                              "detail": {"severity": ["HIGH", "CRITICAL"]}}}


def args(rules, **extra):
    return dict({"prefix": "demo-t-", "owner_tags": OWNER, "target_arn": TOPIC, "rules": rules,
                 "tags": dict(OWNER, Component="observability")}, **extra)


def rules(aws):
    ev = aws("events")
    out = {}
    for rule in ev.list_rules(NamePrefix="demo-t-")["Rules"]:
        targets = ev.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        tags = {t["Key"]: t["Value"] for t in ev.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]}
        out[rule["Name"]] = (json.loads(rule["EventPattern"]), [t["Arn"] for t in targets], tags, rule["State"])
    return out


def test_create_rerun_check(aws, run_module):
    assert run_module(event_rules, args([FAILED, FINDINGS]), check=True)["changed"] is True and rules(aws) == {}
    made = run_module(event_rules, args([FAILED, FINDINGS]))
    assert sorted(made["changes"]) == ["create rule demo-t-ecs-deployment-failed", "create rule demo-t-inspector-findings"]
    found = rules(aws)
    assert found["demo-t-inspector-findings"][0]["detail"] == {"severity": ["HIGH", "CRITICAL"]}
    assert all(targets == [TOPIC] and state == "ENABLED" for _p, targets, _t, state in found.values())
    assert all(tags == dict(OWNER, Component="observability") for _p, _a, tags, _s in found.values())
    again = run_module(event_rules, args([FAILED, FINDINGS]), check=True, diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert run_module(event_rules, args([FAILED, FINDINGS]))["changed"] is False


def test_pattern_target_change_and_removal(aws, run_module):
    run_module(event_rules, args([FAILED, FINDINGS]))
    aws("events").put_rule(Name="demo-t-handmade", EventPattern=json.dumps({"source": ["aws.ec2"]}))
    critical = dict(FINDINGS, event_pattern=dict(FINDINGS["event_pattern"], detail={"severity": ["CRITICAL"]}))
    other = TOPIC + "-2"
    result = run_module(event_rules, args([critical], target_arn=other))
    assert sorted(result["changes"]) == ["delete rule demo-t-ecs-deployment-failed", "target of demo-t-inspector-findings",
                                         "update rule demo-t-inspector-findings"]
    found = rules(aws)
    assert set(found) == {"demo-t-inspector-findings", "demo-t-handmade"}
    assert found["demo-t-inspector-findings"][0]["detail"] == {"severity": ["CRITICAL"]}
    assert found["demo-t-inspector-findings"][1] == [other]
    assert run_module(event_rules, args([critical], target_arn=other))["changed"] is False


def test_absent(aws, run_module):
    run_module(event_rules, args([FAILED]))
    assert run_module(event_rules, args([], state="absent"), check=True)["changed"] is True
    assert run_module(event_rules, args([], state="absent"))["changes"] == ["delete rule demo-t-ecs-deployment-failed"]
    assert rules(aws) == {}
    assert run_module(event_rules, args([], state="absent"))["changed"] is False


@pytest.mark.parametrize("extra, message", [
    ({"rules": [dict(FAILED, name="other-failed")]}, "must start with demo-t-"),
    ({"target_arn": None}, "target_arn is required"),
    ({"prefix": ""}, "prefix is empty"),
])
def test_bad_input(aws, run_module, extra, message):
    with pytest.raises(ModuleFail) as failed:
        run_module(event_rules, dict(args([FAILED]), **extra))
    assert message in failed.value.result["msg"]
    assert rules(aws) == {}
