"""ecs_workload (the ECS service pattern) against moto, plus its pure comparison logic."""

import copy
import json

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu
from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload import spec as ews
from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload import workload as ew_aws
from ansible_collections.cloud_design.platform.plugins.modules import ecs_workload as ew

from ...conftest import ModuleFail

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:demo-t/billing-db-AbCdEf"


@pytest.fixture
def platform(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # As the platform's VPC (the network role): tasks' interfaces get DNS names (moto's RunTask needs one).
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone="eu-west-1" + az)["Subnet"]["SubnetId"]
               for i, az in enumerate("ab")]
    sg = ec2.create_security_group(GroupName="demo-t-billing-app", Description="x", VpcId=vpc)["GroupId"]
    aws("ecs").create_cluster(clusterName="demo-t-cluster")
    sd = aws("servicediscovery")
    sd.create_private_dns_namespace(Name="t.demo.internal", Vpc=vpc)
    ns = sd.list_namespaces()["Namespaces"][0]["Id"]
    return {"vpc": vpc, "subnets": subnets, "sg": sg, "namespace": ns}


def args(platform, **extra):
    base = {
        "platform_name": "demo",
        "platform_env": "t",
        "name": "billing-app",
        "cluster": "demo-t-cluster",
        "image": "nprimo/billing-app:0.0.2",
        "cpu": 256,
        "memory": 512,
        "port": 8080,
        "environment": {"BILLING_DB_NAME": "orders"},
        "secrets": {"BILLING_DB_PASSWORD": SECRET_ARN + ":password::"},
        "secrets_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/abc",
        "health_check": {"command": ["CMD-SHELL", "wget -qO- localhost:8080/ || exit 1"]},
        "writable_paths": ["/tmp"],
        "subnets": platform["subnets"],
        "security_group_ids": [platform["sg"]],
        "discovery": {"namespace_id": platform["namespace"], "name": "billing-app"},
        "autoscaling": {"min_count": 1, "max_count": 3, "cpu_target": 70, "memory_target": 75},
        "wait": False,
        "tags": {"Project": "demo", "Environment": "t", "Component": "service_billing"},
    }
    base.update(extra)
    return base


def test_check_mode_makes_nothing(aws, run_module, platform):
    result = run_module(ew, args(platform), check=True, diff=True)
    assert result["changed"] is True
    assert any(c.startswith("create service") for c in result["changes"])
    assert aws("ecs").list_services(cluster="demo-t-cluster")["serviceArns"] == []
    assert aws("ecs").list_task_definitions()["taskDefinitionArns"] == []
    assert aws("iam").list_roles()["Roles"] == []


