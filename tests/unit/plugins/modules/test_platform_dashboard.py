"""platform_dashboard against moto: generated from what is deployed, compared as data, check mode, removal."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import platform_dashboard

from ...conftest import ModuleFail

NLB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/demo-t-inventory/50dc6c495c0c9188"
TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-t-inventory/73e2d6bc24d8a067"


def args(**extra):
    return dict({
        "name": "demo-t", "title": "demo t", "cluster": "demo-t-cluster",
        "services": [{"name": "inventory-app", "load_balancer_arn": NLB, "target_group_arn": TG},
                     {"name": "billing-app"}, {"name": "rabbitmq", "role": "queue"}],
        "databases": [{"identifier": "demo-t-inventory-db"}, {"identifier": "billing-db", "kind": "container"}],
        "http_api_id": "a1b2c3",
    }, **extra)


def body(aws):
    return json.loads(aws("cloudwatch").get_dashboard(DashboardName="demo-t")["DashboardBody"])


def titles(dashboard):
    return [w["properties"].get("title") for w in dashboard["widgets"] if w["type"] == "metric"]


def test_check_create_rerun(aws, run_module):
    assert run_module(platform_dashboard, args(), check=True)["changed"] is True
    assert aws("cloudwatch").list_dashboards()["DashboardEntries"] == []
    made = run_module(platform_dashboard, args())
    assert made["changed"] is True
    assert made["dashboard"]["rows"] == ["header", "inventory-app", "billing-app", "rabbitmq (queue)", "demo-t-inventory-db",
                                         "billing-db", "HTTP API a1b2c3"]
    got = body(aws)
    # Written out by hand: a header, then each row's graphs (a service behind a balancer has its targets, an Aurora
    # database its connections and lag, a database container the graphs of a service, the HTTP API its four).
    assert [w["type"] for w in got["widgets"]] == ["text"] + ["metric"] * 21
    assert made["dashboard"]["widgets"] == 22
    assert titles(got) == [
        "inventory-app CPU %", "inventory-app memory %", "inventory-app running tasks", "inventory-app targets",
        "billing-app CPU %", "billing-app memory %", "billing-app running tasks",
        "rabbitmq (queue) CPU %", "rabbitmq (queue) memory %", "rabbitmq (queue) running tasks",
        "demo-t-inventory-db CPU %", "demo-t-inventory-db freeable memory", "demo-t-inventory-db connections",
        "demo-t-inventory-db replica lag (ms)",
        "billing-db CPU %", "billing-db memory %", "billing-db running tasks",
        "API requests", "API 4xx", "API 5xx", "API latency p99 (ms)"]
    widget = {w["properties"]["title"]: w["properties"] for w in got["widgets"] if w["type"] == "metric"}
    assert widget["inventory-app CPU %"]["metrics"] == [["AWS/ECS", "CPUUtilization", "ClusterName", "demo-t-cluster",
                                                         "ServiceName", "inventory-app"]]
    assert widget["inventory-app targets"]["metrics"][0] == [
        "AWS/NetworkELB", "HealthyHostCount", "TargetGroup", "targetgroup/demo-t-inventory/73e2d6bc24d8a067",
        "LoadBalancer", "net/demo-t-inventory/50dc6c495c0c9188"]
    assert widget["API latency p99 (ms)"]["stat"] == "p99"
    assert widget["billing-db CPU %"]["metrics"][0][:2] == ["AWS/ECS", "CPUUtilization"]
    assert run_module(platform_dashboard, args())["changed"] is False


def test_a_service_turned_off_leaves_the_dashboard(aws, run_module):
    run_module(platform_dashboard, args())
    fewer = args(services=[{"name": "inventory-app"}], databases=[], http_api_id=None)
    result = run_module(platform_dashboard, fewer, diff=True)
    assert result["changed"] is True and result["dashboard"]["rows"] == ["header", "inventory-app"]
    assert len(result["diff"]["before"]["widgets"]) == 22 and len(result["diff"]["after"]["widgets"]) == 4
    assert not [t for t in titles(body(aws)) if "billing" in t or "API" in t]
    assert run_module(platform_dashboard, fewer, check=True)["changed"] is False


def test_bad_input_and_absent(aws, run_module):
    with pytest.raises(ModuleFail, match="dashboard name has"):
        run_module(platform_dashboard, args(name="demo t"))
    with pytest.raises(ModuleFail, match="period 90"):
        run_module(platform_dashboard, args(period=90))
    with pytest.raises(ModuleFail, match="cluster is required"):
        run_module(platform_dashboard, args(cluster=None))
    run_module(platform_dashboard, args())
    assert run_module(platform_dashboard, args(state="absent"), check=True)["changed"] is True
    assert run_module(platform_dashboard, args(state="absent"))["changed"] is True
    assert aws("cloudwatch").list_dashboards()["DashboardEntries"] == []
    assert run_module(platform_dashboard, args(state="absent"))["changed"] is False
