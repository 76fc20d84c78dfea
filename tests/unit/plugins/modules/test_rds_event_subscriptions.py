"""rds_event_subscriptions against moto (with the endpoint's RDS corrections): an exact set of subscriptions under a
prefix, each to one topic, with its own sources; a lost create answer adopted; what RDS refuses, refused."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import rds_event_subscriptions

from ...conftest import ModuleFail

OWNER = {"Project": "demo", "Environment": "t"}


def topic(aws, rds_may_publish=True):
    sns = aws("sns")
    arn = sns.create_topic(Name="demo-t-alerts")["TopicArn"]
    services = ["events.rds.amazonaws.com"] if rds_may_publish else ["events.amazonaws.com"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": services}, "Action": "sns:Publish", "Resource": arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}))
    return arn


def cluster(aws, ident):
    aws("rds").create_db_cluster(DBClusterIdentifier=ident, Engine="aurora-postgresql", MasterUsername="admin_user",
                                 MasterUserPassword="not-a-real-password-1")


def args(arn, clusters, **extra):
    return dict({"prefix": "demo-t-", "owner_tags": OWNER, "topic_arn": arn, "tags": dict(OWNER, Component="observability"),
                 "subscriptions": [{"name": "demo-t-db-clusters", "source_type": "db-cluster",
                                    "event_categories": ["maintenance", "failure"], "source_ids": clusters}]}, **extra)


def found(aws):
    rds = aws("rds")
    out = {}
    for sub in rds.describe_event_subscriptions()["EventSubscriptionsList"]:
        tags = {t["Key"]: t["Value"] for t in rds.list_tags_for_resource(ResourceName=sub["EventSubscriptionArn"])["TagList"]}
        out[sub["CustSubscriptionId"]] = (sub["SourceType"], sorted(sub["EventCategoriesList"]), sorted(sub["SourceIdsList"]),
                                          sub["SnsTopicArn"], sub["Enabled"], tags)
    return out


def test_create_rerun_check(aws, run_module):
    arn = topic(aws)
    cluster(aws, "demo-t-inventory-db")
    assert run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]), check=True)["changed"] is True
    assert found(aws) == {}
    made = run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]))
    assert made["changes"] == ["create subscription demo-t-db-clusters"]
    assert found(aws) == {"demo-t-db-clusters": ("db-cluster", ["failure", "maintenance"], ["demo-t-inventory-db"], arn, True,
                                                 {"Project": "demo", "Environment": "t", "Component": "observability"})}
    again = run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]), check=True, diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]))["changed"] is False


def test_sources_categories_and_tags_follow(aws, run_module):
    arn = topic(aws)
    cluster(aws, "demo-t-inventory-db")
    cluster(aws, "demo-t-billing-db")
    run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]))
    wanted = args(arn, ["demo-t-billing-db"], tags=dict(OWNER, Component="observability", Owner="team"))
    wanted["subscriptions"][0]["event_categories"] = ["failure"]
    planned = run_module(rds_event_subscriptions, wanted, check=True)
    assert found(aws)["demo-t-db-clusters"][2] == ["demo-t-inventory-db"]
    result = run_module(rds_event_subscriptions, wanted)
    assert result["changes"] == planned["changes"] == [
        "update subscription demo-t-db-clusters", "add source demo-t-billing-db to demo-t-db-clusters",
        "remove source demo-t-inventory-db from demo-t-db-clusters", "tags of demo-t-db-clusters"]
    source_type, categories, sources, _topic, _on, tags = found(aws)["demo-t-db-clusters"]
    assert (source_type, categories, sources, tags["Owner"]) == ("db-cluster", ["failure"], ["demo-t-billing-db"], "team")


def test_no_source_no_subscription_and_others_kept(aws, run_module):
    """A subscription without sources would receive every cluster's events in the account: it is removed instead.
    One of another owner (tags) or outside the prefix is left alone."""
    arn = topic(aws)
    cluster(aws, "demo-t-inventory-db")
    cluster(aws, "other-db")
    run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]))
    rds = aws("rds")
    rds.create_event_subscription(SubscriptionName="demo-t-handmade", SnsTopicArn=arn, SourceType="db-cluster",
                                  SourceIds=["other-db"], Enabled=True)
    rds.create_event_subscription(SubscriptionName="other-subscription", SnsTopicArn=arn, SourceType="db-cluster",
                                  SourceIds=["other-db"], Enabled=True)
    result = run_module(rds_event_subscriptions, args(arn, []))
    assert result["changes"] == ["delete subscription demo-t-db-clusters"]
    assert sorted(found(aws)) == ["demo-t-handmade", "other-subscription"]
    assert run_module(rds_event_subscriptions, args(arn, [], state="absent"))["changed"] is False


def test_another_source_type_replaces_the_subscription(aws, run_module):
    arn = topic(aws)
    cluster(aws, "demo-t-inventory-db")
    aws("rds").create_db_instance(DBInstanceIdentifier="demo-t-inventory-db-1", DBInstanceClass="db.r6g.large",
                                  Engine="aurora-postgresql", DBClusterIdentifier="demo-t-inventory-db")
    run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]))
    wanted = args(arn, ["demo-t-inventory-db-1"])
    wanted["subscriptions"][0]["source_type"] = "db-instance"
    result = run_module(rds_event_subscriptions, wanted)
    assert result["changes"] == ["replace subscription demo-t-db-clusters (source type db-instance, was db-cluster)"]
    assert found(aws)["demo-t-db-clusters"][:3] == ("db-instance", ["failure", "maintenance"], ["demo-t-inventory-db-1"])


def test_lost_create_answer_is_adopted_not_sent_twice(aws, run_module, lose_answers):
    arn = topic(aws)
    cluster(aws, "demo-t-inventory-db")
    lose_answers.update(create_event_subscription=1)
    result = run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db"]))
    assert lose_answers == {"create_event_subscription": 0}
    assert result["changes"] == ["create subscription demo-t-db-clusters"]
    assert list(found(aws)) == ["demo-t-db-clusters"]


@pytest.mark.parametrize("case, expected", [
    ("unknown source", "SourceNotFound"),
    ("topic RDS may not publish to", "SNSNoAuthorization"),
    ("no such topic", "SNSTopicArnNotFound"),
])
def test_what_rds_refuses_is_refused(aws, run_module, case, expected):
    arn = topic(aws, rds_may_publish=case != "topic RDS may not publish to")
    cluster(aws, "demo-t-inventory-db")
    sources = ["demo-t-missing-db"] if case == "unknown source" else ["demo-t-inventory-db"]
    with pytest.raises(ModuleFail) as err:
        run_module(rds_event_subscriptions, args(arn + ("-gone" if case == "no such topic" else ""), sources))
    assert expected in json.dumps(err.value.result)
    assert found(aws) == {}


def test_bad_inputs_fail_before_any_call(aws, run_module):
    with pytest.raises(ModuleFail) as err:
        run_module(rds_event_subscriptions, args("arn:aws:sns:eu-west-1:123456789012:x", ["a"], prefix=""))
    assert "prefix is empty" in err.value.result["msg"]
    wrong = args("arn:aws:sns:eu-west-1:123456789012:x", ["a"])
    wrong["subscriptions"][0]["name"] = "other-db-clusters"
    with pytest.raises(ModuleFail) as err:
        run_module(rds_event_subscriptions, wrong)
    assert "must start with demo-t-" in err.value.result["msg"]
    with pytest.raises(ModuleFail) as err:
        run_module(rds_event_subscriptions, args(None, ["a"]))
    assert "topic_arn is required" in err.value.result["msg"]


def test_a_removal_carried_out_then_answered_503_is_done_when_retried(aws, run_module, transient_answers):
    """RemoveSourceIdentifierFromSubscription and DeleteEventSubscription carried out, answered 503 and retried: AWS
    then answers SourceNotFound / SubscriptionNotFound, which means done, not a failure."""
    arn = topic(aws)
    cluster(aws, "demo-t-inventory-db")
    cluster(aws, "demo-t-billing-db")
    run_module(rds_event_subscriptions, args(arn, ["demo-t-inventory-db", "demo-t-billing-db"]))
    transient_answers.update(RemoveSourceIdentifierFromSubscription=[("ServiceUnavailable", 503, True)],
                             DeleteEventSubscription=[("ServiceUnavailable", 503, True)])
    result = run_module(rds_event_subscriptions, args(arn, ["demo-t-billing-db"]))
    assert result["changes"] == ["remove source demo-t-inventory-db from demo-t-db-clusters"]
    assert found(aws)["demo-t-db-clusters"][2] == ["demo-t-billing-db"]
    assert run_module(rds_event_subscriptions, args(arn, [], state="absent"))["changes"] == ["delete subscription demo-t-db-clusters"]
    assert not any(transient_answers.values()) and found(aws) == {}