def test_converges_everything_and_is_idempotent(aws, run_module, platform):
    result = run_module(ew, args(platform))
    assert result["changed"] is True
    ecs = aws("ecs")
    service = ecs.describe_services(cluster="demo-t-cluster", services=["billing-app"])["services"][0]
    assert service["status"] == "ACTIVE"
    assert service["desiredCount"] == 1
    assert service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [platform["sg"]]
    registry = aws("servicediscovery").list_services()["Services"]
    assert [s["Name"] for s in registry] == ["billing-app"]
    assert service["serviceRegistries"][0]["registryArn"] == registry[0]["Arn"]

    td = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    container = td["containerDefinitions"][0]
    assert td["requiresCompatibilities"] == ["FARGATE"] and td["networkMode"] == "awsvpc"
    assert container["secrets"] == [{"name": "BILLING_DB_PASSWORD", "valueFrom": SECRET_ARN + ":password::"}]
    assert container["readonlyRootFilesystem"] is True
    assert container["logConfiguration"] == {"logDriver": "awslogs", "options": {
        "awslogs-group": "/demo/t/ecs/billing-app", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "ecs",
        "mode": "non-blocking", "max-buffer-size": "25m"}}
    assert {"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False} in container["mountPoints"]

    iam = aws("iam")
    policy = iam.get_role_policy(RoleName="demo-t-billing-app-exec", PolicyName="start-tasks")["PolicyDocument"]
    reads = [s for s in policy["Statement"] if s["Sid"] == "ReadOwnSecrets"][0]
    assert reads["Resource"] == [SECRET_ARN]  # only its own secret, not secretsmanager:*
    assert iam.list_role_policies(RoleName="demo-t-billing-app-task")["PolicyNames"] == []

    logs = aws("logs").describe_log_groups(logGroupNamePrefix="/demo/t/ecs/billing-app")["logGroups"]
    assert logs[0]["retentionInDays"] == 30

    aas = aws("application-autoscaling")
    target = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 3)
    policies = {p["PolicyName"]: p for p in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]}
    assert sorted(policies) == ["demo-t-billing-app-cpu", "demo-t-billing-app-memory"]
    metric = policies["demo-t-billing-app-memory"]["TargetTrackingScalingPolicyConfiguration"]
    assert metric["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageMemoryUtilization"

    again = run_module(ew, args(platform))
    assert again["changed"] is False, again["changes"]
    assert run_module(ew, args(platform), check=True)["changed"] is False


def test_image_change_registers_one_revision_and_updates_service(aws, run_module, platform):
    run_module(ew, args(platform))
    checked = run_module(ew, args(platform, image="nprimo/billing-app:0.0.3"), check=True)
    assert any("register task definition" in c and "container image" in c for c in checked["changes"])
    assert len(aws("ecs").list_task_definitions()["taskDefinitionArns"]) == 1
    result = run_module(ew, args(platform, image="nprimo/billing-app:0.0.3"))
    assert result["changed"] is True
    arns = aws("ecs").list_task_definitions()["taskDefinitionArns"]
    assert len(arns) == 2
    service = aws("ecs").describe_services(cluster="demo-t-cluster", services=["billing-app"])["services"][0]
    assert service["taskDefinition"] == arns[-1]


def test_scaling_bounds_change(aws, run_module, platform):
    run_module(ew, args(platform))
    result = run_module(ew, args(platform, desired_count=2, autoscaling={"min_count": 2, "max_count": 4}))
    assert result["changed"] is True
    target = aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)
    # the desired count is brought inside the new bounds
    service = aws("ecs").describe_services(cluster="demo-t-cluster", services=["billing-app"])["services"][0]
    assert service["desiredCount"] == 2


def test_absent_removes_everything(aws, run_module, platform):
    run_module(ew, args(platform))
    result = run_module(ew, args(platform, state="absent"))
    assert result["changed"] is True
    ecs = aws("ecs")
    services = ecs.describe_services(cluster="demo-t-cluster", services=["billing-app"])["services"]
    assert all(s["status"] == "INACTIVE" for s in services)
    assert ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"] == []
    assert aws("servicediscovery").list_services()["Services"] == []
    assert aws("iam").list_roles()["Roles"] == []
    assert aws("logs").describe_log_groups(logGroupNamePrefix="/demo/t/ecs/")["logGroups"] == []
    assert aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert run_module(ew, args(platform, state="absent"))["changed"] is False


@pytest.mark.parametrize("extra, message", [
    ({"cpu": 256, "memory": 4096}, "memory 4096 does not go with cpu 256"),
    ({"cpu": 300}, "cpu 300 is not a Fargate size"),
    ({"port": 70000}, "port 70000 is not a TCP port"),
    ({"autoscaling": {"min_count": 3, "max_count": 2}}, "autoscaling.min_count 3 is above"),
    ({"image": " "}, "image is empty"),
])
def test_rejects_what_aws_would_refuse(aws, run_module, platform, extra, message):
    with pytest.raises(ModuleFail, match=message):
        run_module(ew, args(platform, **extra))
    assert aws("iam").list_roles()["Roles"] == []


# ---- comparison logic on responses shaped like the real ECS API (the endpoint omits some fields)

RECORDED_SERVICE = {
    "serviceName": "billing-app",
    "status": "ACTIVE",
    "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/demo-t-billing-app:3",
    "desiredCount": 2,
    "deploymentConfiguration": {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    },
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-b", "subnet-a"], "securityGroups": ["sg-1"],
                                                     "assignPublicIp": "DISABLED"}},
    "serviceRegistries": [{"registryArn": "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-1"}],
    "loadBalancers": [],
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
    "healthCheckGracePeriodSeconds": 0,
}


