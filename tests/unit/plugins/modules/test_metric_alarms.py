"""metric_alarms against moto: an exact set under a prefix, math and percentile alarms, tags, removal of what is no longer wanted."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import metric_alarms

from ...conftest import ModuleFail

TOPIC = "arn:aws:sns:eu-west-1:123456789012:demo-t-alerts"
OWNER = {"Project": "demo", "Environment": "t"}


def cpu(service, threshold=85):
    return {"name": "demo-t-%s-cpu-high" % service, "description": "%s CPU" % service, "namespace": "AWS/ECS",
            "metric_name": "CPUUtilization", "dimensions": {"ClusterName": "demo-t-cluster", "ServiceName": service},
            "statistic": "Average", "threshold": threshold}


def missing_tasks(service):
    dimensions = [{"Name": "ClusterName", "Value": "demo-t-cluster"}, {"Name": "ServiceName", "Value": service}]
    stat = {"Namespace": "ECS/ContainerInsights", "Dimensions": dimensions}
    return {"name": "demo-t-%s-tasks-missing" % service, "threshold": 0, "evaluation_periods": 3,
            "metrics": [
                {"Id": "running", "ReturnData": False,
                 "MetricStat": {"Metric": dict(stat, MetricName="RunningTaskCount"), "Period": 60, "Stat": "Average"}},
                {"Id": "desired", "ReturnData": False,
                 "MetricStat": {"Metric": dict(stat, MetricName="DesiredTaskCount"), "Period": 60, "Stat": "Average"}},
                {"Id": "missing", "Expression": "desired - running", "Label": "tasks missing"},
            ]}


def latency():
    return {"name": "demo-t-api-latency-p99", "namespace": "AWS/ApiGateway", "metric_name": "Latency",
            "dimensions": {"ApiId": "abc123", "Stage": "$default"}, "statistic": "p99", "threshold": 2000, "period": 300}


def args(alarms, **extra):
    return dict({"prefix": "demo-t-", "owner_tags": OWNER, "actions": [TOPIC], "alarms": alarms,
                 "tags": dict(OWNER, Component="observability")}, **extra)


def described(aws):
    return {a["AlarmName"]: a for a in aws("cloudwatch").describe_alarms(AlarmNamePrefix="demo-t-")["MetricAlarms"]}


def test_create_rerun_check(aws, run_module):
    alarms = [cpu("billing-app"), missing_tasks("billing-app"), latency()]
    planned = run_module(metric_alarms, args(alarms), check=True)
    assert planned["changed"] is True and described(aws) == {}
    made = run_module(metric_alarms, args(alarms))
    assert sorted(made["changes"]) == ["create demo-t-api-latency-p99", "create demo-t-billing-app-cpu-high",
                                       "create demo-t-billing-app-tasks-missing"]
    found = described(aws)
    assert set(found) == {a["name"] for a in alarms}
    one = found["demo-t-billing-app-cpu-high"]
    assert one["AlarmActions"] == [TOPIC] and one["OKActions"] == [TOPIC]
    assert one["Threshold"] == 85.0 and one["Statistic"] == "Average" and one["ComparisonOperator"] == "GreaterThanThreshold"
    assert {d["Name"]: d["Value"] for d in one["Dimensions"]} == {"ClusterName": "demo-t-cluster", "ServiceName": "billing-app"}
    assert found["demo-t-api-latency-p99"]["ExtendedStatistic"] == "p99"
    assert [m["Id"] for m in found["demo-t-billing-app-tasks-missing"]["Metrics"]] == ["running", "desired", "missing"]
    tags = aws("cloudwatch").list_tags_for_resource(ResourceARN=one["AlarmArn"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == dict(OWNER, Component="observability")
    again = run_module(metric_alarms, args(alarms), check=True, diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert run_module(metric_alarms, args(alarms))["changed"] is False


def test_threshold_change_and_removal_of_unwanted(aws, run_module):
    run_module(metric_alarms, args([cpu("billing-app"), cpu("rabbitmq")]))
    # An alarm of another tool under the same prefix, without the owner tags, is left alone.
    aws("cloudwatch").put_metric_alarm(AlarmName="demo-t-handmade", Namespace="AWS/EC2", MetricName="CPUUtilization",
                                       Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=1,
                                       ComparisonOperator="GreaterThanThreshold")
    result = run_module(metric_alarms, args([cpu("billing-app", threshold=70)]), diff=True)
    assert sorted(result["changes"]) == ["delete demo-t-rabbitmq-cpu-high", "update demo-t-billing-app-cpu-high"]
    found = described(aws)
    assert set(found) == {"demo-t-billing-app-cpu-high", "demo-t-handmade"}
    assert found["demo-t-billing-app-cpu-high"]["Threshold"] == 70.0
    assert result["diff"]["before"]["demo-t-billing-app-cpu-high"]["Threshold"] == 85.0
    assert run_module(metric_alarms, args([cpu("billing-app", threshold=70)]))["changed"] is False


def test_tags_converge(aws, run_module):
    run_module(metric_alarms, args([cpu("billing-app")]))
    result = run_module(metric_alarms, args([cpu("billing-app")], tags=dict(OWNER, Component="observability", Team="ops")))
    assert result["changes"] == ["tags of demo-t-billing-app-cpu-high"]
    arn = described(aws)["demo-t-billing-app-cpu-high"]["AlarmArn"]
    assert {t["Key"]: t["Value"] for t in aws("cloudwatch").list_tags_for_resource(ResourceARN=arn)["Tags"]}["Team"] == "ops"


def test_absent_removes_the_set(aws, run_module):
    run_module(metric_alarms, args([cpu("billing-app"), latency()]))
    assert run_module(metric_alarms, args([], state="absent"), check=True)["changed"] is True
    assert len(described(aws)) == 2
    gone = run_module(metric_alarms, args([], state="absent"))
    assert sorted(gone["changes"]) == ["delete demo-t-api-latency-p99", "delete demo-t-billing-app-cpu-high"]
    assert described(aws) == {}
    assert run_module(metric_alarms, args([], state="absent"))["changed"] is False


@pytest.mark.parametrize("alarm, message", [
    (dict(cpu("x"), name="other-x-cpu"), "does not start with prefix demo-t-"),
    (dict(cpu("x"), statistic="Median"), "statistic Median"),
    (dict(cpu("x"), period=45), "period 45"),
    (dict(cpu("x"), metrics=[{"Id": "a", "Expression": "1"}]), "either namespace"),
    (dict(cpu("x"), datapoints_to_alarm=9), "datapoints_to_alarm"),
])
def test_bad_input(aws, run_module, alarm, message):
    with pytest.raises(ModuleFail) as failed:
        run_module(metric_alarms, args([alarm]))
    assert message in failed.value.result["msg"]
    assert described(aws) == {}


def test_duplicate_names_refused(aws, run_module):
    with pytest.raises(ModuleFail) as failed:
        run_module(metric_alarms, args([cpu("x"), cpu("x")]))
    assert "named twice: demo-t-x-cpu-high" in failed.value.result["msg"]
