"""Checks of the deployed application, read through the AWS API (never from the run's output)."""

import json

from tests.support.harness import ACCOUNT, PLATFORM, REGION, tags_of

APPS = {"rabbitmq": "rabbitmq", "inventory-app": "service_inventory", "billing-app": "service_billing",
        "api-gateway": "api_gateway"}
DATABASES = {"inventory-db": "inventory-app", "billing-db": "billing-app"}
BROKER_CLIENTS = ["api-gateway", "billing-app"]


def key_arn(ep, env, purpose):
    return ep.client("kms").describe_key(KeyId="alias/%s-%s-%s" % (PLATFORM, env, purpose))["KeyMetadata"]["Arn"]


def platform_secret_values(ep, env):
    """Every value held in the environment's secrets (what must never show up elsewhere)."""
    sm = ep.client("secretsmanager")
    values = {}
    for secret in sm.list_secrets()["SecretList"]:
        if secret["Name"].startswith("%s-%s/" % (PLATFORM, env)) and not secret.get("DeletedDate"):
            document = json.loads(sm.get_secret_value(SecretId=secret["ARN"])["SecretString"])
            values[secret["Name"]] = document
    return values


def account_passwords(ep):
    """Every password held in the account's secrets, whoever made them (RDS's managed master passwords included)."""
    sm = ep.client("secretsmanager")
    found = []
    for page in sm.get_paginator("list_secrets").paginate():
        for secret in page["SecretList"]:
            if secret.get("DeletedDate"):
                continue
            try:
                document = json.loads(sm.get_secret_value(SecretId=secret["ARN"])["SecretString"])
            except (ValueError, KeyError):
                continue
            found += [v for k, v in document.items() if "password" in k.lower() and isinstance(v, str) and v]
    return found


def group_by_name(ep, vpc_id, name):
    groups = ep.client("ec2").describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    assert len(groups) == 1, (name, groups)
    return groups[0]


def ingress(group):
    """{(port, source group id)} of a group's ingress."""
    return {(p["FromPort"], pair["GroupId"]) for p in group["IpPermissions"] for pair in p.get("UserIdGroupPairs", [])} | {
        (p["FromPort"], r["CidrIp"]) for p in group["IpPermissions"] for r in p.get("IpRanges", [])}