def wanted_service(**extra):
    params = {
        "cluster": "demo-t-cluster", "desired_count": 1, "deployment": {"minimum_healthy_percent": 100, "maximum_percent": 200},
        "subnets": ["subnet-a", "subnet-b"], "security_group_ids": ["sg-1"], "load_balancers": [],
        "capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}],
        "health_check_grace_period": 60,
    }
    params.update(extra)
    names = {"service": "billing-app", "container": "billing-app"}
    return ews.service_request(params, names, RECORDED_SERVICE["taskDefinition"],
                               "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-1")


def test_real_api_shape_turns_the_circuit_breaker_on():
    update = ews.service_differences(RECORDED_SERVICE, wanted_service(), {"min_count": 1, "max_count": 4})
    assert update == {"deploymentConfiguration": wanted_service()["deploymentConfiguration"]}
    assert update["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_real_api_shape_converged_service_needs_nothing():
    current = copy.deepcopy(RECORDED_SERVICE)
    current["deploymentConfiguration"]["deploymentCircuitBreaker"] = {"enable": True, "rollback": True}
    assert ews.service_differences(current, wanted_service(), {"min_count": 1, "max_count": 4}) == {}
    # without autoscaling the desired count is the module's to keep
    assert ews.service_differences(current, wanted_service(), {}) == {"desiredCount": 1}


def test_real_api_shape_capacity_strategy_change_forces_a_deployment():
    current = copy.deepcopy(RECORDED_SERVICE)
    current["deploymentConfiguration"]["deploymentCircuitBreaker"] = {"enable": True, "rollback": True}
    spot = [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    update = ews.service_differences(current, wanted_service(capacity_provider_strategy=spot), {"min_count": 1, "max_count": 4})
    assert update["forceNewDeployment"] is True
    assert update["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]


def test_a_launch_type_service_moves_to_the_capacity_strategy_it_is_given():
    """A service made with launchType FARGATE reports no strategy: the strategy wanted is put, with a new deployment
    (UpdateService: capacityProviderStrategy), rather than left out because the service had none."""
    current = copy.deepcopy(RECORDED_SERVICE)
    current["deploymentConfiguration"]["deploymentCircuitBreaker"] = {"enable": True, "rollback": True}
    current.pop("capacityProviderStrategy", None)
    current["launchType"] = "FARGATE"
    update = ews.service_differences(current, wanted_service(), {"min_count": 1, "max_count": 4})
    assert update == {"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}], "forceNewDeployment": True}


def test_a_grace_period_changed_by_hand_is_put_back_and_a_missing_one_is_put():
    current = copy.deepcopy(RECORDED_SERVICE)
    current["deploymentConfiguration"]["deploymentCircuitBreaker"] = {"enable": True, "rollback": True}
    wanted = wanted_service(load_balancers=[{"target_group_arn": "arn:tg", "container_port": 8080}])
    for have in (5, None):
        current["healthCheckGracePeriodSeconds"] = have
        if have is None:
            current.pop("healthCheckGracePeriodSeconds")
        update = ews.service_differences(current, wanted, {"min_count": 1, "max_count": 4})
        assert update.pop("healthCheckGracePeriodSeconds") == 60, have
        assert set(update) <= {"loadBalancers"}, update


def test_task_definition_comparison_ignores_what_aws_adds():
    wanted = ews.task_definition_request(
        dict(args({"subnets": [], "sg": "", "namespace": ""}), extra_ports=[], command=None, user="", volumes=[],
             read_only_root_filesystem=True, health_check={}),
        pu.workload_names("demo", "t", "billing-app"), "eu-west-1", "arn:exec", "arn:task")
    registered = json.loads(json.dumps(wanted))
    registered["containerDefinitions"][0]["portMappings"][0]["hostPort"] = 8080
    registered["containerDefinitions"][0]["cpu"] = 0
    registered.update(revision=3, status="ACTIVE", compatibilities=["EC2", "FARGATE"])
    assert ews.task_definition_differences(registered, wanted) == []
    registered["containerDefinitions"][0]["secrets"] = []
    assert ews.task_definition_differences(registered, wanted) == ["container secrets"]


# ---- waiting for a deployment (the endpoint runs no tasks, so these are recorded API shapes)

NEW = "arn:aws:ecs:eu-west-1:123456789012:task-definition/demo-t-billing-app:4"
OLD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/demo-t-billing-app:3"


def deployment(state, reason="", task_definition=NEW):
    return {"serviceName": "billing-app", "status": "ACTIVE", "events": [{"message": "(service billing-app) task failed to start"}],
            "deployments": [{"status": "PRIMARY", "rolloutState": state, "rolloutStateReason": reason, "taskDefinition": task_definition,
                             "desiredCount": 2, "runningCount": 0}]}


def rolled_back():
    """The circuit breaker's rollback as ECS reports it: the new deployment FAILED, a new PRIMARY of the previous
    task definition that completes."""
    return {"serviceName": "billing-app", "status": "ACTIVE", "events": [{"message": "(service billing-app) rolling back"}],
            "deployments": [
                {"status": "PRIMARY", "rolloutState": "COMPLETED", "rolloutStateReason": "ECS deployment completed.",
                 "taskDefinition": OLD, "desiredCount": 2, "runningCount": 2},
                {"status": "ACTIVE", "rolloutState": "FAILED", "taskDefinition": NEW, "desiredCount": 0, "runningCount": 0,
                 "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start."}]}


class FakeModule:
    def __init__(self, **params):
        self.params = dict({"platform_name": "demo", "platform_env": "t", "name": "billing-app", "wait_timeout": 30}, **params)
        self.check_mode = False
        self.region = "eu-west-1"


def waiting(monkeypatch, workload, answers):
    """The service answers these in turn; returns the list of those the wait read."""
    pending, read = iter(answers), []
    monkeypatch.setattr(workload, "find_service", lambda: read.append(next(pending)) or read[-1])
    monkeypatch.setattr(ew_aws, "wait_for", lambda probe, done, **kw: next(r for r in iter(probe, None) if done(r)))
    return read


def test_wait_returns_once_the_rollout_completes(monkeypatch):
    """An IN_PROGRESS rollout is waited through: the wait ends on the COMPLETED answer, not before."""
    workload = ew_aws.Workload(FakeModule())
    answers = [deployment("IN_PROGRESS"), deployment("IN_PROGRESS"), deployment("COMPLETED")]
    read = waiting(monkeypatch, workload, answers)
    assert workload.wait_deployment(NEW) is None
    assert read == answers


def test_wait_reports_a_rolled_back_deployment(monkeypatch):
    workload = ew_aws.Workload(FakeModule())
    monkeypatch.setattr(workload, "find_service", lambda: deployment("FAILED", "ECS deployment circuit breaker: tasks failed to start."))
    with pytest.raises(pu.PlatformError, match="circuit breaker rolled it back.*tasks failed to start.*Recent events"):
        workload.wait_deployment(NEW)


def test_a_rollback_whose_new_primary_completes_is_a_failure(monkeypatch):
    """The rollback's own PRIMARY deployment ends COMPLETED; it runs the previous task definition."""
    workload = ew_aws.Workload(FakeModule())
    waiting(monkeypatch, workload, [deployment("IN_PROGRESS"), rolled_back()])
    with pytest.raises(pu.PlatformError, match="rolled it back: ECS deployment circuit breaker: tasks failed to start"):
        workload.wait_deployment(NEW)


def test_a_primary_of_another_task_definition_is_a_failure(monkeypatch):
    workload = ew_aws.Workload(FakeModule())
    waiting(monkeypatch, workload, [deployment("COMPLETED", task_definition=OLD)])
    with pytest.raises(pu.PlatformError, match="the service runs .*:3, not .*:4"):
        workload.wait_deployment(NEW)


# ---- against the endpoint's ECS deployments (tools/endpoint_rules.py): rollout, and the circuit breaker's rollback

@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(ew_aws, "wait_for", lambda probe, done, **kw: next(r for r in iter(probe, None) if done(r)))


def test_a_deployment_waited_for_completes(aws, run_module, platform, fast):
    run_module(ew, args(platform, wait=True))
    run_module(ew, args(platform, wait=True, image="nprimo/billing-app:0.0.3"))
    service = aws("ecs").describe_services(cluster="demo-t-cluster", services=["billing-app"])["services"][0]
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [("PRIMARY", "COMPLETED")]
    assert service["deployments"][0]["taskDefinition"].endswith(":2")


def test_a_deployment_the_circuit_breaker_rolls_back_fails_the_run(aws, run_module, platform, fast):
    """ECS's rollback starts a new PRIMARY deployment of the previous task definition, which completes: the run
    must fail all the same (it used to report success)."""
    run_module(ew, args(platform, wait=True))
    with pytest.raises(ModuleFail, match="circuit breaker rolled it back: ECS deployment circuit breaker: tasks failed to start"):
        run_module(ew, args(platform, wait=True, image="nprimo/billing-app:endpoint-cannot-start"))
    service = aws("ecs").describe_services(cluster="demo-t-cluster", services=["billing-app"])["services"][0]
    assert service["taskDefinition"].endswith(":1")
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [("PRIMARY", "COMPLETED"), ("ACTIVE", "FAILED")]


BOUNDARY = "arn:aws:iam::123456789012:policy/demo-t-boundary"


def test_roles_carry_the_permissions_boundary(aws, run_module, platform):
    aws("iam").create_policy(PolicyName="demo-t-boundary", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}))
    run_module(ew, args(platform, permissions_boundary=BOUNDARY))
    for role in ("demo-t-billing-app-exec", "demo-t-billing-app-task"):
        assert aws("iam").get_role(RoleName=role)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
    assert run_module(ew, args(platform, permissions_boundary=BOUNDARY))["changed"] is False


def test_roles_made_before_the_boundary_get_it_first(aws, run_module, platform):
    aws("iam").create_policy(PolicyName="demo-t-boundary", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}))
    run_module(ew, args(platform))
    assert "PermissionsBoundary" not in aws("iam").get_role(RoleName="demo-t-billing-app-task")["Role"]
    planned = run_module(ew, args(platform, permissions_boundary=BOUNDARY), check=True)
    assert "role demo-t-billing-app-task: permissions boundary demo-t-boundary" in planned["changes"]
    assert "PermissionsBoundary" not in aws("iam").get_role(RoleName="demo-t-billing-app-task")["Role"]
    run_module(ew, args(platform, permissions_boundary=BOUNDARY))
    role = aws("iam").get_role(RoleName="demo-t-billing-app-task")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY


