# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS workload's pure parts: its options, what AWS would refuse in them, and the requests and documents built
from them (task definition, service, IAM policies), each unit tested without AWS."""

from __future__ import annotations

from ansible_collections.cloud_design.platform.plugins.module_utils.workload_spec import workload_errors

SCALABLE = {"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}
# The tag a job's task definition revision carries once its task ran to exit 0 for a key (option run_once).
RAN_TAG = "cloud-design:ran"


# ---------------------------------------------------------------- pure parts (unit tested)

def secret_arn(value_from):
    """The secret's ARN from a valueFrom reference (``<arn>:<key>:<stage>:<version>``)."""
    parts = value_from.split(":")
    return ":".join(parts[:7]) if value_from.startswith("arn:") and len(parts) >= 7 else value_from


def container_definition(params, names, region):
    ports = [p for p in [params.get("port")] + list(params["extra_ports"]) if p]
    container = {
        "name": names["container"],
        "image": params["image"],
        "essential": True,
        "portMappings": [{"containerPort": p, "protocol": "tcp"} for p in ports],
        "environment": [{"name": k, "value": str(v)} for k, v in sorted(params["environment"].items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(params["secrets"].items())],
        "readonlyRootFilesystem": params["read_only_root_filesystem"],
        "mountPoints": [{"sourceVolume": v["name"], "containerPath": v["container_path"], "readOnly": v["read_only"]}
                        for v in params["volumes"]]
        + [{"sourceVolume": scratch_name(p), "containerPath": p, "readOnly": False} for p in params["writable_paths"]],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": names["log_group"],
                "awslogs-region": region,
                "awslogs-stream-prefix": "ecs",
                # A full log buffer drops lines instead of stopping the app's writes (Amazon ECS API Reference,
                # LogConfiguration: mode, max-buffer-size). Said here, not left to the account's defaultLogDriverMode
                # setting, which may be blocking (Amazon ECS Developer Guide, "Account settings").
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
    }
    if params.get("command"):
        container["command"] = list(params["command"])
    if params.get("user"):
        container["user"] = params["user"]
    check = params.get("health_check") or {}
    if check.get("command"):
        container["healthCheck"] = {
            "command": list(check["command"]),
            "interval": check["interval"],
            "timeout": check["timeout"],
            "retries": check["retries"],
            "startPeriod": check["start_period"],
        }
    return container


def scratch_name(path):
    return "scratch" + "".join(c if c.isalnum() else "-" for c in path).rstrip("-")


def task_definition_request(params, names, region, execution_role_arn, task_role_arn):
    volumes = [{
        "name": v["name"],
        "efsVolumeConfiguration": {
            "fileSystemId": v["file_system_id"],
            "transitEncryption": "ENABLED",
            "authorizationConfig": {"accessPointId": v["access_point_id"], "iam": "ENABLED"},
        },
    } for v in params["volumes"]] + [{"name": scratch_name(p)} for p in params["writable_paths"]]
    return {
        "family": names["family"],
        "taskRoleArn": task_role_arn,
        "executionRoleArn": execution_role_arn,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": str(params["cpu"]),
        "memory": str(params["memory"]),
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        "containerDefinitions": [container_definition(params, names, region)],
        "volumes": volumes,
    }


def _normal_container(container):
    keep = ("name", "image", "essential", "command", "user", "readonlyRootFilesystem", "healthCheck", "logConfiguration")
    out = {k: container.get(k) for k in keep if container.get(k) not in (None, [], {})}
    out["portMappings"] = sorted((p.get("containerPort"), p.get("protocol", "tcp")) for p in container.get("portMappings") or [])
    out["environment"] = sorted((e["name"], e["value"]) for e in container.get("environment") or [])
    out["secrets"] = sorted((e["name"], e["valueFrom"]) for e in container.get("secrets") or [])
    out["mountPoints"] = sorted((m["sourceVolume"], m["containerPath"], bool(m.get("readOnly"))) for m in container.get("mountPoints") or [])
    out.setdefault("readonlyRootFilesystem", False)
    return out


def normal_task_definition(td):
    """The parts of a task definition the module manages, in a comparable form."""
    if not td:
        return {}
    volumes = []
    for vol in td.get("volumes") or []:
        efs = vol.get("efsVolumeConfiguration")
        volumes.append((vol["name"], efs.get("fileSystemId") if efs else None,
                        ((efs or {}).get("authorizationConfig") or {}).get("accessPointId")))
    return {
        "family": td.get("family"),
        "taskRoleArn": td.get("taskRoleArn"),
        "executionRoleArn": td.get("executionRoleArn"),
        "networkMode": td.get("networkMode"),
        "cpu": str(td.get("cpu")),
        "memory": str(td.get("memory")),
        "containers": [_normal_container(c) for c in td.get("containerDefinitions") or []],
        "volumes": sorted(volumes, key=str),
    }


def task_definition_differences(current, wanted):
    """Names of the top-level parts that differ (empty when the revision can be kept)."""
    have, want = normal_task_definition(current), normal_task_definition(wanted)
    if not have:
        return ["new"]
    diffs = [k for k in want if k != "containers" and have.get(k) != want[k]]
    for index, container in enumerate(want["containers"]):
        other = have["containers"][index] if index < len(have["containers"]) else {}
        diffs.extend(sorted("container " + k for k in set(container) | set(other) if container.get(k) != other.get(k)))
    return diffs


def service_request(params, names, task_definition_arn, registry_arn):
    deployment = params["deployment"] or {}
    request = {
        "cluster": params["cluster"],
        "serviceName": names["service"],
        "taskDefinition": task_definition_arn,
        "desiredCount": params["desired_count"],
        "platformVersion": "LATEST",
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": deployment.get("maximum_percent", 200),
            "minimumHealthyPercent": deployment.get("minimum_healthy_percent", 100),
        },
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": sorted(params["subnets"]),
            "securityGroups": sorted(params["security_group_ids"]),
            "assignPublicIp": "DISABLED",
        }},
        "propagateTags": "SERVICE",
        "enableECSManagedTags": True,
        "enableExecuteCommand": False,
        "serviceRegistries": [{"registryArn": registry_arn}] if registry_arn else [],
        "loadBalancers": [{"targetGroupArn": lb["target_group_arn"], "containerName": names["container"],
                           "containerPort": lb["container_port"]} for lb in params["load_balancers"]],
    }
    if params["capacity_provider_strategy"]:
        request["capacityProviderStrategy"] = [
            {"capacityProvider": s["capacity_provider"], "weight": s["weight"], "base": s["base"]}
            for s in params["capacity_provider_strategy"]]
    else:
        request["launchType"] = "FARGATE"
    if params["load_balancers"]:
        request["healthCheckGracePeriodSeconds"] = params["health_check_grace_period"]
    return request


