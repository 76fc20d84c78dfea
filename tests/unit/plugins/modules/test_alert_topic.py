"""alert_topic against moto: KMS-encrypted topic, generated policy, exact subscriptions, tags, check mode, removal."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import alert_topic

from ...conftest import ModuleFail


def args(**extra):
    return dict({"name": "demo-t-alerts", "display_name": "demo t", "kms_key_id": "alias/demo-t-alerts",
                 "subscriptions": [{"protocol": "email", "endpoint": "ops@example.com"}],
                 "tags": {"Project": "demo", "Environment": "t"}}, **extra)


def topic_arn(aws):
    topics = aws("sns").list_topics()["Topics"]
    assert len(topics) <= 1
    return topics[0]["TopicArn"] if topics else None


def test_check_create_rerun(aws, run_module):
    assert run_module(alert_topic, args(), check=True)["changed"] is True and topic_arn(aws) is None
    made = run_module(alert_topic, args())
    assert made["changed"] is True and "create topic demo-t-alerts" in made["changes"]
    arn = topic_arn(aws)
    attributes = aws("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["KmsMasterKeyId"] == "alias/demo-t-alerts"
    policy = json.loads(attributes["Policy"])
    publish = [s for s in policy["Statement"] if s["Sid"] == "ServicesPublish"][0]
    assert publish["Principal"]["Service"] == ["budgets.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    deny = [s for s in policy["Statement"] if s["Effect"] == "Deny"][0]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    subs = aws("sns").list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("email", "ops@example.com")]
    tags = {t["Key"]: t["Value"] for t in aws("sns").list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"Project": "demo", "Environment": "t"}
    again = run_module(alert_topic, args(), check=True, diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert run_module(alert_topic, args())["changed"] is False


def test_key_publishers_and_subscriptions_change(aws, run_module):
    run_module(alert_topic, args())
    changed = args(kms_key_id="alias/other", publisher_services=["cloudwatch.amazonaws.com"],
                   subscriptions=[{"protocol": "https", "endpoint": "https://hooks.example.com/x"}])
    planned = run_module(alert_topic, changed, check=True)
    assert planned["changed"] is True
    assert aws("sns").get_topic_attributes(TopicArn=topic_arn(aws))["Attributes"]["KmsMasterKeyId"] == "alias/demo-t-alerts"
    result = run_module(alert_topic, changed, diff=True)
    assert sorted(result["changes"]) == sorted(["set KmsMasterKeyId", "set Policy", "subscribe https:https://hooks.example.com/x",
                                                "unsubscribe email:ops@example.com"])
    assert result["diff"]["after"]["publisher_services"] == ["cloudwatch.amazonaws.com"]
    arn = topic_arn(aws)
    assert aws("sns").get_topic_attributes(TopicArn=arn)["Attributes"]["KmsMasterKeyId"] == "alias/other"
    subs = aws("sns").list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("https", "https://hooks.example.com/x")]
    assert run_module(alert_topic, changed)["changed"] is False


def test_bad_input_and_absent(aws, run_module):
    with pytest.raises(ModuleFail, match="publisher_services holds cloudwatch"):
        run_module(alert_topic, args(publisher_services=["cloudwatch"]))
    with pytest.raises(ModuleFail, match="needs an https:// URL"):
        run_module(alert_topic, args(subscriptions=[{"protocol": "https", "endpoint": "http://x"}]))
    with pytest.raises(ModuleFail, match="not an e-mail address"):
        run_module(alert_topic, args(subscriptions=[{"protocol": "email", "endpoint": "ops"}]))
    run_module(alert_topic, args())
    assert run_module(alert_topic, args(state="absent"), check=True)["changed"] is True and topic_arn(aws)
    assert run_module(alert_topic, args(state="absent"))["changed"] is True
    assert topic_arn(aws) is None
    assert run_module(alert_topic, args(state="absent"))["changed"] is False


def test_a_pending_subscription_no_longer_wanted_is_left_with_a_warning(aws, run_module, monkeypatch):
    run_module(alert_topic, args())
    real_state = alert_topic.Topic.state
    warnings = []

    def pending_state(self, arn):
        attributes, subscriptions, tags = real_state(self, arn)
        return attributes, [dict(s, SubscriptionArn="PendingConfirmation") for s in subscriptions], tags

    monkeypatch.setattr(alert_topic.Topic, "state", pending_state)
    monkeypatch.setattr(alert_topic.PlatformModule, "warn", lambda self, msg: warnings.append(msg))
    result = run_module(alert_topic, args(subscriptions=[]))
    assert result["changed"] is False and result["topic"]["pending"] == []
    assert warnings == ["subscription email:ops@example.com is pending confirmation: AWS cannot remove it; it lapses after three days"]
    assert len(aws("sns").list_subscriptions_by_topic(TopicArn=topic_arn(aws))["Subscriptions"]) == 1