# ---- one-off jobs (run_once): the database roles job runs once per key and revision

def job_args(platform, key="version-1", **extra):
    base = args(platform, name="billing-db-roles", autoscaling={}, command=["sh", "-c", "echo hi"],
                run_once={"key": key, "timeout": 60})
    for unset in ("port", "health_check", "discovery"):
        del base[unset]
    base.update(extra)
    return base


def tasks_of(aws, family="demo-t-billing-db-roles"):
    ecs = aws("ecs")
    arns = ecs.list_tasks(cluster="demo-t-cluster", desiredStatus="RUNNING")["taskArns"] + ecs.list_tasks(
        cluster="demo-t-cluster", desiredStatus="STOPPED")["taskArns"]
    found = ecs.describe_tasks(cluster="demo-t-cluster", tasks=arns)["tasks"] if arns else []
    return [t for t in found if family in t["taskDefinitionArn"]]


def test_a_job_runs_once_per_key_and_makes_no_service(aws, run_module, platform, fast):
    first = run_module(ew, job_args(platform))
    assert first["changed"] is True
    assert first["workload"]["run"]["ran"] is True and first["workload"]["run"]["exit_code"] == 0
    assert aws("ecs").list_services(cluster="demo-t-cluster")["serviceArns"] == []
    ecs = aws("ecs")
    tags = ecs.list_tags_for_resource(resourceArn=first["workload"]["task_definition"]["arn"])["tags"]
    assert {"key": ews.RAN_TAG, "value": "version-1"} in tags
    assert len(tasks_of(aws)) == 1
    # Converged: nothing runs, nothing changes, the marker is not taken for a foreign tag.
    again = run_module(ew, job_args(platform))
    assert again["changed"] is False, again["changes"]
    assert len(tasks_of(aws)) == 1
    # A new key (a rotated password) runs it again, on the same revision.
    rotated = run_module(ew, job_args(platform, key="version-2"))
    assert rotated["changes"] == ["run demo-t-billing-db-roles once (for version-2)"]
    assert len(tasks_of(aws)) == 2
    # A new revision (the script changed) runs it again.
    changed = run_module(ew, job_args(platform, key="version-2", command=["sh", "-c", "echo new"]))
    assert changed["workload"]["run"]["ran"] is True
    assert len(tasks_of(aws)) == 3


