"""observability_plan: what is watched follows what is deployed, and nothing else."""

from ansible_collections.cloud_design.platform.plugins.module_utils.observability import observability_plan
from tests.support.cis import CONTROLS, recognises

PREFIX = "demo-t"
NLB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/demo-t-inventory/0123456789abcdef"
TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-t-inventory/fedcba9876543210"
ALB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/demo-t-edge/1111111111111111"
ALB_TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-t-edge/2222222222222222"


def found(**extra):
    base = {
        "workloads": {"inventory-app": {"load_balancers": [TG]}, "rabbitmq": {"load_balancers": []},
                      "api-gateway": {"load_balancers": [ALB_TG]}},
        "databases": {"demo-t-inventory-db": {"members": [{"id": "a", "writer": True}, {"id": "b", "writer": False}]},
                      "demo-t-billing-db": {"members": [{"id": "c", "writer": True}]}},
        "edge": {"load_balancers": {"demo-t-inventory": {"arn": NLB, "type": "network"},
                                    "demo-t-edge": {"arn": ALB, "type": "application"}},
                 "target_groups": {"demo-t-inventory": {"arn": TG}, "demo-t-edge": {"arn": ALB_TG}},
                 "http_api": {"id": "abc123"}},
    }
    base.update(extra)
    return base


def names(plan):
    return sorted(a["name"] for a in plan["alarms"])


def test_everything_deployed_is_watched():
    plan = observability_plan(found(), PREFIX, "demo-t-cluster")
    alarms = {a["name"]: a for a in plan["alarms"]}
    for service in ("inventory-app", "rabbitmq", "api-gateway"):
        for kind in ("cpu-high", "memory-high", "tasks-missing"):
            assert "demo-t-%s-%s" % (service, kind) in alarms
    assert alarms["demo-t-inventory-unhealthy-hosts"]["namespace"] == "AWS/NetworkELB"
    assert alarms["demo-t-inventory-unhealthy-hosts"]["dimensions"] == {
        "LoadBalancer": "net/demo-t-inventory/0123456789abcdef", "TargetGroup": "targetgroup/demo-t-inventory/fedcba9876543210"}
    assert alarms["demo-t-edge-unhealthy-hosts"]["namespace"] == "AWS/ApplicationELB"
    # replica lag only where the cluster has a reader
    assert "demo-t-inventory-db-replica-lag" in alarms and "demo-t-billing-db-replica-lag" not in alarms
    assert alarms["demo-t-billing-db-memory-low"]["threshold"] == 256 * 1024 * 1024
    assert alarms["demo-t-billing-db-memory-low"]["comparison"] == "LessThanThreshold"
    assert alarms["demo-t-api-latency-p99"]["statistic"] == "p99"
    assert alarms["demo-t-api-5xx-rate"]["metrics"][-1]["Expression"] == "100 * errors / requests"
    assert len([n for n in alarms if n.startswith("demo-t-trail-")]) == 15
    assert len(alarms) == 9 + 2 + 7 + 2 + 15
    rows = {r["name"]: r for r in plan["services"]}
    assert rows["rabbitmq"] == {"name": "rabbitmq", "role": "queue"}
    assert rows["inventory-app"]["load_balancer_arn"] == NLB and rows["inventory-app"]["load_balancer_type"] == "network"
    assert rows["api-gateway"]["load_balancer_type"] == "application"
    assert plan["databases"] == [{"identifier": "demo-t-billing-db", "kind": "aurora"},
                                 {"identifier": "demo-t-inventory-db", "kind": "aurora"}]
    assert plan["http_api_id"] == "abc123" and len(plan["trail_filters"]) == 15


def test_nothing_deployed_nothing_watched_but_the_trail():
    plan = observability_plan({}, PREFIX, "demo-t-cluster")
    assert names(plan) == ["demo-t-trail-" + key for key in (
        "cloudtrail-changes", "config-changes", "console-auth-failures", "console-signin-without-mfa", "iam-policy-changes",
        "kms-key-disabled-or-deleted", "network-acl-changes", "network-gateway-changes", "organizations-changes",
        "root-use", "route-table-changes", "s3-bucket-policy-changes", "security-group-changes", "unauthorized-calls",
        "vpc-changes")]
    assert plan["services"] == [] and plan["databases"] == [] and plan["http_api_id"] is None
    assert observability_plan({}, PREFIX, "demo-t-cluster", trail=False)["alarms"] == []


def test_a_service_gone_loses_its_alarms_and_row():
    full = observability_plan(found(), PREFIX, "demo-t-cluster")
    less = found()
    del less["workloads"]["rabbitmq"]
    plan = observability_plan(less, PREFIX, "demo-t-cluster")
    assert sorted(set(names(full)) - set(names(plan))) == ["demo-t-rabbitmq-cpu-high", "demo-t-rabbitmq-memory-high",
                                                           "demo-t-rabbitmq-tasks-missing"]
    assert "rabbitmq" not in [r["name"] for r in plan["services"]]


def test_database_containers_are_watched_as_services():
    plan = observability_plan(found(workloads={"inventory-db": {}}, databases={}), PREFIX, "demo-t-cluster")
    assert plan["databases"] == [{"identifier": "inventory-db", "kind": "container"}]
    assert "demo-t-inventory-db-cpu-high" in names(plan) and plan["services"] == []


def test_thresholds_replace_the_defaults():
    plan = observability_plan(found(), PREFIX, "demo-t-cluster", {"service_cpu_percent": 60, "service_minutes": 10})
    cpu = [a for a in plan["alarms"] if a["name"] == "demo-t-rabbitmq-cpu-high"][0]
    assert cpu["threshold"] == 60 and cpu["evaluation_periods"] == 10


def test_the_trail_filters_meet_every_cis_monitoring_control():
    """Each of CIS 4.1-4.15 is met by exactly one filter, whose alarm watches its metric; a filter AWS would refuse
    (a pattern over 1,024 characters, PutMetricFilter's limit) is not planned."""
    plan = observability_plan({}, PREFIX, "demo-t-cluster", trail_log_group="/demo/t/cloudtrail")
    alarms = {(a["namespace"], a["metric_name"]) for a in plan["alarms"]}
    for control in CONTROLS:
        meeting = [f["name"] for f in plan["trail_filters"] if recognises(control, f["pattern"])]
        assert len(meeting) == 1, (control, meeting)
    for f in plan["trail_filters"]:
        assert (f["metric_namespace"], f["metric_name"]) in alarms
        assert len(f["pattern"]) <= 1024 and f["pattern"].count("(") == f["pattern"].count(")")
        assert f["log_group"] == "/demo/t/cloudtrail"


def test_the_cis_check_is_not_fooled():
    """The check itself: a longer event name does not stand for a shorter one, a missing or reordered clause fails."""
    assert recognises("4.13", "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || "
                              "($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
                              "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || "
                              "($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }")
    assert not recognises("4.13", "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRouteTable) || "
                                  "($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
                                  "($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || "
                                  "($.eventName = DisassociateRouteTable)) }")
    assert not recognises("4.7", "{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }")
    assert not recognises("4.2", '{ ($.additionalEventData.MFAUsed != "Yes") && ($.eventName = "ConsoleLogin") }')
    assert recognises("4.3", '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                             '$.eventType != "AwsServiceEvent" }')
