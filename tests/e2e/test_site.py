"""End to end: playbooks/site.yml on the embedded endpoint, checked through the AWS API.

Order matters and is the order of a platform's life: converge; a re-run changes nothing; verify.yml passes (its drift
check runs in test_container_mode.py); check mode tells a change without making it; destroy leaves nothing behind and a second
destroy changes nothing. Each role alone by its tag, the account baseline and the rotations are in test_day2.py, on a
platform of their own, so that both files run side by side.
"""

import json
import shutil
from collections import Counter

import pytest

from tests.support.backups import check_backups
from tests.support.edge import check_http_api, check_load_balancers
from tests.support.harness import PLATFORM, deployer_lacks, inventory_counts, run_plan, run_playbook, tags_of, the_vpc
from tests.support.observability import alarms_of, check_observability
from tests.support.storage import check_access_log_bucket, check_bucket_logs_its_requests
from tests.support.workloads import (check_application, check_broker_identities, check_database_identities, account_passwords,
                                     platform_secret_values)

ENV = "e2e"
BASE = {"platform_env": ENV}
REQUIRED_TAGS = {"Project": PLATFORM, "Environment": ENV, "ManagedBy": "cloud_design.platform"}


def has_platform_tags(tags, component):
    return all(tags.get(k) == v for k, v in REQUIRED_TAGS.items()) and tags.get("Component") == component


def gone(ep, arn):
    """AWS (and moto) keep some deleted resources visible for a while: deleted NAT gateways,
    INACTIVE ECS clusters, services and task definitions, stopped tasks, keys pending deletion, the automated
    backups of a deleted Aurora cluster (moto). Those are gone; anything else still tagged is a
    leftover."""
    name = arn.rsplit("/", 1)[-1]
    if ":natgateway/" in arn:
        return ep.client("ec2").describe_nat_gateways(NatGatewayIds=[name])["NatGateways"][0]["State"] in ("deleted", "deleting")
    if ":cluster/" in arn and ":ecs:" in arn:
        return all(c["status"] == "INACTIVE" for c in ep.client("ecs").describe_clusters(clusters=[arn])["clusters"])
    if ":task/" in arn and ":ecs:" in arn:
        # A one-off job's task: AWS lists a stopped task for a while (at least an hour) and then forgets it.
        cluster = arn.split("/")[-2]
        return all(t["lastStatus"] == "STOPPED" for t in ep.client("ecs").describe_tasks(cluster=cluster, tasks=[arn])["tasks"])
    if ":task-definition/" in arn:
        return ep.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"] != "ACTIVE"
    if ":service/" in arn and ":ecs:" in arn:
        cluster = arn.split("/")[-2]
        return all(x["status"] == "INACTIVE" for x in ep.client("ecs").describe_services(cluster=cluster, services=[arn])["services"])
    if ":kms:" in arn:
        return ep.client("kms").describe_key(KeyId=name)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    if ":cluster-snapshot:rds:" in arn:
        # An automated backup: AWS deletes it with its cluster; moto keeps it listed.
        cluster = arn.split(":cluster-snapshot:rds:", 1)[1].rsplit("-", 5)[0]
        return not [c for c in ep.client("rds").describe_db_clusters()["DBClusters"] if c["DBClusterIdentifier"] == cluster]
    return False


@pytest.fixture(scope="module")
def converged(ep):
    """A fresh converge at -vvv --diff: everything it prints is scanned for secrets (test_no_secret_value_...)."""
    run = run_playbook(ep, "playbooks/site.yml", "-vvv", "--diff", extra_vars=BASE)
    assert not run.failed, run
    return run