def test_a_job_that_is_not_started_is_made_and_never_runs(aws, run_module, platform, fast):
    made = run_module(ew, job_args(platform, run_once={"key": "rotation", "timeout": 60, "start": False}))
    assert made["changed"] is True and made["workload"]["run"] == {"key": "rotation", "ran": False}
    assert aws("ecs").describe_task_definition(taskDefinition="demo-t-billing-db-roles")["taskDefinition"]["revision"] == 1
    assert tasks_of(aws) == []
    again = run_module(ew, job_args(platform, run_once={"key": "rotation", "timeout": 60, "start": False}))
    assert again["changed"] is False, again["changes"]
    assert tasks_of(aws) == []


def test_a_job_in_check_mode_says_it_would_run_and_runs_nothing(aws, run_module, platform, fast):
    result = run_module(ew, job_args(platform), check=True)
    assert "run demo-t-billing-db-roles once (for version-1)" in result["changes"]
    assert tasks_of(aws) == []


def test_a_job_that_exits_non_zero_fails_and_is_not_marked(aws, run_module, platform, fast, monkeypatch):
    from moto.ecs import models as ecs_models  # pylint: disable=import-outside-toplevel

    real = ecs_models.Container.__init__

    def failing(self, task_def):
        real(self, task_def)
        self.exitCode = 3

    monkeypatch.setattr(ecs_models.Container, "__init__", failing)
    with pytest.raises(ModuleFail, match="failed: exit code 3. Its output is in the log group /demo/t/ecs/billing-db-roles"):
        run_module(ew, job_args(platform))
    arn = aws("ecs").list_task_definitions()["taskDefinitionArns"][0]
    assert ews.RAN_TAG not in [t["key"] for t in aws("ecs").list_tags_for_resource(resourceArn=arn)["tags"]]
    # The next run tries again (the same token: AWS would hand back the same stopped task; a fixed script gets a new revision).
    monkeypatch.setattr(ecs_models.Container, "__init__", real)
    assert run_module(ew, job_args(platform, command=["sh", "-c", "echo fixed"]))["workload"]["run"]["ran"] is True