def check_application(ep, env, mode, alb=False):
    prefix = "%s-%s" % (PLATFORM, env)
    cluster = prefix + "-cluster"
    ecs = ep.client("ecs")
    vpc = ep.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Project", "Values": [PLATFORM]},
                                                  {"Name": "tag:Environment", "Values": [env]}])["Vpcs"][0]
    private = {s["SubnetId"] for s in ep.client("ec2").describe_subnets(Filters=[
        {"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "tag:Tier", "Values": ["private"]}])["Subnets"]}
    names = dict(APPS)
    if mode == "container":
        names.update({"inventory-db": "service_inventory", "billing-db": "service_billing"})
    services = {s["serviceName"]: s for s in ecs.describe_services(cluster=cluster, services=sorted(names), include=["TAGS"])["services"]}
    secrets = platform_secret_values(ep, env)
    # The apps' own database credentials; the master's only where the platform keeps them (the container database): RDS
    # keeps an Aurora cluster's in a secret of its own (rds!cluster-...), and the one the cluster was made with is gone.
    assert sorted(secrets) == sorted(["%s/rabbitmq" % prefix] + ["%s/rabbitmq-%s" % (prefix, app) for app in BROKER_CLIENTS]
                                     + ["%s/%s-app" % (prefix, db) for db in DATABASES]
                                     + (["%s/%s" % (prefix, db) for db in DATABASES] if mode == "container" else []))
    secret_values = [v for doc in secrets.values() for k, v in doc.items() if k == "password"]
    assert all(len(v) >= 32 for v in secret_values)
    secrets_key = key_arn(ep, env, "secrets")
    for secret in ep.client("secretsmanager").list_secrets()["SecretList"]:
        if secret["Name"] in secrets:
            assert secret.get("KmsKeyId") in (secrets_key, secrets_key.split("/")[-1], "alias/%s-secrets" % prefix), secret

    namespace = [n for n in ep.client("servicediscovery").list_namespaces()["Namespaces"] if n["Name"] == "%s.%s.internal" % (env, PLATFORM)][0]
    sd = ep.client("servicediscovery")
    registry = {s["Name"]: s for s in sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace["Id"]]}])["Services"]}
    dns_names = {"rabbitmq": "billing-queue"}
    aas = ep.client("application-autoscaling")
    targets = {t["ResourceId"]: t for t in aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]}
    policies = {}
    for policy in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]:
        policies.setdefault(policy["ResourceId"], []).append(policy)

    for name, component in names.items():
        service = services.get(name)
        assert service and service["status"] == "ACTIVE", (name, service)
        assert service["desiredCount"] == 1, (name, service["desiredCount"])
        tags = tags_of(service.get("tags"), "key", "value")
        assert tags.get("Project") == PLATFORM and tags.get("Environment") == env and tags.get("Component") == component, tags
        # a rolling deployment that rolls itself back; the broker and a container database never run two tasks on their
        # one data directory
        single = name == "rabbitmq" or name in DATABASES
        assert service["deploymentConfiguration"] == {
            "maximumPercent": 100 if single else 200, "minimumHealthyPercent": 0 if single else 100,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True}}, (name, service["deploymentConfiguration"])
        assert service["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}], name
        net = service["networkConfiguration"]["awsvpcConfiguration"]
        assert set(net["subnets"]) == private and net["assignPublicIp"] == "DISABLED"
        assert net["securityGroups"] == [group_by_name(ep, vpc["VpcId"], "%s-%s" % (prefix, name))["GroupId"]]

        td = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert td["requiresCompatibilities"] == ["FARGATE"] and td["networkMode"] == "awsvpc"
        container = td["containerDefinitions"][0]
        # every service's root file system is read-only (the broker's too), but the container database's image
        assert bool(container.get("readonlyRootFilesystem")) is (name not in DATABASES), (name, container.get("readonlyRootFilesystem"))
        assert not container.get("privileged"), name
        options = container["logConfiguration"]["options"]
        assert options["awslogs-group"] == "/%s/%s/ecs/%s" % (PLATFORM, env, name)
        # an app's writes never wait on log delivery, whatever the account's default mode
        assert (options.get("mode"), options.get("max-buffer-size")) == ("non-blocking", "25m"), options
        assert all(s["valueFrom"].startswith("arn:aws:secretsmanager:") for s in container.get("secrets", [])), container["secrets"]
        text = json.dumps(td)
        assert not [v for v in secret_values if v in text], "a secret value is in the task definition of " + name
        assert not [e for e in container.get("environment", []) if "PASSWORD" in e["name"] or "PASS" == e["name"][-4:]]
        group = ep.client("logs").describe_log_groups(logGroupNamePrefix="/%s/%s/ecs/%s" % (PLATFORM, env, name))["logGroups"][0]
        assert group.get("kmsKeyId") == key_arn(ep, env, "logs")

        dns = dns_names.get(name, name)
        assert dns in registry, (dns, sorted(registry))
        assert [r["registryArn"] for r in service["serviceRegistries"]] == [registry[dns]["Arn"]]

        resource = "service/%s/%s" % (cluster, name)
        assert resource in targets, resource
        metrics = sorted(p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]
                         for p in policies.get(resource, []))
        assert metrics == ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"], (name, metrics)

    # who may reach whom: one port each, only from the expected peers
    balancers = ["lb-inventory", "lb-billing", "lb-gateway"] + (["lb-edge"] if alb else [])
    sg = {name: group_by_name(ep, vpc["VpcId"], "%s-%s" % (prefix, name)) for name in list(APPS) + list(DATABASES) + balancers}
    ids = {name: g["GroupId"] for name, g in sg.items()}
    users_job = group_by_name(ep, vpc["VpcId"], "%s-rabbitmq-users" % prefix)
    assert ingress(users_job) == set(), users_job
    # the users job on the management port; the rotation jobs (its group) sign in over AMQP as each new user
    assert ingress(sg["rabbitmq"]) == {(5672, ids["api-gateway"]), (5672, ids["billing-app"]), (15672, users_job["GroupId"]),
                                       (5672, users_job["GroupId"])}
    # each app from its load balancer's group; inventory-app also straight from the gateway (Cloud Map name)
    assert ingress(sg["inventory-app"]) == {(8080, ids["api-gateway"]), (8080, ids["lb-inventory"])}
    assert ingress(sg["billing-app"]) == {(8080, ids["lb-billing"])}
    assert ingress(sg["api-gateway"]) == {(3000, ids["lb-gateway"])} | ({(3000, ids["lb-edge"])} if alb else set())
    target_groups = {tg["TargetGroupName"]: tg["TargetGroupArn"] for tg in ep.client("elbv2").describe_target_groups()["TargetGroups"]}
    joined = {"inventory-app": ["inventory"], "billing-app": ["billing"], "api-gateway": ["gateway"] + (["edge"] if alb else [])}
    for name, keys in joined.items():
        assert sorted((lb["targetGroupArn"], lb["containerName"], lb["containerPort"]) for lb in services[name]["loadBalancers"]) == sorted(
            (target_groups["%s-%s" % (prefix, key)], name, 3000 if name == "api-gateway" else 8080) for key in keys), name
    for db, app in DATABASES.items():
        job = group_by_name(ep, vpc["VpcId"], "%s-%s-roles" % (prefix, db))
        assert ingress(job) == set(), job
        assert ingress(sg[db]) == {(5432, ids[app]), (5432, job["GroupId"])}, (db, ingress(sg[db]))

    rabbit = api_env = None
    for name in ("api-gateway", "billing-app"):
        td = ecs.describe_task_definition(taskDefinition=services[name]["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]
        refs = {s["name"]: s["valueFrom"] for s in td["secrets"]}
        assert refs["RABBITMQ_PASSWORD"].endswith(":password::") and ":secret:%s/rabbitmq-%s-" % (prefix, name) in refs["RABBITMQ_PASSWORD"]
        rabbit = refs
        if name == "api-gateway":
            api_env = {e["name"]: e["value"] for e in td["environment"]}
    inventory_nlb = ep.client("elbv2").describe_load_balancers(Names=[prefix + "-inventory"])["LoadBalancers"][0]["DNSName"]
    assert rabbit and api_env == {"APIGATEWAY_PORT": "3000", "INVENTORY_APP_HOST": inventory_nlb, "INVENTORY_APP_PORT": "8080"}

    for app in DATABASES.values():
        td = ecs.describe_task_definition(taskDefinition=services[app]["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]
        wanted = {"PGSSLMODE": "require"} if mode == "aurora" else {}
        assert {e["name"]: e["value"] for e in td["environment"]} == wanted, (app, td["environment"])

    data_key = key_arn(ep, env, "data")
    efs = {f["CreationToken"]: f for f in ep.client("efs").describe_file_systems()["FileSystems"]}
    storage = ["rabbitmq"] + (list(DATABASES) if mode == "container" else [])
    for name in storage:
        fs = efs["%s-%s" % (prefix, name)]
        assert fs["Encrypted"] and fs["KmsKeyId"] == data_key, fs

    rds = ep.client("rds")
    clusters = {c["DBClusterIdentifier"]: c for c in rds.describe_db_clusters()["DBClusters"] if c["DBClusterIdentifier"].startswith(prefix)}
    if mode == "aurora":
        assert sorted(clusters) == ["%s-billing-db" % prefix, "%s-inventory-db" % prefix]
        for db in DATABASES:
            cluster_ = clusters["%s-%s" % (prefix, db)]
            assert cluster_["StorageEncrypted"] is True and cluster_["KmsKeyId"] == data_key, cluster_
            assert cluster_["Engine"] == "aurora-postgresql"
            assert [g["VpcSecurityGroupId"] for g in cluster_["VpcSecurityGroups"]] == [ids[db]]
            assert len(cluster_["DBClusterMembers"]) == 1
            # Performance Insights on each instance, with the data key, 7 days
            for member in cluster_["DBClusterMembers"]:
                instance = rds.describe_db_instances(DBInstanceIdentifier=member["DBInstanceIdentifier"])["DBInstances"][0]
                assert (instance.get("PerformanceInsightsEnabled"), instance.get("PerformanceInsightsKMSKeyId"),
                        instance.get("PerformanceInsightsRetentionPeriod")) == (True, data_key, 7), instance
                # Enhanced Monitoring every 60 s, as the database's own role, which only RDS's monitoring service of
                # this account may take and which may write only the account's RDSOSMetrics group
                role_name = "%s-%s-monitoring" % (prefix, db)
                role = ep.client("iam").get_role(RoleName=role_name)["Role"]
                assert (instance.get("MonitoringInterval"), instance.get("MonitoringRoleArn")) == (60, role["Arn"]), instance
                trust = role["AssumeRolePolicyDocument"]
                trust = json.loads(trust) if isinstance(trust, str) else trust
                assert [(t["Principal"], t["Condition"]) for t in trust["Statement"]] == [
                    ({"Service": "monitoring.rds.amazonaws.com"}, {"StringEquals": {"aws:SourceAccount": ACCOUNT}})], trust
                assert role["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(":policy/%s-boundary" % prefix), role
                policy = ep.client("iam").get_role_policy(RoleName=role_name, PolicyName="send-os-metrics")["PolicyDocument"]
                policy = json.loads(policy) if isinstance(policy, str) else policy
                assert {r for t in policy["Statement"] for r in [t["Resource"]]} == {
                    "arn:aws:logs:%s:%s:log-group:RDSOSMetrics" % (REGION, ACCOUNT),
                    "arn:aws:logs:%s:%s:log-group:RDSOSMetrics:log-stream:*" % (REGION, ACCOUNT)}, policy
            # every client must use TLS (rds.force_ssl=1 in the cluster's own group); IAM database authentication on
            group = "%s-%s-aurora-postgresql%s" % (prefix, db, cluster_["EngineVersion"].split(".", maxsplit=1)[0])
            assert cluster_["DBClusterParameterGroup"] == group and cluster_["IAMDatabaseAuthenticationEnabled"] is True, cluster_
            set_ = rds.describe_db_cluster_parameters(DBClusterParameterGroupName=group, Source="user")["Parameters"]
            assert {p["ParameterName"]: p["ParameterValue"] for p in set_}.get("rds.force_ssl") == "1", set_
            # the bare host name resolves to the writer: a CNAME instance in the namespace
            instances = sd.list_instances(ServiceId=registry[db]["Id"])["Instances"]
            assert [i["Attributes"]["AWS_INSTANCE_CNAME"] for i in instances] == [cluster_["Endpoint"]]
            answer = sd.discover_instances(NamespaceName=namespace["Name"], ServiceName=db)["Instances"]
            assert [a["Attributes"]["AWS_INSTANCE_CNAME"] for a in answer] == [cluster_["Endpoint"]]
    else:
        assert clusters == {}
        assert rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"] == []
        for db in DATABASES:
            assert [r["registryArn"] for r in services[db]["serviceRegistries"]] == [registry[db]["Arn"]]


def job_tasks(ep, cluster, family):
    """The tasks a one-off job started (stopped ones too: AWS lists them by desired status)."""
    ecs = ep.client("ecs")
    arns = set()
    for status in ("RUNNING", "STOPPED"):
        arns.update(ecs.list_tasks(cluster=cluster, startedBy=family[-36:], desiredStatus=status)["taskArns"])
    return ecs.describe_tasks(cluster=cluster, tasks=sorted(arns))["tasks"] if arns else []


def check_database_identities(ep, env, mode, job_runs=1):
    """No app signs in as its database's master: each reads its own secret, whose user is not the master, and the job
    that made that role ran once, to exit 0, as the master RDS keeps (Aurora) or the container's."""
    prefix = "%s-%s" % (PLATFORM, env)
    cluster = prefix + "-cluster"
    ecs, sm = ep.client("ecs"), ep.client("secretsmanager")
    secrets_key = key_arn(ep, env, "secrets")
    clusters = {c["DBClusterIdentifier"]: c for c in ep.client("rds").describe_db_clusters()["DBClusters"]}
    for db, app in DATABASES.items():
        service = ecs.describe_services(cluster=cluster, services=[app])["services"][0]
        container = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]
        refs = {s["name"]: s["valueFrom"] for s in container["secrets"]}
        user_ref = next(v for k, v in refs.items() if k.endswith("_DB_USER"))
        password_ref = next(v for k, v in refs.items() if k.endswith("_DB_PASSWORD"))
        app_secret = sm.describe_secret(SecretId="%s/%s-app" % (prefix, db))
        # Rotated automatically (every 30 days by default): each task reads the version current when it starts (the
        # rotation function redeploys the app), so the references name no version.
        assert user_ref == "%s:username::" % app_secret["ARN"], refs
        assert password_ref == "%s:password::" % app_secret["ARN"], refs
        app_user = json.loads(sm.get_secret_value(SecretId=app_secret["ARN"])["SecretString"])["username"]
        assert app_user.endswith(("_app", "_app_clone")), app_user
        check_rotation(ep, env, db, app, app_secret, ("APP_USER", "APP_PASSWORD"))
        assert app_secret.get("KmsKeyId") in (secrets_key, secrets_key.split("/")[-1], "alias/%s-secrets" % prefix), app_secret

        job_family = "%s-%s-roles" % (prefix, db)
        job_td = ecs.describe_task_definition(taskDefinition=job_family, include=["TAGS"])
        job = job_td["taskDefinition"]["containerDefinitions"][0]
        job_refs = {s["name"]: s["valueFrom"] for s in job["secrets"]}
        assert job_refs["APP_USER"] == user_ref and job_refs["APP_PASSWORD"] == password_ref, job_refs
        assert job.get("readonlyRootFilesystem") is True and job.get("user") == "70:70", job
        if mode == "aurora":
            cluster_ = clusters["%s-%s" % (prefix, db)]
            master = cluster_.get("MasterUserSecret") or {}
            # RDS keeps the master password, under the secrets key, and rotates it; the one the cluster was made with is gone
            assert master.get("SecretStatus") == "active" and master.get("KmsKeyId") == secrets_key, master
            assert job_refs["PGUSER"] == master["SecretArn"] + ":username::", job_refs
            assert job_refs["PGPASSWORD"] == master["SecretArn"] + ":password::", job_refs
            assert app_user != cluster_["MasterUsername"]
            assert not [s for s in sm.list_secrets()["SecretList"] if s["Name"] == "%s/%s" % (prefix, db) and not s.get("DeletedDate")]
        else:
            master_secret = sm.describe_secret(SecretId="%s/%s" % (prefix, db))
            assert job_refs["PGUSER"] == master_secret["ARN"] + ":username::", job_refs
            master_user = json.loads(sm.get_secret_value(SecretId=master_secret["ARN"])["SecretString"])["username"]
            assert app_user != master_user
        # once per password, and to the end: one task each, stopped with exit code 0, the latest revision marked
        tasks = job_tasks(ep, cluster, job_family)
        assert len(tasks) == job_runs, [t["taskArn"] for t in tasks]
        assert job_td["taskDefinition"]["taskDefinitionArn"] in {t["taskDefinitionArn"] for t in tasks}
        for task in tasks:
            assert task["lastStatus"] == "STOPPED" and [c.get("exitCode") for c in task["containers"]] == [0], task
        assert tags_of(job_td.get("tags"), "key", "value").get("cloud-design:ran"), job_td.get("tags")


def check_rotation(ep, env, name, service, secret, pending):
    """The secret rotates every 30 days through the platform's function: the secret names it, Secrets Manager of the
    account alone may call it, its role may rotate that secret, run its rotation job in the cluster and redeploy the
    service that uses it (if any), nothing else; the job reads the version being rotated to (the pending names)."""
    prefix = "%s-%s" % (PLATFORM, env)
    function = "%s-%s-rotation" % (prefix, name)
    arn = "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, function)
    assert secret.get("RotationEnabled") is True and secret["RotationRules"]["AutomaticallyAfterDays"] == 30, secret
    assert secret["RotationLambdaARN"] == arn, secret
    config = ep.client("lambda").get_function(FunctionName=function)["Configuration"]
    assert config["Handler"] == "secret_rotation.handler" and config["Runtime"].startswith("python3"), config
    variables = config["Environment"]["Variables"]
    assert variables.get("SERVICE", "") == service and variables["TASK_DEFINITION"] == "%s-%s-rotate" % (prefix, name), config
    statement = json.loads(ep.client("lambda").get_policy(FunctionName=function)["Policy"])["Statement"]
    assert [(s["Principal"], s["Action"], s["Condition"]) for s in statement] == [
        ({"Service": "secretsmanager.amazonaws.com"}, "lambda:InvokeFunction", {"StringEquals": {"AWS:SourceAccount": ACCOUNT}})], statement
    iam = ep.client("iam")
    role = iam.get_role(RoleName=function)["Role"]
    assert config["Role"] == role["Arn"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "lambda.amazonaws.com"}]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(":policy/%s-boundary" % prefix), role
    policy = iam.get_role_policy(RoleName=function, PolicyName="rotate-app-credentials")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    # Its own secret by name: the ARN with the six characters Secrets Manager appends left open, which no other matches.
    assert by_sid["RotateOwnSecret"]["Resource"] == secret["ARN"][:-6] + "??????", by_sid["RotateOwnSecret"]
    assert by_sid["RunTheRotationJob"]["Resource"].endswith(":task-definition/%s-%s-rotate:*" % (prefix, name))
    if service:
        assert by_sid["RedeployTheApp"]["Resource"].endswith(":service/%s-cluster/%s" % (prefix, service))
    else:
        assert "RedeployTheApp" not in by_sid, policy
    assert all(s["Resource"] != "*" for sid, s in by_sid.items() if sid != "NewPasswords"), policy
    group = ep.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/" + function)["logGroups"]
    assert [g.get("kmsKeyId") for g in group] == [key_arn(ep, env, "logs")], group
    job = ep.client("ecs").describe_task_definition(taskDefinition="%s-%s-rotate" % (prefix, name))["taskDefinition"]
    container = job["containerDefinitions"][0]
    assert container.get("readonlyRootFilesystem") is True and container.get("user") not in (None, "", "0", "root"), container
    refs = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert refs[pending[0]] == secret["ARN"] + ":username:AWSPENDING:", refs
    assert refs[pending[1]] == secret["ARN"] + ":password:AWSPENDING:", refs
    return refs


def check_broker_identities(ep, env):
    """No app signs in as the broker's administrator: each reads its own user's secret (its name the app's), and the job
    that made the users ran once, to exit 0, as the administrator."""
    prefix = "%s-%s" % (PLATFORM, env)
    cluster = prefix + "-cluster"
    ecs, sm = ep.client("ecs"), ep.client("secretsmanager")
    admin = sm.describe_secret(SecretId="%s/rabbitmq" % prefix)
    admin_user = json.loads(sm.get_secret_value(SecretId=admin["ARN"])["SecretString"])["username"]
    job_td = ecs.describe_task_definition(taskDefinition="%s-rabbitmq-users" % prefix, include=["TAGS"])
    job = job_td["taskDefinition"]["containerDefinitions"][0]
    job_refs = {s["name"]: s["valueFrom"] for s in job["secrets"]}
    assert job_refs["ADMIN_USER"] == admin["ARN"] + ":username::" and job_refs["ADMIN_PASSWORD"] == admin["ARN"] + ":password::"
    assert job.get("readonlyRootFilesystem") is True and job.get("user") == "65534:65534", job
    job_env = {e["name"]: e["value"] for e in job["environment"]}
    assert sorted(json.loads(job_env["BROKER_CLIENTS"])) == BROKER_CLIENTS, job_env
    # the administrator's credentials rotate too, through a job that signs in as the current administrator
    refs = check_rotation(ep, env, "rabbitmq", "", admin, ("PENDING_USER", "PENDING_PASSWORD"))
    assert refs["ADMIN_USER"] == job_refs["ADMIN_USER"] and refs["ADMIN_PASSWORD"] == job_refs["ADMIN_PASSWORD"], refs
    for app in BROKER_CLIENTS:
        own = sm.describe_secret(SecretId="%s/rabbitmq-%s" % (prefix, app))
        document = json.loads(sm.get_secret_value(SecretId=own["ARN"])["SecretString"])
        # the user alternates between <app> and <app>_clone, one rotation to the next
        assert document["username"] in (app, app + "_clone") and document["username"] != admin_user
        refs = check_rotation(ep, env, "rabbitmq-" + app, app, own, ("PENDING_USER", "PENDING_PASSWORD"))
        assert refs["ADMIN_USER"] == job_refs["ADMIN_USER"], refs
        service = ecs.describe_services(cluster=cluster, services=[app])["services"][0]
        container = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]
        refs = {s["name"]: s["valueFrom"] for s in container["secrets"]}
        assert refs["RABBITMQ_USER"] == own["ARN"] + ":username::" and refs["RABBITMQ_PASSWORD"] == own["ARN"] + ":password::", refs
        assert not [v for v in refs.values() if v.startswith(admin["ARN"])], refs
        assert job_refs[app.upper().replace("-", "_") + "_PASSWORD"] == own["ARN"] + ":password::"
        assert job_refs[app.upper().replace("-", "_") + "_USER"] == own["ARN"] + ":username::"
    tasks = job_tasks(ep, cluster, "%s-rabbitmq-users" % prefix)
    assert len(tasks) == 1, [t["taskArn"] for t in tasks]
    assert tasks[0]["lastStatus"] == "STOPPED" and [c.get("exitCode") for c in tasks[0]["containers"]] == [0], tasks[0]
    assert tasks[0]["taskDefinitionArn"] == job_td["taskDefinition"]["taskDefinitionArn"]
    assert tags_of(job_td.get("tags"), "key", "value").get("cloud-design:ran"), job_td.get("tags")