def test_converge_builds_the_network(ep, converged):
    assert converged.changed > 0
    ec2 = ep.client("ec2")
    vpc = the_vpc(ep, ENV)
    vpc_id = vpc["VpcId"]
    assert vpc["CidrBlock"] == "10.20.0.0/16"
    assert has_platform_tags(tags_of(vpc["Tags"]), "network")
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]

    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    by_tier = {}
    for subnet in subnets:
        tags = tags_of(subnet["Tags"])
        assert has_platform_tags(tags, "network"), tags
        assert not subnet["MapPublicIpOnLaunch"]
        by_tier.setdefault(tags["Tier"], {})[subnet["AvailabilityZone"]] = subnet
    assert sorted(by_tier["public"]) == ["eu-west-1a", "eu-west-1b"]
    assert sorted(by_tier["private"]) == ["eu-west-1a", "eu-west-1b"]
    assert sorted(s["CidrBlock"] for s in by_tier["public"].values()) == ["10.20.0.0/20", "10.20.16.0/20"]
    assert sorted(s["CidrBlock"] for s in by_tier["private"].values()) == ["10.20.128.0/20", "10.20.144.0/20"]

    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]
    assert len(igws) == 1
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                    {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    assert [(g["IpPermissions"], g["IpPermissionsEgress"]) for g in default] == [([], [])], "CIS 5.4: the default group allows nothing"
    nats = [n for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
            if n["State"] == "available"]
    assert len(nats) == 1, "network_nat_mode single makes one NAT gateway"
    assert nats[0]["SubnetId"] == by_tier["public"]["eu-west-1a"]["SubnetId"]
    eip = ec2.describe_addresses(AllocationIds=[nats[0]["NatGatewayAddresses"][0]["AllocationId"]])["Addresses"][0]
    assert has_platform_tags(tags_of(eip["Tags"]), "network")

    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    named = {tags_of(t.get("Tags")).get("Name"): t for t in tables}
    public, private = named["demo-e2e-public"], named["demo-e2e-private"]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igws[0]["InternetGatewayId"]}.items() <= next(
        r for r in public["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0").items()
    assert next(r for r in private["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")["NatGatewayId"] == nats[0]["NatGatewayId"]
    assert {a["SubnetId"] for a in public["Associations"] if a.get("SubnetId")} == {s["SubnetId"] for s in by_tier["public"].values()}
    assert {a["SubnetId"] for a in private["Associations"] if a.get("SubnetId")} == {s["SubnetId"] for s in by_tier["private"].values()}

    acls = {tags_of(a.get("Tags")).get("Name"): a for a in ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["false"]}])["NetworkAcls"]}
    assert sorted(acls) == ["demo-e2e-private", "demo-e2e-public"]
    default_acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}])[
        "NetworkAcls"][0]
    assert [(e["RuleNumber"], e["RuleAction"]) for e in default_acl["Entries"]] == [(32767, "deny")] * 2, "the default ACL admits nothing"
    assert default_acl["Associations"] == [], "every subnet of the platform has its own ACL"
    for tier in ("public", "private"):
        acl = acls["demo-e2e-" + tier]
        assert {a["SubnetId"] for a in acl["Associations"]} == {s["SubnetId"] for s in by_tier[tier].values()}
        from_world = [e for e in acl["Entries"] if not e["Egress"] and e["RuleAction"] == "allow" and e.get("CidrBlock") == "0.0.0.0/0"]
        assert all(e["Protocol"] != "-1" for e in from_world), "CIS 5.1 / FSBP EC2.21: no rule admits every port from the internet"
        for port in (22, 3389):
            assert not [e for e in from_world if e["Protocol"] in ("6", "17") and e["PortRange"]["From"] <= port <= e["PortRange"]["To"]], \
                "CIS 5.1: port %d is closed to the internet on the %s subnets" % (port, tier)
        below = sorted(e["PortRange"]["From"] for e in from_world if e["Protocol"] in ("6", "17") and e["PortRange"]["From"] < 1024)
        assert below == ([80, 443] if tier == "public" else []), "the internet reaches only the public subnets' HTTP(S)"
        assert any(e["Protocol"] == "1" and e.get("IcmpTypeCode") == {"Type": 3, "Code": 4} for e in from_world), "path MTU discovery"

    options = ec2.describe_dhcp_options(DhcpOptionsIds=[vpc["DhcpOptionsId"]])["DhcpOptions"][0]
    config = {c["Key"]: [v["Value"] for v in c["Values"]] for c in options["DhcpConfigurations"]}
    assert config["domain-name"] == ["e2e.demo.internal"]

    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    s3 = [e for e in endpoints if e["ServiceName"] == "com.amazonaws.eu-west-1.s3"]
    assert len(s3) == 1
    assert set(s3[0]["RouteTableIds"]) == {public["RouteTableId"], private["RouteTableId"]}
    # through the endpoint: this account's principals to this account's buckets, and ECR's image layers
    account = ep.client("sts").get_caller_identity()["Account"]
    statements = json.loads(s3[0]["PolicyDocument"])["Statement"]
    assert [(s["Effect"], s["Principal"], s["Action"], s["Resource"], s.get("Condition")) for s in statements] == [
        ("Allow", "*", "s3:*", "*", {"StringEquals": {"aws:PrincipalAccount": account, "aws:ResourceAccount": account}}),
        ("Allow", "*", "s3:GetObject", "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*", None)]

    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert len(flow_logs) == 1
    assert flow_logs[0]["LogGroupName"] == "/demo/e2e/vpc-flow-logs"
    assert flow_logs[0]["TrafficType"] == "ALL"
    group = ep.client("logs").describe_log_groups(logGroupNamePrefix="/demo/e2e/vpc-flow-logs")["logGroups"][0]
    assert group["retentionInDays"] == 14  # observability_log_retention_days outside prod
    role = ep.client("iam").get_role(RoleName="demo-e2e-vpc-flow-logs")["Role"]
    assert role["Arn"] == flow_logs[0]["DeliverLogsPermissionArn"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}


