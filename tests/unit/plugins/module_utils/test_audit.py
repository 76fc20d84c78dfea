"""The audit rules of verify.yml and the architecture graph, on pure data."""

import copy

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils.audit import (
    check_run_changes,
    finding_line,
    key_id,
    platform_audit,
)
from ansible_collections.cloud_design.platform.plugins.module_utils.diagram import platform_dot, platform_graph, platform_mermaid

KMS = {p: {"alias": "alias/d-t-%s" % p, "key_id": "k-%s" % p, "arn": "arn:aws:kms:eu-west-1:1:key/k-%s" % p, "rotation": True}
       for p in ("logs", "data", "secrets")}
TG = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/d-t-inventory/1"
LB = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/d-t-inventory/1"
ALB = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/d-t-edge/2"
ALB_TG = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/d-t-edge/2"


def healthy_platform():
    return {
        "names": {"prefix": "d-t", "cluster": "d-t-cluster", "kms_alias_prefix": "alias/d-t-"},
        "account": {"account_id": "1", "region": "eu-west-1"},
        "network": {"vpc": {"id": "vpc-1", "cidr": "10.0.0.0/16"},
                    "subnets": {"public": [{"az": "eu-west-1a", "cidr": "10.0.0.0/20"}], "private": [{"az": "eu-west-1a", "cidr": "10.0.128.0/20"}]},
                    "nat_gateways": [{"id": "nat-1"}],
                    "flow_logs": [{"id": "fl-1", "log_group_name": "/d/t/vpc-flow-logs", "traffic_type": "ALL", "status": "ACTIVE"}]},
        "ecs": {"cluster": {"name": "d-t-cluster"}},
        "kms": copy.deepcopy(KMS),
        "logs": {"/d/t/ecs/inventory-app": {"kms_key_id": KMS["logs"]["arn"]}, "/d/t/cloudtrail": {"kms_key_id": KMS["logs"]["arn"]}},
        "secrets": {"d-t/inventory-db": {"kms_key_id": KMS["secrets"]["arn"]}},
        "workloads": {"inventory-app": {"desired_count": 2, "running_count": 2, "security_groups": ["sg-app"], "load_balancers": [TG]},
                      "api-gateway": {"desired_count": 1, "running_count": 1, "security_groups": ["sg-gw"], "load_balancers": [ALB_TG]}},
        "databases": {"d-t-inventory-db": {"encrypted": True, "kms_key_id": KMS["data"]["arn"], "engine": "aurora-postgresql",
                                           "security_groups": ["sg-db"], "members": [{"id": "d-t-inventory-db-1", "writer": True}]}},
        "storage": {"d-t-rabbitmq": {"encrypted": True, "kms_key_id": KMS["data"]["arn"]}},
        "edge": {"load_balancers": {"d-t-inventory": {"arn": LB, "type": "network", "scheme": "internal", "security_groups": ["sg-lb"],
                                                      "listeners": {"443": {"protocol": "TLS"}, "8080": {"protocol": "TCP"}}},
                                    "d-t-edge": {"arn": ALB, "type": "application", "scheme": "internet-facing", "security_groups": ["sg-edge"],
                                                 "listeners": {"443": {"protocol": "HTTPS"}, "80": {"protocol": "HTTP"}}}},
                 "target_groups": {"d-t-inventory": {"arn": TG}, "d-t-edge": {"arn": ALB_TG}},
                 "http_api": {"id": "a1", "endpoint": "https://a1.execute-api.eu-west-1.amazonaws.com",
                              "domains": {"shop.example.com": {"security_policy": "TLS_1_2"}}},
                 "certificate": {"status": "ISSUED"}, "web_acl": {"name": "d-t-edge"}},
        "observability": {"topic": {"arn": "arn:aws:sns:eu-west-1:1:d-t-alerts", "kms_key_id": "alias/d-t-logs"},
                          "trail": {"name": "d-t-trail", "bucket": "d-t-trail-1-eu-west-1", "logging": True, "multi_region": True,
                                    "log_file_validation": True},
                          "alarms": []},
        "audit": {"open_ingress": [{"group_id": "sg-edge", "group_name": "d-t-lb-edge", "protocol": "tcp", "from_port": 443, "to_port": 443,
                                    "cidr": "0.0.0.0/0"}],
                  "group_rules": [{"to": "sg-app", "from": "sg-lb", "protocol": "tcp", "from_port": 8080, "to_port": 8080},
                                  {"to": "sg-app", "from": "sg-lb", "protocol": "tcp", "from_port": 8080, "to_port": 8080},
                                  {"to": "sg-db", "from": "sg-app", "protocol": "tcp", "from_port": 5432, "to_port": 5432},
                                  {"to": "sg-gw", "from": "sg-edge", "protocol": "tcp", "from_port": 3000, "to_port": 3000}],
                  "target_health": {"d-t-inventory": {"total": 2, "healthy": 2, "states": {"healthy": 2}}},
                  "ecr_encryption": {"d-t/inventory-app": {"type": "KMS", "kms_key": KMS["data"]["arn"]}},
                  "trail_bucket_encryption": {"algorithm": "aws:kms", "kms_key": KMS["logs"]["arn"]},
                  "inspector2": {"account": "ENABLED", "resources": {"ECR": "ENABLED", "EC2": "ENABLED"}}},
    }