def service_differences(current, wanted, autoscaling):
    """{field: wanted value} of what update_service must change on an ACTIVE service."""
    update = {}
    if current.get("taskDefinition") != wanted["taskDefinition"]:
        update["taskDefinition"] = wanted["taskDefinition"]
    desired = current.get("desiredCount")
    if autoscaling:
        low, high = autoscaling["min_count"], autoscaling["max_count"]
        if desired is None or not low <= desired <= high:
            update["desiredCount"] = min(max(desired or 0, low), high)
    elif desired != wanted["desiredCount"]:
        update["desiredCount"] = wanted["desiredCount"]
    have = current.get("deploymentConfiguration") or {}
    want = wanted["deploymentConfiguration"]
    breaker = have.get("deploymentCircuitBreaker") or {}
    if (have.get("maximumPercent") != want["maximumPercent"]
            or have.get("minimumHealthyPercent") != want["minimumHealthyPercent"]
            or not breaker.get("enable") or not breaker.get("rollback")):
        update["deploymentConfiguration"] = want
    net = ((current.get("networkConfiguration") or {}).get("awsvpcConfiguration")) or {}
    want_net = wanted["networkConfiguration"]["awsvpcConfiguration"]
    if (sorted(net.get("subnets") or []) != want_net["subnets"]
            or sorted(net.get("securityGroups") or []) != want_net["securityGroups"]
            or net.get("assignPublicIp", "DISABLED") != "DISABLED"):
        update["networkConfiguration"] = wanted["networkConfiguration"]
    if sorted(r.get("registryArn") for r in current.get("serviceRegistries") or []) != sorted(
            r["registryArn"] for r in wanted["serviceRegistries"]):
        update["serviceRegistries"] = wanted["serviceRegistries"]
    have_lbs = sorted((lb.get("targetGroupArn"), lb.get("containerName"), lb.get("containerPort"))
                      for lb in current.get("loadBalancers") or [])
    want_lbs = sorted((lb["targetGroupArn"], lb["containerName"], lb["containerPort"]) for lb in wanted["loadBalancers"])
    if have_lbs != want_lbs:
        update["loadBalancers"] = wanted["loadBalancers"]
    if "capacityProviderStrategy" in wanted:
        # a service made with a launch type reports none: it moves to the strategy with a new deployment
        have_cps = sorted((s["capacityProvider"], s.get("weight", 0), s.get("base", 0)) for s in current.get("capacityProviderStrategy") or [])
        want_cps = sorted((s["capacityProvider"], s["weight"], s["base"]) for s in wanted["capacityProviderStrategy"])
        if have_cps != want_cps:
            update["capacityProviderStrategy"] = wanted["capacityProviderStrategy"]
            update["forceNewDeployment"] = True
    if "healthCheckGracePeriodSeconds" in wanted and current.get("healthCheckGracePeriodSeconds") != wanted["healthCheckGracePeriodSeconds"]:
        update["healthCheckGracePeriodSeconds"] = wanted["healthCheckGracePeriodSeconds"]
    return update