def test_converge_builds_the_cluster(ep, converged):
    vpc_id = the_vpc(ep, ENV)["VpcId"]
    cluster = ep.client("ecs").describe_clusters(clusters=["demo-e2e-cluster"], include=["SETTINGS", "TAGS"])["clusters"][0]
    assert cluster["status"] == "ACTIVE"
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert has_platform_tags(tags_of(cluster["tags"], "key", "value"), "ecs_cluster")

    iam = ep.client("iam")
    attached = iam.list_attached_role_policies(RoleName="demo-e2e-ecs-task-execution")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonECSTaskExecutionRolePolicy"]
    trust = iam.get_role(RoleName="demo-e2e-ecs-task-execution")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}

    namespaces = [n for n in ep.client("servicediscovery").list_namespaces()["Namespaces"] if n["Name"] == "e2e.demo.internal"]
    assert len(namespaces) == 1
    zone = ep.client("route53").get_hosted_zone(Id=namespaces[0]["Properties"]["DnsProperties"]["HostedZoneId"])
    assert zone["HostedZone"]["Config"]["PrivateZone"] is True
    assert [v["VPCId"] for v in zone["VPCs"]] == [vpc_id]

    ecr = ep.client("ecr")
    repos = {r["repositoryName"]: r for r in ecr.describe_repositories()["repositories"] if r["repositoryName"].startswith("demo-e2e/")}
    assert sorted(repos) == ["demo-e2e/api-gateway", "demo-e2e/billing-app", "demo-e2e/inventory-app"]
    for repo in repos.values():
        assert repo["imageTagMutability"] == "IMMUTABLE"
        assert repo["imageScanningConfiguration"]["scanOnPush"] is True
        assert repo["encryptionConfiguration"]["encryptionType"] == "KMS"
        assert has_platform_tags(tags_of(ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]), "ecs_cluster")