def with_alarms(found):
    """The alarms the observability role would make for it, present."""
    from ansible_collections.cloud_design.platform.plugins.module_utils.observability import observability_plan
    found["observability"]["alarms"] = sorted(a["name"] for a in observability_plan(found, "d-t", "d-t-cluster", {}, True, "/d/t/cloudtrail")["alarms"])
    return found


EXPECT = {"domain": "shop.example.com", "internal_tls": True, "trail_log_group": "/d/t/cloudtrail"}


def failed(findings):
    return [(f["check"], f["subject"]) for f in findings if f["status"] == "fail"]


def test_a_platform_built_as_designed_passes_every_check():
    findings = platform_audit(with_alarms(healthy_platform()), EXPECT, [])
    assert failed(findings) == []
    checks = {f["check"] for f in findings}
    assert checks == {"platform", "service_desired", "service_running", "target_health", "edge_tls", "encryption", "inspector2",
                      "flow_logs", "cloudtrail", "alarms", "open_to_world", "drift"}
    encryption = {f["subject"] for f in findings if f["check"] == "encryption"}
    assert encryption == {"Aurora d-t-inventory-db", "secret d-t/inventory-db", "EFS d-t-rabbitmq", "log group /d/t/ecs/inventory-app",
                          "log group /d/t/cloudtrail", "ECR d-t/inventory-app", "SNS d-t-alerts", "S3 d-t-trail-1-eu-west-1"}
    assert [f["detail"] for f in findings if f["check"] == "open_to_world"] == ["tcp 443 open to 0.0.0.0/0 (the public edge)"]


def test_each_break_is_named_with_its_fix():
    found = with_alarms(healthy_platform())
    found["workloads"]["inventory-app"].update(desired_count=0, running_count=0)
    found["logs"]["/d/t/ecs/inventory-app"]["kms_key_id"] = None
    found["audit"]["open_ingress"].append({"group_id": "sg-app", "group_name": "d-t-inventory-app", "protocol": "tcp", "from_port": 22,
                                           "to_port": 22, "cidr": "0.0.0.0/0"})
    found["audit"]["open_ingress"].append({"group_id": "sg-edge", "group_name": "d-t-lb-edge", "protocol": "-1", "from_port": None,
                                           "to_port": None, "cidr": "::/0"})
    found["databases"]["d-t-inventory-db"].update(encrypted=False, kms_key_id=None)
    found["secrets"]["d-t/inventory-db"]["kms_key_id"] = "alias/aws/secretsmanager"
    found["audit"]["target_health"]["d-t-inventory"] = {"total": 2, "healthy": 1, "states": {"healthy": 1, "unhealthy": 1}}
    found["edge"]["load_balancers"]["d-t-edge"]["listeners"]["8443"] = {"protocol": "HTTP"}
    found["edge"]["load_balancers"]["d-t-inventory"]["listeners"] = {"8080": {"protocol": "TCP"}}
    found["audit"]["inspector2"]["resources"]["EC2"] = "DISABLED"
    found["network"]["flow_logs"] = []
    found["observability"]["trail"]["logging"] = False
    found["observability"]["alarms"].remove("d-t-inventory-app-cpu-high")
    drift = [{"role": "network", "task": "Subnets", "detail": "create subnet"},
             {"role": "workload", "task": "Service inventory-app", "detail": "desiredCount"}]
    findings = platform_audit(found, EXPECT, drift)
    assert failed(findings) == [
        ("service_desired", "inventory-app"), ("service_running", "inventory-app"), ("target_health", "d-t-inventory"),
        ("edge_tls", "d-t-edge"), ("edge_tls", "d-t-inventory"),
        ("encryption", "Aurora d-t-inventory-db"), ("encryption", "secret d-t/inventory-db"), ("encryption", "log group /d/t/ecs/inventory-app"),
        ("inspector2", "account"), ("flow_logs", "vpc-1"), ("cloudtrail", "d-t-trail"), ("alarms", "%d alarms" % (len(found["observability"]["alarms"]) + 1)),
        ("open_to_world", "d-t-inventory-app (sg-app)"), ("open_to_world", "d-t-lb-edge (sg-edge)"), ("drift", "network"), ("drift", "workload")]
    lines = [finding_line(f) for f in findings if f["status"] == "fail"]
    assert "service_desired inventory-app: desired count 0. Fix: the service is scaled to zero" in lines[0]
    assert any("encryption secret d-t/inventory-db: encrypted with alias/aws/secretsmanager, not the platform's secrets key" in x for x in lines)
    assert any("migrate_aurora_kms.yml" in x for x in lines)
    assert any("all ports open to ::/0" in x for x in lines)
    assert any("missing: d-t-inventory-app-cpu-high" in x for x in lines)
    assert lines[-1].endswith("--tags rabbitmq,service_inventory,service_billing,api_gateway")
    assert "--tags network" in lines[-2]