def test_a_run_task_whose_answer_is_lost_starts_one_task(aws, run_module, platform, fast, monkeypatch):
    """The retry of a RunTask that went through carries the same client token: one task, not two."""
    import botocore.exceptions  # pylint: disable=import-outside-toplevel
    from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu  # pylint: disable=import-outside-toplevel

    real_client = pu.PlatformModule.client
    lost = {"run_task": 1}

    class Losing:
        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            call = getattr(self.conn, name)
            if name != "run_task":
                return call

            def once_lost(**kwargs):
                answer = call(**kwargs)
                if lost["run_task"]:
                    lost["run_task"] -= 1
                    raise botocore.exceptions.ReadTimeoutError(endpoint_url="https://aws.example")
                return answer
            return once_lost

    def client(self, service, retries=True, **extra):
        conn = real_client(self, service, retries=retries, **extra)
        return Losing(conn) if service == "ecs" else conn

    monkeypatch.setattr(pu.PlatformModule, "client", client)
    with pytest.raises(ModuleFail, match="Read timeout"):
        run_module(ew, job_args(platform))
    assert len(tasks_of(aws)) == 1
    # The play stopped there; the next run asks again with the same token and waits for that same task.
    result = run_module(ew, job_args(platform))
    assert result["workload"]["run"]["ran"] is True
    assert len(tasks_of(aws)) == 1


