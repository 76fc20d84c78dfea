"""load_balancers against moto: NLBs with TCP/TLS listeners, an ALB with redirect and WAF, removal."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import acm_certificate as acm_mod
from ansible_collections.cloud_design.platform.plugins.modules import load_balancers as lb_mod

from ...conftest import ModuleFail


@pytest.fixture
def vpc(aws):
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone="eu-west-1" + az)["Subnet"]["SubnetId"]
               for i, az in enumerate("ab")]
    group = ec2.create_security_group(GroupName="lb", Description="lb", VpcId=vpc_id)["GroupId"]
    return {"id": vpc_id, "subnets": subnets, "group": group}


def nlb(vpc, **extra):
    spec = {"name": "demo-t-inventory", "subnets": vpc["subnets"], "security_group_ids": [vpc["group"]],
            "target_groups": [{"name": "demo-t-inventory", "port": 8080,
                               "health_check": {"protocol": "HTTP", "path": "/api/movies", "interval": 10,
                                                "healthy_threshold": 3, "unhealthy_threshold": 3}}],
            "listeners": [{"port": 8080, "target_group": "demo-t-inventory"}]}
    spec.update(extra)
    return spec


def args(vpc, *balancers, **extra):
    return dict({"vpc_id": vpc["id"], "load_balancers": list(balancers) or [nlb(vpc)], "tags": {"Project": "demo"}}, **extra)


def described(aws, name):
    elb = aws("elbv2")
    lb = elb.describe_load_balancers(Names=[name])["LoadBalancers"][0]
    attrs = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
    listeners = {li["Port"]: li for li in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    return lb, attrs, listeners


def test_check_mode_creates_nothing(aws, run_module, vpc):
    result = run_module(lb_mod, args(vpc), check=True, diff=True)
    assert result["changed"] is True and "create network load balancer demo-t-inventory" in result["changes"]
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []


def test_nlb_create_rerun_update(aws, run_module, vpc):
    made = run_module(lb_mod, args(vpc))
    assert made["changed"] is True
    lb, attrs, listeners = described(aws, "demo-t-inventory")
    assert lb["Type"] == "network" and lb["Scheme"] == "internal" and lb["SecurityGroups"] == [vpc["group"]]
    assert attrs["load_balancing.cross_zone.enabled"] == "true"
    tg = aws("elbv2").describe_target_groups(Names=["demo-t-inventory"])["TargetGroups"][0]
    assert (tg["TargetType"], tg["Protocol"], tg["Port"], tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"]) == ("ip", "TCP", 8080, "/api/movies", 10)
    tg_attrs = {a["Key"]: a["Value"] for a in aws("elbv2").describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}
    assert tg_attrs["deregistration_delay.timeout_seconds"] == "30"
    assert listeners[8080]["Protocol"] == "TCP" and listeners[8080]["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
    again = run_module(lb_mod, args(vpc), diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    # One attribute: the health check path.
    spec = nlb(vpc)
    spec["target_groups"][0]["health_check"]["path"] = "/health"
    changed = run_module(lb_mod, args(vpc, spec))
    assert changed["changes"] == ["update health check of demo-t-inventory: ['HealthCheckPath']"]
    assert aws("elbv2").describe_target_groups(Names=["demo-t-inventory"])["TargetGroups"][0]["HealthCheckPath"] == "/health"


def test_tls_listener_replaces_tcp(aws, run_module, vpc):
    run_module(lb_mod, args(vpc))
    cert = run_module(acm_mod, {"name": "c", "domain_name": "api.demo.test", "source": "self_signed"})["certificate"]["arn"]
    spec = nlb(vpc, listeners=[{"port": 443, "protocol": "TLS", "certificate_arn": cert, "target_group": "demo-t-inventory"}])
    result = run_module(lb_mod, args(vpc, spec))
    assert sorted(result["changes"]) == ["create listener demo-t-inventory/443", "remove listener demo-t-inventory/8080"]
    listeners = described(aws, "demo-t-inventory")[2]
    assert list(listeners) == [443]
    assert listeners[443]["Protocol"] == "TLS" and listeners[443]["Certificates"][0]["CertificateArn"] == cert
    assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert run_module(lb_mod, args(vpc, spec))["changed"] is False
    with pytest.raises(ModuleFail, match="needs certificate_arn"):
        run_module(lb_mod, args(vpc, nlb(vpc, listeners=[{"port": 443, "protocol": "TLS", "target_group": "demo-t-inventory"}])))


def test_alb_redirect_waf_and_access_logs(aws, run_module, vpc):
    cert = run_module(acm_mod, {"name": "c", "domain_name": "api.demo.test", "source": "self_signed"})["certificate"]["arn"]
    vc = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "m"}
    acl = aws("wafv2").create_web_acl(Name="demo-t", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=vc)["Summary"]["ARN"]
    # The endpoint checks the bucket as Elastic Load Balancing does: it exists and lets log delivery write.
    aws("s3").create_bucket(Bucket="logs-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    aws("s3").put_bucket_policy(Bucket="logs-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::logs-bucket/alb/AWSLogs/123456789012/*"}]}))
    alb = {"name": "demo-t-edge", "type": "application", "scheme": "internet-facing", "subnets": vpc["subnets"],
           "security_group_ids": [vpc["group"]], "web_acl_arn": acl, "access_logs": {"bucket": "logs-bucket", "prefix": "alb"},
           "target_groups": [{"name": "demo-t-edge", "protocol": "HTTP", "port": 3000, "health_check": {"path": "/", "matcher": "200-499"}}],
           "listeners": [{"port": 443, "protocol": "HTTPS", "certificate_arn": cert, "target_group": "demo-t-edge"},
                         {"port": 80, "protocol": "HTTP", "redirect": {"protocol": "HTTPS", "port": 443}}]}
    assert run_module(lb_mod, args(vpc, alb))["changed"] is True
    lb, attrs, listeners = described(aws, "demo-t-edge")
    assert lb["Scheme"] == "internet-facing"
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true" and attrs["access_logs.s3.bucket"] == "logs-bucket"
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"] == {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    assert listeners[443]["Protocol"] == "HTTPS"
    assert aws("wafv2").get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]["ARN"] == acl
    assert run_module(lb_mod, args(vpc, alb))["changed"] is False
    alb["web_acl_arn"] = ""
    assert run_module(lb_mod, args(vpc, alb))["changes"] == ["web ACL of demo-t-edge"]
    assert "WebACL" not in aws("wafv2").get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])


def test_immutable_and_bad_input(aws, run_module, vpc):
    run_module(lb_mod, args(vpc))
    spec = nlb(vpc)
    spec["target_groups"][0]["port"] = 9090
    with pytest.raises(ModuleFail, match="cannot change these in place"):
        run_module(lb_mod, args(vpc, spec))
    with pytest.raises(ModuleFail, match="not among this load balancer's target_groups"):
        run_module(lb_mod, args(vpc, nlb(vpc, name="demo-t-other", listeners=[{"port": 1, "target_group": "nope"}])))
    with pytest.raises(ModuleFail, match="longer than 32"):
        run_module(lb_mod, args(vpc, nlb(vpc, name="x" * 33)))


def test_absent_and_deletion_protection(aws, run_module, vpc):
    run_module(lb_mod, args(vpc, nlb(vpc, deletion_protection=True)))
    with pytest.raises(ModuleFail, match="deletion protection"):
        run_module(lb_mod, args(vpc, nlb(vpc), state="absent"))
    run_module(lb_mod, args(vpc))
    assert run_module(lb_mod, args(vpc, state="absent"), check=True)["changed"] is True
    assert len(aws("elbv2").describe_load_balancers()["LoadBalancers"]) == 1
    assert run_module(lb_mod, args(vpc, state="absent"))["changed"] is True
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []
    assert run_module(lb_mod, args(vpc, state="absent"))["changed"] is False


def test_lost_create_answers_make_each_part_once(aws, run_module, vpc, lose_answers):
    """CreateTargetGroup, CreateLoadBalancer and CreateListener carried out, their answers lost: each adopted, nothing made twice."""
    lose_answers.update(create_target_group=1, create_load_balancer=1, create_listener=1)
    assert run_module(lb_mod, args(vpc))["changed"] is True
    assert lose_answers == {"create_target_group": 0, "create_load_balancer": 0, "create_listener": 0}
    elb = aws("elbv2")
    assert [lb["LoadBalancerName"] for lb in elb.describe_load_balancers()["LoadBalancers"]] == ["demo-t-inventory"]
    assert [tg["TargetGroupName"] for tg in elb.describe_target_groups()["TargetGroups"]] == ["demo-t-inventory"]
    _lb, _attrs, listeners = described(aws, "demo-t-inventory")
    assert list(listeners) == [8080]
    assert run_module(lb_mod, args(vpc))["changed"] is False


def test_a_rerun_reads_every_balancer_at_once_and_each_thing_once(aws, run_module, vpc, slow_calls):
    alb = nlb(vpc, name="demo-t-public", type="application", scheme="internet-facing",
              target_groups=[{"name": "demo-t-public", "port": 80, "protocol": "HTTP", "health_check": {"path": "/"}}],
              listeners=[{"port": 80, "protocol": "HTTP", "target_group": "demo-t-public"}])
    balancers = [nlb(vpc), nlb(vpc, name="demo-t-billing", target_groups=[{"name": "demo-t-billing", "port": 8080}],
                               listeners=[{"port": 8080, "target_group": "demo-t-billing"}]), alb]
    run_module(lb_mod, args(vpc, *balancers))
    slow_calls.start()
    assert run_module(lb_mod, args(vpc, *balancers))["changed"] is False
    calls = slow_calls.calls
    assert calls.count("DescribeListeners") == 3, calls  # once per load balancer (was twice)
    assert slow_calls.most >= 6, slow_calls.most  # the three balancers and three target groups at once
