"""platform_info against moto: empty account, a deployed network, ambiguity."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import platform_info

from ...conftest import ModuleFail

TAGS = [{"Key": "Project", "Value": "demo"}, {"Key": "Environment", "Value": "t"}, {"Key": "Component", "Value": "network"}]


def make_vpc(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": TAGS}])["Vpc"]["VpcId"]
    for tier, cidr, az in (("public", "10.9.0.0/20", "eu-west-1a"), ("private", "10.9.128.0/20", "eu-west-1a")):
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az, TagSpecifications=[
            {"ResourceType": "subnet", "Tags": TAGS + [{"Key": "Tier", "Value": tier}, {"Key": "Name", "Value": tier}]}])
    return vpc


def test_empty_account_returns_empty_families(aws, run_module):
    result = run_module(platform_info, {"platform_name": "demo", "platform_env": "t"})
    assert result["changed"] is False
    assert result["network"]["vpc"] == {}
    assert result["ecs"] == {"cluster": {}, "namespace": {}}
    assert result["account"]["availability_zones"][:3] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert result["names"]["cluster"] == "demo-t-cluster"


def test_finds_the_network_by_tags(aws, run_module):
    vpc = make_vpc(aws)
    aws("ecs").create_cluster(clusterName="demo-t-cluster")
    aws("kms").create_alias(AliasName="alias/demo-t-data", TargetKeyId=aws("kms").create_key()["KeyMetadata"]["KeyId"])
    result = run_module(platform_info, {"platform_name": "demo", "platform_env": "t"})
    assert result["network"]["vpc"]["id"] == vpc
    assert [s["cidr"] for s in result["network"]["subnets"]["public"]] == ["10.9.0.0/20"]
    assert [s["cidr"] for s in result["network"]["subnets"]["private"]] == ["10.9.128.0/20"]
    assert result["ecs"]["cluster"]["name"] == "demo-t-cluster"
    assert result["kms"]["data"]["alias"] == "alias/demo-t-data"
    assert result["kms"]["data"]["arn"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")


def test_other_environments_are_not_seen(aws, run_module):
    make_vpc(aws)
    result = run_module(platform_info, {"platform_name": "demo", "platform_env": "other", "include": ["network"]})
    assert result["network"]["vpc"] == {}
    assert "ecs" not in result


def test_two_vpcs_of_one_environment_are_refused(aws, run_module):
    make_vpc(aws)
    make_vpc(aws)
    with pytest.raises(ModuleFail) as err:
        run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["network"]})
    assert "found 2 VPCs tagged Project=demo Environment=t" in err.value.result["msg"]


def test_finds_secrets_services_databases_storage_and_names(aws, run_module):
    vpc = make_vpc(aws)
    aws("ecs").create_cluster(clusterName="demo-t-cluster")
    sd = aws("servicediscovery")
    sd.create_private_dns_namespace(Name="t.demo.internal", Vpc=vpc)
    ns = sd.list_namespaces()["Namespaces"][0]["Id"]
    cname = sd.create_service(Name="inventory-db", NamespaceId=ns,
                              DnsConfig={"RoutingPolicy": "WEIGHTED", "DnsRecords": [{"Type": "CNAME", "TTL": 30}]})["Service"]
    sd.register_instance(ServiceId=cname["Id"], InstanceId="target", Attributes={"AWS_INSTANCE_CNAME": "writer.example"})
    aws("secretsmanager").create_secret(Name="demo-t/inventory-db", SecretString="{}")
    aws("secretsmanager").create_secret(Name="demo-other/inventory-db", SecretString="{}")
    aws("efs").create_file_system(CreationToken="demo-t-rabbitmq", Encrypted=True)
    aws("rds").create_db_cluster(DBClusterIdentifier="demo-t-inventory-db", Engine="aurora-postgresql", MasterUsername="inventory",
                                 MasterUserPassword="a-long-password-1", StorageEncrypted=True)
    subnet = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    aws("ecs").register_task_definition(family="demo-t-inventory-app", containerDefinitions=[{"name": "a", "image": "x", "memory": 512}])
    aws("ecs").create_service(cluster="demo-t-cluster", serviceName="inventory-app", taskDefinition="demo-t-inventory-app", desiredCount=1,
                              networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}})
    result = run_module(platform_info, {"platform_name": "demo", "platform_env": "t",
                                        "include": ["network", "ecs", "secrets", "workloads", "databases", "storage", "discovery"]})
    assert list(result["secrets"]) == ["demo-t/inventory-db"]
    assert result["workloads"]["inventory-app"]["desired_count"] == 1
    assert result["databases"]["demo-t-inventory-db"]["encrypted"] is True
    assert result["storage"]["demo-t-rabbitmq"]["encrypted"] is True
    assert result["discovery"]["inventory-db"] == {"id": cname["Id"], "arn": cname["Arn"], "record_type": "CNAME", "cname": "writer.example"}


def test_edge_family(aws, run_module):
    from ansible_collections.cloud_design.platform.plugins.modules import acm_certificate as acm_mod

    assert run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["edge"]})["edge"] == {
        "load_balancers": {}, "target_groups": {}, "certificate": {}, "web_acl": {}, "http_api": {}, "user_pool": {}}
    vpc = make_vpc(aws)
    ec2, elb = aws("ec2"), aws("elbv2")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    lb = elb.create_load_balancer(Name="demo-t-gateway", Subnets=subnets, Scheme="internal", Type="network")["LoadBalancers"][0]
    tg = elb.create_target_group(Name="demo-t-gateway", Protocol="TCP", Port=3000, VpcId=vpc, TargetType="ip")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=3000,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    elb.create_load_balancer(Name="other-t-gateway", Subnets=subnets, Scheme="internal", Type="network")
    cert, key = acm_mod.self_signed("api.demo.test", ["api.demo.test"], 30)
    arn = aws("acm").import_certificate(Certificate=cert, PrivateKey=key, Tags=[
        {"Key": "Project", "Value": "demo"}, {"Key": "Environment", "Value": "t"}, {"Key": "Name", "Value": "demo-t-edge"}])["CertificateArn"]
    aws("apigatewayv2").create_api(Name="demo-t", ProtocolType="HTTP")
    aws("cognito-idp").create_user_pool(PoolName="demo-t-api")
    edge = run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["edge"]})["edge"]
    assert list(edge["load_balancers"]) == ["demo-t-gateway"]
    assert edge["load_balancers"]["demo-t-gateway"]["listeners"]["3000"]["protocol"] == "TCP"
    assert edge["target_groups"]["demo-t-gateway"]["arn"] == tg["TargetGroupArn"]
    assert edge["certificate"]["arn"] == arn and edge["certificate"]["domain_name"] == "api.demo.test"
    assert edge["http_api"]["id"] and edge["user_pool"]["id"] and edge["web_acl"] == {}


def test_observability_family(aws, run_module):
    empty = run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["observability"]})["observability"]
    assert empty == {"topic": {}, "dashboard": {}, "trail": {}, "budget": {}, "alarms": [], "rules": []}
    topic = aws("sns").create_topic(Name="demo-t-alerts")["TopicArn"]
    aws("sns").create_topic(Name="demo-other-alerts")
    aws("cloudwatch").put_dashboard(DashboardName="demo-t", DashboardBody='{"widgets": []}')
    aws("cloudwatch").put_metric_alarm(AlarmName="demo-t-x-cpu-high", Namespace="AWS/ECS", MetricName="CPUUtilization",
                                       Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=1,
                                       ComparisonOperator="GreaterThanThreshold")
    aws("s3").create_bucket(Bucket="demo-t-trail-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    # The endpoint checks the bucket policy as CloudTrail does (tools/endpoint_rules.py).
    aws("s3").put_bucket_policy(Bucket="demo-t-trail-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": ["s3:GetBucketAcl", "s3:PutObject"],
         "Resource": ["arn:aws:s3:::demo-t-trail-bucket", "arn:aws:s3:::demo-t-trail-bucket/AWSLogs/123456789012/*"]}]}))
    aws("cloudtrail").create_trail(Name="demo-t-trail", S3BucketName="demo-t-trail-bucket", IsMultiRegionTrail=True)
    aws("cloudtrail").start_logging(Name="demo-t-trail")
    aws("budgets").create_budget(AccountId="123456789012", Budget={
        "BudgetName": "demo-t-monthly", "BudgetLimit": {"Amount": "200", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"})
    aws("events").put_rule(Name="demo-t-ecs-task-stopped", EventPattern='{"source": ["aws.ecs"]}')
    found = run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["observability"]})["observability"]
    assert found["topic"] == {"arn": topic, "kms_key_id": None, "publishers": [], "denies_insecure_transport": False,
                              "subscriptions": []}
    assert found["dashboard"]["name"] == "demo-t"
    assert found["alarms"] == ["demo-t-x-cpu-high"] and found["rules"] == ["demo-t-ecs-task-stopped"]
    assert found["trail"]["name"] == "demo-t-trail" and found["trail"]["multi_region"] is True and found["trail"]["logging"] is True
    assert found["budget"] == {"name": "demo-t-monthly", "amount": 200.0, "unit": "USD"}


def test_audit_family_reads_open_rules_group_rules_target_health_and_encryption(aws, run_module):
    vpc = make_vpc(aws)
    ec2 = aws("ec2")
    app = ec2.create_security_group(GroupName="demo-t-app", Description="app", VpcId=vpc)["GroupId"]
    lb = ec2.create_security_group(GroupName="demo-t-lb", Description="lb", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": lb}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    elb = aws("elbv2")
    tg = elb.create_target_group(Name="demo-t-app", Protocol="TCP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    aws("ecr").create_repository(repositoryName="demo-t/app", encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key})
    aws("ecr").create_repository(repositoryName="other/app")
    result = run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["network", "edge", "observability", "audit"]})
    audit = result["audit"]
    assert audit["open_ingress"] == [{"group_id": app, "group_name": "demo-t-app", "protocol": "tcp", "from_port": 22, "to_port": 22,
                                      "cidr": "0.0.0.0/0"}]
    assert {"to": app, "from": lb, "protocol": "tcp", "from_port": 8080, "to_port": 8080} in audit["group_rules"]
    assert result["edge"]["target_groups"]["demo-t-app"]["arn"] == tg
    assert audit["target_health"] == {"demo-t-app": {"total": 0, "healthy": 0, "states": {}}}
    assert audit["ecr_encryption"] == {"demo-t/app": {"type": "KMS", "kms_key": key}}
    assert audit["trail_bucket_encryption"] == {}  # no trail, no bucket read
    # Inspector was never turned on in this account: the audit says so, per resource type too.
    assert audit["inspector2"]["account"] == "DISABLED"
    assert set(audit["inspector2"]["resources"].values()) == {"DISABLED"}
    aws("inspector2").enable(accountIds=["123456789012"], resourceTypes=["ECR"])
    audit = run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["audit"]})["audit"]
    assert audit["inspector2"]["account"] == "ENABLED" and audit["inspector2"]["resources"]["ECR"] == "ENABLED"


def test_audit_is_not_read_unless_asked(aws, run_module):
    result = run_module(platform_info, {"platform_name": "demo", "platform_env": "t"})
    assert "audit" not in result


def test_access_logs_family_tells_whether_the_bucket_exists(aws, run_module):
    asked = {"platform_name": "demo", "platform_env": "t", "include": ["access_logs"]}
    assert run_module(platform_info, asked)["access_logs"] == {"bucket": None}
    aws("s3").create_bucket(Bucket="demo-t-s3-access-123456789012-eu-west-1",
                            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert run_module(platform_info, asked)["access_logs"] == {"bucket": "demo-t-s3-access-123456789012-eu-west-1"}
    other = dict(asked, platform_env="u")
    assert run_module(platform_info, other)["access_logs"] == {"bucket": None}
    assert "access_logs" not in run_module(platform_info, {"platform_name": "demo", "platform_env": "t"})


def test_every_family_reads_to_the_end_of_listings_in_pages_of_one(aws, run_module, split_pages):
    """A listing of many resources comes in many pages (here one item a page, whatever the emulator pages): discovery
    finds the same as with whole listings. The paged reads are counted, so the test shows they were paged."""
    vpc = make_vpc(aws)
    aws("ecs").create_cluster(clusterName="demo-t-cluster")
    sd = aws("servicediscovery")
    sd.create_private_dns_namespace(Name="t.demo.internal", Vpc=vpc)
    secrets, groups, alarms = aws("secretsmanager"), aws("logs"), aws("cloudwatch")
    for name in ("inventory-db", "billing-db", "rabbitmq"):
        secrets.create_secret(Name="demo-t/" + name, SecretString="{}")
        groups.create_log_group(logGroupName="/demo/t/ecs/" + name)
        alarms.put_metric_alarm(AlarmName="demo-t-%s-cpu-high" % name, Namespace="AWS/ECS", MetricName="CPUUtilization",
                                Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    for name in ("inventory-db", "billing-db"):
        aws("rds").create_db_cluster(DBClusterIdentifier="demo-t-" + name, Engine="aurora-postgresql", MasterUsername="master",
                                     MasterUserPassword="a-long-password-1", StorageEncrypted=True)
    for name in ("a", "b"):
        aws("iam").create_role(RoleName="demo-t-%s-task" % name, AssumeRolePolicyDocument="{}")
        key = aws("kms").create_key()["KeyMetadata"]["KeyId"]
        aws("kms").create_alias(AliasName="alias/demo-t-" + name, TargetKeyId=key)
        aws("ecr").create_repository(repositoryName="demo-t/" + name)
    include = ["network", "ecs", "ecr", "iam", "kms", "logs", "secrets", "databases", "observability"]
    args = {"platform_name": "demo", "platform_env": "t", "include": include}
    split_pages.size = None
    whole = run_module(platform_info, args)
    split_pages.size, split_pages.pages = 1, {}
    paged = run_module(platform_info, args)
    assert paged == whole
    assert sorted(paged["secrets"]) == ["demo-t/billing-db", "demo-t/inventory-db", "demo-t/rabbitmq"]
    assert sorted(paged["databases"]) == ["demo-t-billing-db", "demo-t-inventory-db"]
    assert sorted(paged["observability"]["alarms"]) == ["demo-t-billing-db-cpu-high", "demo-t-inventory-db-cpu-high", "demo-t-rabbitmq-cpu-high"]
    print("pages read: %s" % split_pages.pages)
    # One page per item, and one more call where a listing answers no item.
    for operation, items in (("ListSecrets", 3), ("DescribeLogGroups", 3), ("DescribeDBClusters", 2), ("DescribeAlarms", 3),
                             ("ListAliases", 2), ("DescribeRepositories", 2), ("ListRoles", 2)):
        assert split_pages.pages.get(operation, 0) >= items, (operation, split_pages.pages)


def test_the_reads_of_a_discovery_overlap(aws, run_module, monkeypatch, slow_calls):
    """At 30 to 150 ms a call on a real region, reads made one after another add up: the families, and the reads
    inside one that do not build on each other, go out at once. Each call here holds 50 ms; the whole discovery takes
    well under the time it takes with one read at a time."""
    import time  # pylint: disable=import-outside-toplevel

    from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu  # pylint: disable=import-outside-toplevel

    make_vpc(aws)

    def discover():
        slow_calls.start()
        start = time.monotonic()
        assert run_module(platform_info, {"platform_name": "demo", "platform_env": "t"})["network"]["vpc"]["id"]
        return time.monotonic() - start, slow_calls.most, len(slow_calls.calls)

    discover()  # the clients made, moto's backends too
    monkeypatch.setattr(pu, "WORKERS", 1)
    one_at_a_time, alone, calls = discover()
    monkeypatch.setattr(pu, "WORKERS", 8)
    took, most, same_calls = discover()
    assert alone == 1 and most >= 8 and same_calls == calls, (alone, most, calls, same_calls)
    assert took < 0.6 * one_at_a_time, (took, one_at_a_time)
    print("discovery at 50 ms a call: %.2f s one read at a time, %.2f s at once (%d calls)" % (one_at_a_time, took, calls))


def test_the_namespace_is_the_one_in_the_given_vpc(aws, run_module):
    """Two Cloud Map namespaces of the platform's name, in two VPCs: with the network read beside it, or its VPC given
    (vpc_id, as the action plugin gives the VPC a discovery of the run found), the platform's is found; with neither,
    the two are refused as ambiguous."""
    ours = make_vpc(aws)
    other = aws("ec2").create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    sd = aws("servicediscovery")
    for vpc in (other, ours):
        sd.create_private_dns_namespace(Name="t.demo.internal", Vpc=vpc)
    route53 = aws("route53")
    zones = {n["Id"]: sd.get_namespace(Id=n["Id"])["Namespace"]["Properties"]["DnsProperties"]["HostedZoneId"]
             for n in sd.list_namespaces()["Namespaces"]}
    mine = [i for i, zone in zones.items() if ours in [v["VPCId"] for v in route53.get_hosted_zone(Id=zone)["VPCs"]]]
    beside = run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["network", "ecs"]})
    given = run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["ecs"], "vpc_id": ours})
    assert beside["ecs"]["namespace"]["id"] == given["ecs"]["namespace"]["id"] == mine[0] and "network" not in given
    with pytest.raises(ModuleFail) as err:
        run_module(platform_info, {"platform_name": "demo", "platform_env": "t", "include": ["ecs"]})
    assert "Cloud Map namespaces named" in err.value.result["msg"]