def test_job_outcome_reads_the_container():
    stopped = {"stoppedReason": "Essential container in task exited", "stopCode": "EssentialContainerExited",
               "containers": [{"name": "billing-db-roles", "exitCode": 1}]}
    assert ews.job_outcome(stopped, "billing-db-roles") == (
        False, "exit code 1; Essential container in task exited; EssentialContainerExited")
    never = {"stoppedReason": "CannotPullContainerError: pull access denied", "containers": [{"name": "billing-db-roles"}]}
    assert ews.job_outcome(never, "billing-db-roles")[1].startswith("exit code none (the container did not run)")
    assert ews.job_outcome({"containers": [{"name": "billing-db-roles", "exitCode": 0}]}, "billing-db-roles") == (True, "")


def test_a_job_named_after_a_service_leaves_the_services_scaling_alone(aws, run_module, platform, fast):
    """billing-db-roles beside billing-db: removing the job must not touch billing-db's scaling policies (moto matched
    the resource id as a substring and the job's removal tried to delete billing-db's)."""
    run_module(ew, args(platform, name="billing-db", discovery={"namespace_id": platform["namespace"], "name": "billing-db"}))
    run_module(ew, job_args(platform))
    removed = run_module(ew, {"platform_name": "demo", "platform_env": "t", "name": "billing-db-roles", "cluster": "demo-t-cluster",
                              "wait": False, "state": "absent"})
    assert not [c for c in removed["changes"] if "billing-db-cpu" in c or "billing-db-memory" in c], removed["changes"]
    left = aws("application-autoscaling").describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert sorted(p["PolicyName"] for p in left) == ["demo-t-billing-db-cpu", "demo-t-billing-db-memory"]


def test_a_third_converge_after_two_revisions_changes_nothing(aws, run_module, platform):
    """The latest revision is the one compared (it was the oldest on the endpoint: a new revision every run)."""
    run_module(ew, args(platform))
    run_module(ew, args(platform, image="nprimo/billing-app:0.0.3"))
    again = run_module(ew, args(platform, image="nprimo/billing-app:0.0.3"))
    assert again["changed"] is False, again["changes"]
    assert len(aws("ecs").list_task_definitions()["taskDefinitionArns"]) == 2


def test_a_lost_register_answer_makes_one_revision(aws, run_module, platform, lose_answers):
    """RegisterTaskDefinition carried out, its answer lost: the revision is adopted (same content), not registered twice."""
    lose_answers.update(register_task_definition=1)
    assert run_module(ew, args(platform))["changed"] is True
    assert lose_answers == {"register_task_definition": 0}
    assert len(aws("ecs").list_task_definitions()["taskDefinitionArns"]) == 1
    assert run_module(ew, args(platform))["changed"] is False


def test_a_rerun_makes_its_first_reads_at_once_and_reads_each_thing_once(aws, run_module, platform, slow_calls):
    """The log group, both roles, the latest revision, the service and its autoscaling are read at once, then what each
    holds: at 50 ms a call, a converged workload is confirmed in a few round trips instead of one per read."""
    run_module(ew, args(platform))
    slow_calls.start()
    assert run_module(ew, args(platform))["changed"] is False
    calls = slow_calls.calls
    assert slow_calls.most >= 6, (slow_calls.most, calls)
    for operation in ("DescribeLogGroups", "ListTaskDefinitions", "DescribeTaskDefinition", "DescribeServices", "ListTagsLogGroup"):
        assert calls.count(operation) == 1, (operation, calls)
    assert calls.count("GetRole") == 2, calls
    # The Cloud Map service is read with the first reads, not after them: before the second round begins.
    assert calls.index("ListServices") < calls.index("DescribeTaskDefinition"), calls
    assert calls.count("ListServices") == calls.count("GetService") == 1, calls