def trust_policy(account_id, region, partition):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "ArnLike": {"aws:SourceArn": "arn:%s:ecs:%s:%s:*" % (partition, region, account_id)},
                "StringEquals": {"aws:SourceAccount": account_id},
            },
        }],
    }


def execution_statements(params, log_group_arn, region, account_id, partition):
    statements = [{
        "Sid": "PullImages",
        "Effect": "Allow",
        "Action": "ecr:GetAuthorizationToken",
        "Resource": "*",
    }, {
        "Sid": "PullFromAccountRepositories",
        "Effect": "Allow",
        "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        "Resource": "arn:%s:ecr:%s:%s:repository/*" % (partition, region, account_id),
    }, {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [log_group_arn, log_group_arn + ":log-stream:*"],
    }]
    arns = sorted({secret_arn(v) for v in params["secrets"].values()})
    if arns:
        statements.append({"Sid": "ReadOwnSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arns})
        if params.get("secrets_kms_key_arn"):
            statements.append({"Sid": "DecryptOwnSecrets", "Effect": "Allow", "Action": "kms:Decrypt",
                               "Resource": params["secrets_kms_key_arn"]})
    return statements


def task_statements(params, region, account_id, partition):
    statements = list(params["task_role_statements"])
    for vol in params["volumes"]:
        statements.append({
            "Sid": "Mount" + "".join(c for c in vol["name"].title() if c.isalnum()),
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": "arn:%s:elasticfilesystem:%s:%s:file-system/%s" % (partition, region, account_id, vol["file_system_id"]),
            "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": "arn:%s:elasticfilesystem:%s:%s:access-point/%s" % (
                partition, region, account_id, vol["access_point_id"])}},
        })
    return statements


def job_outcome(task, container_name):
    """(ok, why) of a stopped one-off task: its essential container exited 0, or why not."""
    container = next((c for c in task.get("containers") or [] if c.get("name") == container_name), {})
    code = container.get("exitCode")
    if code == 0:
        return True, ""
    reasons = [r for r in (task.get("stoppedReason"), container.get("reason"), task.get("stopCode")) if r]
    return False, "exit code %s%s" % ("none (the container did not run)" if code is None else code,
                                      ("; " + "; ".join(reasons)) if reasons else "")


def policy_document(statements):
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


ARGUMENT_SPEC = dict(
    platform_name=dict(type="str", required=True),
    platform_env=dict(type="str", required=True),
    name=dict(type="str", required=True),
    cluster=dict(type="str", required=True),
    image=dict(type="str"),
    cpu=dict(type="int", default=256),
    memory=dict(type="int", default=512),
    port=dict(type="int"),
    extra_ports=dict(type="list", elements="int", default=[]),
    command=dict(type="list", elements="str"),
    environment=dict(type="dict", default={}),
    secrets=dict(type="dict", default={}, no_log=False),
    secrets_kms_key_arn=dict(type="str", no_log=False),
    permissions_boundary=dict(type="str", default=""),
    health_check=dict(type="dict", options=dict(
        command=dict(type="list", elements="str", required=True),
        interval=dict(type="int", default=30),
        timeout=dict(type="int", default=5),
        retries=dict(type="int", default=3),
        start_period=dict(type="int", default=60),
    )),
    user=dict(type="str", default=""),
    read_only_root_filesystem=dict(type="bool", default=True),
    writable_paths=dict(type="list", elements="str", default=[]),
    volumes=dict(type="list", elements="dict", default=[], options=dict(
        name=dict(type="str", required=True),
        file_system_id=dict(type="str", required=True),
        access_point_id=dict(type="str", required=True),
        container_path=dict(type="str", required=True),
        read_only=dict(type="bool", default=False),
    )),
    log_retention_days=dict(type="int", default=30),
    log_kms_key_arn=dict(type="str", no_log=False),
    keep_logs=dict(type="bool", default=False),
    task_role_statements=dict(type="list", elements="dict", default=[]),
    subnets=dict(type="list", elements="str", default=[]),
    security_group_ids=dict(type="list", elements="str", default=[]),
    desired_count=dict(type="int", default=1),
    autoscaling=dict(type="dict", default={}, options=dict(
        min_count=dict(type="int", default=1),
        max_count=dict(type="int", default=2),
        cpu_target=dict(type="int", default=70),
        memory_target=dict(type="int", default=75),
        scale_in_cooldown=dict(type="int", default=300),
        scale_out_cooldown=dict(type="int", default=60),
    )),
    deployment=dict(type="dict", default={}, options=dict(
        minimum_healthy_percent=dict(type="int", default=100),
        maximum_percent=dict(type="int", default=200),
    )),
    capacity_provider_strategy=dict(type="list", elements="dict", default=[], options=dict(
        capacity_provider=dict(type="str", required=True),
        weight=dict(type="int", default=1),
        base=dict(type="int", default=0),
    )),
    discovery=dict(type="dict", options=dict(
        namespace_id=dict(type="str", required=True),
        name=dict(type="str", required=True),
        ttl=dict(type="int", default=10),
    )),
    load_balancers=dict(type="list", elements="dict", default=[], options=dict(
        target_group_arn=dict(type="str", required=True),
        container_port=dict(type="int", required=True),
    )),
    health_check_grace_period=dict(type="int", default=60),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=900),
    run_once=dict(type="dict", options=dict(
        key=dict(type="str", required=True, no_log=False),
        timeout=dict(type="int", default=900),
        start=dict(type="bool", default=True),
    )),
)


def input_errors(params):
    """What AWS would refuse in the inputs of a workload to converge (empty: none)."""
    spec = {k: params[k] for k in ("image", "cpu", "memory", "desired_count", "log_retention_days")}
    if params.get("port") is not None:
        spec["port"] = params["port"]
    if params["autoscaling"]:
        spec.update({k: params["autoscaling"][k] for k in ("min_count", "max_count", "cpu_target", "memory_target")})
    errors = [e.replace("min_count", "autoscaling.min_count").replace("max_count", "autoscaling.max_count")
              for e in workload_errors(spec, "")]
    for port in params["extra_ports"]:
        if not 1 <= port <= 65535:
            errors.append("extra_ports %d is not a TCP port; use 1 to 65535" % port)
    return errors