def test_skipped_checks_are_reported_not_failed():
    found = with_alarms(healthy_platform())
    found["workloads"]["inventory-app"]["running_count"] = 0
    found["audit"]["target_health"]["d-t-inventory"] = {"total": 0, "healthy": 0, "states": {}}
    findings = platform_audit(found, dict(EXPECT, skip=["service_running", "target_health"]), None)
    assert failed(findings) == []
    skipped = [(f["check"], f["subject"]) for f in findings if f["status"] == "skipped"]
    assert ("service_running", "inventory-app") in skipped and ("target_health", "d-t-inventory") in skipped
    assert not [f for f in findings if f["check"] == "drift"]  # drift not asked (None)


def test_switches_turned_off_are_not_checked():
    found = with_alarms(healthy_platform())
    found["network"]["flow_logs"] = []
    found["observability"]["trail"] = {}
    found["audit"]["inspector2"] = {"account": "DISABLED", "resources": {}}
    found["edge"]["load_balancers"]["d-t-inventory"]["listeners"] = {"8080": {"protocol": "TCP"}}
    found["observability"]["alarms"] = [a for a in found["observability"]["alarms"] if "root-use" not in a]
    findings = platform_audit(found, {"flow_logs": False, "cloudtrail": False, "inspector2": False, "internal_tls": False}, [])
    assert failed(findings) == []


def test_nothing_deployed_fails_once_with_the_way_to_deploy():
    findings = platform_audit({"names": {"prefix": "d-t"}, "network": {"vpc": {}}, "ecs": {"cluster": {}}}, {}, [])
    assert failed(findings) == [("platform", "d-t")]
    assert "ansible-playbook playbooks/site.yml" in findings[0]["fix"]


@pytest.mark.parametrize("ref, expected", [
    ("arn:aws:kms:eu-west-1:1:key/k-data", "k-data"), ("alias/d-t-logs", "k-logs"), ("arn:aws:kms:eu-west-1:1:alias/d-t-secrets", "k-secrets"),
    ("k-data", "k-data"), (None, None), ("alias/aws/secretsmanager", "alias/aws/secretsmanager")])
def test_key_references_resolve_to_key_ids(ref, expected):
    assert key_id(ref, KMS) == expected


def test_check_run_changes_reads_the_json_callback():
    data = {"plays": [{"tasks": [
        {"task": {"name": "cloud_design.platform.network : Subnets"}, "hosts": {"h": {"changed": True, "changes": ["create subnet a"]}}},
        {"task": {"name": "cloud_design.platform.network : VPC"}, "hosts": {"h": {"changed": False}}},
        {"task": {"name": "cloud_design.platform.workload : Service"}, "hosts": {"h": {"results": [
            {"changed": True, "_ansible_item_label": "billing-app"}, {"changed": False, "item": "x"}]}}}]}]}
    assert check_run_changes(data) == [
        {"role": "network", "task": "Subnets", "item": None, "kind": "create", "detail": "create subnet a"},
        {"role": "workload", "task": "Service", "item": "billing-app", "kind": "change", "detail": ""}]
    assert check_run_changes({}) == []


def test_the_graph_shows_traffic_security_boundaries_and_encryption():
    found = healthy_platform()
    graph = platform_graph(found)
    edges = {(e["from"], e["to"], e["label"], e["kind"]) for e in graph["edges"]}
    assert ("internet", "http_api", "HTTPS", "traffic") in edges
    assert ("internet", "lb_edge", "HTTPS 443, HTTP 80", "traffic") in edges
    assert ("lb_inventory", "svc_inventory_app", "target group", "traffic") in edges
    assert ("lb_inventory", "svc_inventory_app", "SG allows 8080", "allowed") in edges  # the duplicate rule drawn once
    assert ("svc_inventory_app", "db_inventory_db", "SG allows 5432", "allowed") in edges
    assert ("waf", "lb_edge", "filters", "allowed") in edges
    assert graph["nodes"]["db_inventory_db"]["group"] == "private" and "KMS data key" in graph["nodes"]["db_inventory_db"]["label"]
    assert graph["nodes"]["lb_edge"]["group"] == "public"
    assert graph["nodes"]["svc_inventory_app"]["group"] == "ecs" and graph["groups"]["ecs"]["parent"] == "private"
    found["databases"]["d-t-inventory-db"]["encrypted"] = False
    assert "NOT ENCRYPTED" in platform_graph(found)["nodes"]["db_inventory_db"]["label"]


def test_dot_and_mermaid_name_every_node():
    found = healthy_platform()
    dot, mermaid = platform_dot(found, "d-t in eu-west-1"), platform_mermaid(found)
    assert dot.startswith("digraph platform {") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    assert "subgraph cluster_vpc" in dot and "subgraph cluster_ecs" in dot
    assert mermaid.startswith("flowchart LR")
    for name in ("inventory-app", "api-gateway", "d-t-inventory-db", "d-t-edge", "shop.example.com"):
        assert name in dot and name in mermaid
    assert mermaid.count("subgraph") == mermaid.count("\n  end") + mermaid.count("\n    end") + mermaid.count("\n      end") + mermaid.count("\n        end")