def test_converge_encrypts_with_rotating_keys_and_enables_inspector(ep, converged):
    kms = ep.client("kms")
    aliases = {a["AliasName"]: a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/demo-e2e-")}
    assert sorted(aliases) == ["alias/demo-e2e-data", "alias/demo-e2e-logs", "alias/demo-e2e-secrets"]
    for key_id in aliases.values():
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    logs_policy = kms.get_key_policy(KeyId=aliases["alias/demo-e2e-logs"], PolicyName="default")["Policy"]
    assert "logs.eu-west-1.amazonaws.com" in logs_policy
    state = ep.client("inspector2").batch_get_account_status(accountIds=["123456789012"])["accounts"][0]["resourceState"]
    assert state["ecr"]["status"] == "ENABLED" and state["ec2"]["status"] == "ENABLED"
    scanning = ep.client("ecr").get_registry_scanning_configuration()["scanningConfiguration"]
    assert scanning["scanType"] == "ENHANCED"
    assert "demo-e2e/*" in [f["filter"] for r in scanning["rules"] for f in r["repositoryFilters"]]
    check_access_log_bucket(ep, ENV)
    check_backups(ep, ENV, retention_days=7)  # not prod


def test_converge_sets_the_account_guardrails(ep, converged):
    assert ep.client("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
    policy = ep.client("iam").get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["PasswordReusePrevention"] == 24
    detectors = ep.client("guardduty").list_detectors()["DetectorIds"]
    assert len(detectors) == 1 and ep.client("guardduty").get_detector(DetectorId=detectors[0])["Status"] == "ENABLED"
    assert ep.client("securityhub").describe_hub()["HubArn"]
    control = ep.client("s3control")
    control.meta.events.register("before-sign.s3-control", lambda request, **kw: setattr(
        request, "url", request.url.replace("://123456789012.", "://")))
    block = control.get_public_access_block(AccountId="123456789012")["PublicAccessBlockConfiguration"]
    assert all(block.values()), block


def test_converge_builds_the_edge(ep, converged):
    """Internal NLBs with TLS, the public ALB with its redirect and WAF, the HTTP API with Cognito on writes."""
    check_load_balancers(ep, ENV, tls=True, alb=True)
    check_http_api(ep, ENV, tls=True, domain=True)
    bucket = [b["Name"] for b in ep.client("s3").list_buckets()["Buckets"] if b["Name"].startswith("demo-e2e-lb-logs-")]
    assert len(bucket) == 1
    s3 = ep.client("s3")
    assert s3.get_bucket_encryption(Bucket=bucket[0])["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=bucket[0])["PublicAccessBlockConfiguration"].values())
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket[0])["Policy"])
    deny = [st for st in policy["Statement"] if st["Effect"] == "Deny"]
    assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    check_bucket_logs_its_requests(ep, ENV, bucket[0])
    pool = [p for p in ep.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "demo-e2e-api"][0]
    described = ep.client("cognito-idp").describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 14
    assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert ep.client("cognito-idp").get_user_pool_mfa_config(UserPoolId=pool["Id"])["MfaConfiguration"] == "OPTIONAL"


def test_converge_deploys_the_application_on_aurora(ep, converged):
    check_application(ep, ENV, "aurora", alb=True)
    check_database_identities(ep, ENV, "aurora")
    check_broker_identities(ep, ENV)


def test_converge_builds_the_observability_layer(ep, converged):
    """Topic, alarms per deployed service/NLB/database/API, dashboard, trail, budget, rules, log retention."""
    # 39 alarms: 3 for each of 4 services, one for each of 4 balancers, 3 for each of 2 databases, 2 for the API and
    # the trail's 15 (the target tracking policies' own alarms are Application Auto Scaling's, named by it)
    check_observability(ep, ENV, ["api-gateway", "billing-app", "inventory-app", "rabbitmq"], balancers_expected=4,
                        databases_expected=2, alarms_expected=39)


def test_no_secret_value_in_the_fresh_converge_at_vvv_diff(ep, converged):
    """Every password in the account's secrets (the apps' database roles, the broker's users, the master passwords RDS
    manages) was made or passed during the fresh converge: none shows up in what it printed at -vvv --diff."""
    assert converged.data and "inventory source with" in converged.stdout  # the json document and -vvv's lines, both scanned
    assert any("diff" in host for _name, host in converged.host_results())
    values = account_passwords(ep)
    assert len(values) >= 6, len(values)  # 5 of the platform's and each Aurora cluster's master password
    assert [v for v in values if v in converged.stdout or v in converged.stderr] == []


def test_no_secret_value_in_a_verbose_run(ep, converged):
    """The Aurora master password passes through a task (read from its secret at run time): at
    -vvv neither it nor any other generated value may show up."""
    run = run_playbook(ep, "playbooks/site.yml", "-vvv", "--tags", "service_inventory,rabbitmq", extra_vars=BASE, callback="default")
    assert run.rc == 0, run.stdout[-3000:]
    # the task that passes the password ran, at -vvv (its result censored by no_log)
    assert "TASK [cloud_design.platform.workload : Aurora cluster demo-%s-inventory-db]" % ENV in run.stdout
    assert "the output has been hidden due to the fact that" in run.stdout
    assert "task path:" in run.stdout  # printed from -vv on
    values = [v for doc in platform_secret_values(ep, ENV).values() for k, v in doc.items() if k == "password"]
    assert len(values) == 5  # the broker's administrator and its two clients, the two apps' database roles
    assert [v for v in values if v in run.stdout or v in run.stderr] == []


def test_second_run_changes_nothing(ep, converged):
    counts = inventory_counts(ep)
    with open(ep.calls, encoding="utf-8") as handle:
        before = len(handle.readlines())
    run = run_playbook(ep, "playbooks/site.yml", extra_vars=BASE)
    assert not run.failed, run
    assert run.changed == 0, run.changed_tasks()
    assert inventory_counts(ep) == counts
    # Nothing changed, so the roles' discoveries share one read of each family (the run_reads callback): each key's
    # rotation is read by the first discovery that asks for the keys and by kms_keys, not by every role (10 times).
    with open(ep.calls, encoding="utf-8") as handle:
        calls = [json.loads(line) for line in handle.readlines()[before:]]
    rotation_reads = Counter(c["params"]["KeyId"] for c in calls if c["operation"] == "GetKeyRotationStatus")
    assert len(rotation_reads) == 3 and max(rotation_reads.values()) <= 2, rotation_reads
    assert len([c for c in calls if c["operation"] == "DescribeAvailabilityZones"]) <= 2


def test_verify_passes_and_draws_the_platform(ep, converged, tmp_path):
    """verify.yml on the converged platform: every check passes; the report and the diagram (DOT, Mermaid and, with
    Graphviz, PNG and SVG) name what is deployed; nothing in the account changes. Its drift check (a nested site.yml
    --check run) is left out here: the check run of this platform's kind is the README's check block on the day-2
    platform (tests/e2e/test_day2.py), and verify with its drift check runs from a user's install, with no
    ANSIBLE_CONFIG, in tests/e2e/test_container_mode.py."""
    counts = inventory_counts(ep)
    run = run_playbook(ep, "playbooks/verify.yml", extra_vars=dict(BASE, verify_output_dir=str(tmp_path), verify_drift=False),
                       env={"ANSIBLE_CONFIG": ""})
    assert not run.failed, run.failure_messages()
    assert inventory_counts(ep) == counts
    base = tmp_path / ("%s-%s-eu-west-1" % (PLATFORM, ENV))
    report = base.with_suffix(".md").read_text()
    assert "**PASSED**" in report and "| fail |" not in report
    assert "drift not checked (verify_drift=false)" in report and "| pass | drift |" not in report
    # the endpoint runs no task: those two checks are skipped there (inventories/local), and say so
    assert "| skipped | service_running | billing-app |" in report and "| skipped | target_health |" in report
    for arn in (c["DBClusterArn"] for c in ep.client("rds").describe_db_clusters()["DBClusters"]):
        assert "| pass | encryption | Aurora %s | encrypted with the platform's data key |" % arn.rsplit(":", 1)[-1] in report
    dot, mermaid = base.with_suffix(".dot").read_text(), base.with_suffix(".mmd").read_text()
    services = ep.client("ecs").list_services(cluster="demo-e2e-cluster")["serviceArns"]
    assert len(services) == 4
    for name in [s.rsplit("/", 1)[-1] for s in services] + ["demo-e2e-inventory-db", "demo-e2e-billing-db", "demo-e2e-edge"]:
        assert name in dot and name in mermaid, name
    assert "```mermaid\n" + mermaid in report
    # Graphviz is a test prerequisite (tools/test.sh installs it with the servers, or says to)
    assert shutil.which("dot"), "the diagram's PNG and SVG need Graphviz' dot: apt-get install graphviz"
    assert base.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = base.with_suffix(".svg").read_text().replace("&#45;", "-")
    assert svg.startswith("<?xml") and "inventory-app" in svg


def test_an_aurora_minor_upgrade_by_aws_is_kept(ep, converged):
    """AWS upgrades minor versions itself (auto minor version upgrade); a converge must not try to go back."""
    rds = ep.client("rds")
    cluster = "%s-%s-inventory-db" % (PLATFORM, ENV)
    before = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["EngineVersion"]
    rds.modify_db_cluster(DBClusterIdentifier=cluster, EngineVersion=before + "1", ApplyImmediately=True)
    run = run_playbook(ep, "playbooks/site.yml", "--tags", "service_inventory", extra_vars=BASE)
    assert not run.failed, run
    assert run.changed == 0, run.changed_tasks()
    assert rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["EngineVersion"] == before + "1"


def test_check_mode_tells_what_would_change(ep, converged):
    """On a converged platform, a changed input shows up in the plan, per role, and is not applied."""
    proc = run_plan(ep, "--tags", "ecs_cluster", "-e", json.dumps(dict(BASE, ecs_cluster_container_insights="disabled")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "ecs_cluster: 1 to change", proc.stdout
    assert lines[1].startswith("  ~ Create the ECS cluster demo-e2e-cluster"), proc.stdout
    assert lines[-1].startswith("Plan: 0 to create, 1 to change, 0 to remove"), proc.stdout
    cluster = ep.client("ecs").describe_clusters(clusters=["demo-e2e-cluster"], include=["SETTINGS"])["clusters"][0]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_check_mode_tells_an_edge_change(ep, converged):
    """A route taken off the list and a new throttle show up in check mode, and are not applied."""
    routes = [{"key": k} for k in ["GET /api/movies", "POST /api/movies", "DELETE /api/movies", "GET /api/movies/{id}",
                                   "PUT /api/movies/{id}", "POST /api/billing"]]
    run = run_playbook(ep, "playbooks/site.yml", "--check", "--diff", "-v", "--tags", "api_gateway",
                       extra_vars=dict(BASE, api_gateway_routes=routes, api_gateway_throttling_burst_limit=7), callback="default")
    assert run.rc == 0, run.stdout[-3000:]
    assert "remove route DELETE /api/movies/{id}" in run.stdout and "update stage $default" in run.stdout
    check_http_api(ep, ENV, tls=True, domain=True)


def test_summary_reads_the_platform(ep, converged):
    run = run_playbook(ep, "playbooks/summary.yml", extra_vars=BASE, callback="default")
    assert run.rc == 0, run.stderr
    assert the_vpc(ep, ENV)["VpcId"] in run.stdout
    assert "demo-e2e-cluster" in run.stdout
    services = ep.client("ecs").list_services(cluster="demo-e2e-cluster")["serviceArns"]
    assert len(services) == 4 and "), 4 services" in " ".join(run.stdout.split())  # the callback wraps long lines
    assert "demo-e2e/api-gateway" in run.stdout
    api = [a for a in ep.client("apigatewayv2").get_apis()["Items"] if a["Name"] == "demo-e2e"][0]
    assert "API invoke URL: %s/" % api["ApiEndpoint"] in run.stdout
    assert "API custom domain: https://demo.example.test" in run.stdout
    # a field the API does not report is left out, never printed as None
    assert "None" not in run.stdout
    pool = [p for p in ep.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "demo-e2e-api"][0]
    client = ep.client("cognito-idp").list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"][0]
    assert "user pool %s, app client %s" % (pool["Id"], client["ClientId"]) in run.stdout
    for name in ("inventory", "billing", "gateway", "edge"):
        dns = ep.client("elbv2").describe_load_balancers(Names=["demo-e2e-" + name])["LoadBalancers"][0]["DNSName"]
        assert dns in run.stdout, name
    topic = [t["TopicArn"] for t in ep.client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":demo-e2e-alerts")][0]
    assert "Alert topic: %s" % topic in run.stdout
    assert "Dashboard: demo-e2e " in run.stdout
    assert "Trail: demo-e2e-trail (multi-region, validated, logging True) to s3://demo-e2e-trail-" in run.stdout
    assert "Budget: demo-e2e-monthly, 400.0 USD a month" in run.stdout
    assert "Alarms: %d;" % len(alarms_of(ep, "demo-e2e")) in run.stdout


def test_destroy_leaves_nothing_and_a_second_destroy_changes_nothing(ep, converged):
    run = run_playbook(ep, "playbooks/destroy.yml", extra_vars=BASE)
    assert not run.failed, run
    assert run.changed > 0
    assert all(count == 0 for count in inventory_counts(ep).values()), inventory_counts(ep)
    tagged = [r["ResourceARN"] for r in ep.client("resourcegroupstaggingapi").get_resources(TagFilters=[
        {"Key": "Project", "Values": [PLATFORM]}, {"Key": "Environment", "Values": [ENV]}])["ResourceTagMappingList"]]
    assert [arn for arn in tagged if not gone(ep, arn)] == []
    again = run_playbook(ep, "playbooks/destroy.yml", extra_vars=BASE)
    assert not again.failed, again
    assert again.changed == 0, again.changed_tasks()


def test_the_deployer_policy_allows_every_call_the_runs_made(ep, converged):
    """Converge, check runs, verify and destroy, as recorded on this endpoint: each call's IAM action and the actions
    AWS documents it depends on are in docs/iam/platform-<n>.json (the policy the README gives the deployer)."""
    assert deployer_lacks(ep) == []
