#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_workload
short_description: The platform's ECS service pattern - one Fargate workload and all it needs, in one call
version_added: 0.2.0
description:
  - Converges, in one process, everything one containerised workload of the platform is made of
    (the pattern every workload role uses) -
  - its CloudWatch log group (retention, KMS key);
  - an execution role that may pull images (from the account's ECR repositories or public
    registries), write to its own log group and read only the secrets its task definition names
    (and decrypt them with the given key), instead of the broad AWS managed execution policy;
  - a task role with only the statements given (plus EFS client access to its own access points);
  - a Fargate task definition (awsvpc, cpu and memory, one essential container with port
    mappings, environment, secrets by ARN, health check, awslogs in non-blocking mode, non-root user, read-only root
    file system with scratch volumes where the image writes, EFS volumes);
  - a Cloud Map name in the platform's namespace that ECS fills with the tasks' addresses;
  - the ECS service in private subnets with its security groups (deployment circuit breaker
    with rollback, rolling limits, load balancer target groups where given);
  - Application Auto Scaling of the service between a minimum and a maximum, with target tracking on
    average CPU and on average memory.
  - A new task definition revision is registered only when the wanted one differs from the latest
    active revision; the service's desired count is left to autoscaling once it exists (it is only
    brought back inside the bounds).
  - With I(state=absent), everything above is removed in reverse order; the log group too unless
    I(keep_logs).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  platform_name:
    description: The platform's name; part of every name (see I(name)).
    type: str
    required: true
  platform_env:
    description: The environment; part of every name.
    type: str
    required: true
  name:
    description:
      - The workload, e.g. C(billing-app). The service and container take this name; the task family
        C(<platform>-<env>-<name>), roles C(<platform>-<env>-<name>-exec) and C(-task), the log group
        C(/<platform>/<env>/ecs/<name>).
    type: str
    required: true
  cluster:
    description: Name of the ECS cluster.
    type: str
    required: true
  image:
    description: Image reference. Required with I(state=present).
    type: str
  cpu:
    description: Task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).
    type: int
    default: 256
  memory:
    description: Task memory in MiB; must go with I(cpu) on Fargate.
    type: int
    default: 512
  port:
    description: The container's main port (load balancers and health checks use it).
    type: int
  extra_ports:
    description: More container ports (e.g. a management port), reachable only as the security groups allow.
    type: list
    elements: int
    default: []
  command:
    description: Override of the image's command.
    type: list
    elements: str
  environment:
    description: Plain environment variables (never secrets).
    type: dict
    default: {}
  secrets:
    description:
      - Environment variables injected from Secrets Manager at start, by C(valueFrom) reference
        (C(<secret arn>:<json key>::)); the values never appear in the task definition.
    type: dict
    default: {}
  secrets_kms_key_arn:
    description: The KMS key of the secrets; the execution role may decrypt with it.
    type: str
  permissions_boundary:
    description:
      - ARN of the managed policy set as the permissions boundary of the task and execution roles.
      - The deployer policy of C(docs/iam) lets the deployer create or change a role only with it.
      - An empty string leaves the roles without one (and takes an existing one off).
    type: str
    default: ""
  health_check:
    description: Container health check. Unset means none.
    type: dict
    suboptions:
      command:
        description: Command, as for Docker (C(["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"])).
        type: list
        elements: str
        required: true
      interval:
        description: Seconds between checks.
        type: int
        default: 30
      timeout:
        description: Seconds a check may take.
        type: int
        default: 5
      retries:
        description: Failures before the container is unhealthy.
        type: int
        default: 3
      start_period:
        description: Seconds of grace after start.
        type: int
        default: 60
  user:
    description: User (and group) the container runs as, e.g. C(1000:1000). Empty keeps the image's.
    type: str
    default: ""
  read_only_root_filesystem:
    description: Mount the container's root file system read-only.
    type: bool
    default: true
  writable_paths:
    description: Paths that get a task-scoped scratch volume (where the image writes, e.g. C(/tmp)).
    type: list
    elements: str
    default: []
  volumes:
    description: EFS volumes (transit encryption and IAM authorisation on).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Volume name.
        type: str
        required: true
      file_system_id:
        description: EFS file system id.
        type: str
        required: true
      access_point_id:
        description: EFS access point id.
        type: str
        required: true
      container_path:
        description: Where the container sees it.
        type: str
        required: true
      read_only:
        description: Mount read-only.
        type: bool
        default: false
  log_retention_days:
    description: Days CloudWatch Logs keeps the workload's logs.
    type: int
    default: 30
  log_kms_key_arn:
    description: KMS key ARN that encrypts the log group (the key policy must let CloudWatch Logs use it).
    type: str
  keep_logs:
    description: With I(state=absent), keep the log group.
    type: bool
    default: false
  task_role_statements:
    description: IAM policy statements the application itself needs (none by default).
    type: list
    elements: dict
    default: []
  subnets:
    description: Subnets of the tasks (private ones). Required with I(state=present).
    type: list
    elements: str
    default: []
  security_group_ids:
    description: Security groups of the tasks. Required with I(state=present).
    type: list
    elements: str
    default: []
  desired_count:
    description: Tasks to start with; autoscaling owns the count afterwards.
    type: int
    default: 1
  autoscaling:
    description: Target tracking on CPU and memory between I(min_count) and I(max_count). Empty turns it off.
    type: dict
    default: {}
    suboptions:
      min_count:
        description: Fewest tasks.
        type: int
        default: 1
      max_count:
        description: Most tasks.
        type: int
        default: 2
      cpu_target:
        description: Average CPU utilisation (percent) to keep.
        type: int
        default: 70
      memory_target:
        description: Average memory utilisation (percent) to keep.
        type: int
        default: 75
      scale_in_cooldown:
        description: Seconds between scale-in steps.
        type: int
        default: 300
      scale_out_cooldown:
        description: Seconds between scale-out steps.
        type: int
        default: 60
  deployment:
    description: Rolling deployment limits; the circuit breaker with rollback is always on.
    type: dict
    default: {}
    suboptions:
      minimum_healthy_percent:
        description: Share of the desired count that stays running during a deployment.
        type: int
        default: 100
      maximum_percent:
        description: Most tasks during a deployment, as a share of the desired count.
        type: int
        default: 200
  capacity_provider_strategy:
    description: Where tasks run (FARGATE, FARGATE_SPOT). Empty runs on FARGATE.
    type: list
    elements: dict
    default: []
    suboptions:
      capacity_provider:
        description: FARGATE or FARGATE_SPOT.
        type: str
        required: true
      weight:
        description: Relative share.
        type: int
        default: 1
      base:
        description: Tasks placed here first.
        type: int
        default: 0
  discovery:
    description: Register the tasks in a Cloud Map namespace under I(discovery.name).
    type: dict
    suboptions:
      namespace_id:
        description: Id of the private DNS namespace.
        type: str
        required: true
      name:
        description: Host name in the namespace (the bare name resolves through the VPC's search domain).
        type: str
        required: true
      ttl:
        description: DNS TTL in seconds.
        type: int
        default: 10
  load_balancers:
    description: Target groups the tasks join.
    type: list
    elements: dict
    default: []
    suboptions:
      target_group_arn:
        description: The target group (target type ip).
        type: str
        required: true
      container_port:
        description: Port of the container the target group sends to.
        type: int
        required: true
  health_check_grace_period:
    description: Seconds load balancer health checks are ignored after a task starts (with I(load_balancers)).
    type: int
    default: 60
  wait:
    description: Wait until the service's deployment has completed (or failed and rolled back).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the deployment.
    type: int
    default: 900
  run_once:
    description:
      - Makes the workload a one-off job instead of a service - no service, Cloud Map name or autoscaling; its task
        runs once, in I(subnets) with I(security_group_ids), for each value of I(run_once.key) and each task
        definition revision, and must exit 0.
      - The key says what the job is for (say, the version of the secret it applies). The revision that ran for a key
        carries the tag C(cloud-design:ran) with it, so the job runs again only when the key or the task definition
        changes.
      - The task is started with a client token made of the cluster, the revision and the key. AWS starts one task for
        one token (Amazon ECS API Reference, "Ensuring idempotency"; the token lives 24 hours), so a retried call, or a
        run after the play was stopped while it waited, waits for the same task instead of starting a second one.
      - A task that stops with another exit code, or does not start, fails the module with its stop reason, its exit
        code and where its log is.
    type: dict
    suboptions:
      key:
        description: What the run is for; a new value runs the job again.
        type: str
        required: true
      timeout:
        description: Seconds to wait for the task to stop.
        type: int
        default: 900
      start:
        description:
          - Whether the module starts the task. C(false) makes the job (its task definition, roles and log group)
            and starts nothing; something else runs it when it is needed (a secret's rotation function).
        type: bool
        default: true
  state:
    description: Whether the workload should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - The deployment configuration, capacity provider strategy and health check grace period are
    compared with what the service describes and put back when they differ; a service made with a
    launch type moves to the capacity provider strategy with a new deployment.
attributes:
  check_mode:
    support: full
    description: Reports every change it would make (a new revision, service updates, roles) and makes none.
  diff_mode:
    support: full
    description: Shows the task definition, service and scaling before and after, never a secret value.
"""

EXAMPLES = r"""
- name: billing-app
  cloud_design.platform.ecs_workload:
    platform_name: shop
    platform_env: prod
    name: billing-app
    cluster: shop-prod-cluster
    image: nprimo/billing-app:0.0.2
    cpu: 512
    memory: 1024
    port: 8080
    secrets:
      BILLING_DB_PASSWORD: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-prod/billing-db-AbCdEf:password::"
    secrets_kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:key/0c9d65be-d661-4df6-878a-f43d26938c9e"
    subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    security_group_ids: [sg-0123456789abcdef0]
    discovery: {namespace_id: ns-0123456789abcdef, name: billing-app}
    autoscaling: {min_count: 2, max_count: 6, cpu_target: 70, memory_target: 75}
    tags:
      Project: shop
      Environment: prod
      Component: service_billing
"""

RETURN = r"""
workload:
  description: What the workload is made of; empty after a delete.
  returned: always
  type: dict
  sample:
    service: {name: billing-app, arn: "arn:aws:ecs:...:service/shop-prod-cluster/billing-app", desired_count: 2,
              task_definition: "arn:aws:ecs:...:task-definition/shop-prod-billing-app:3"}
    task_definition: {arn: "arn:aws:ecs:...:task-definition/shop-prod-billing-app:3", revision: 3}
    log_group: /shop/prod/ecs/billing-app
    execution_role_arn: "arn:aws:iam::123456789012:role/shop-prod-billing-app-exec"
    task_role_arn: "arn:aws:iam::123456789012:role/shop-prod-billing-app-task"
    discovery: {id: srv-0123456789abcdef, name: billing-app}
    autoscaling: {min_count: 2, max_count: 6, policies: [shop-prod-billing-app-cpu, shop-prod-billing-app-memory]}
    run: {key: "3f1c...", ran: true, task_arn: "arn:aws:ecs:...:task/shop-prod-cluster/0a1b...", exit_code: 0}
changes:
  description: What changed (or would in check mode), one line each.
  returned: always
  type: list
  elements: str
  sample: ["register task definition shop-prod-billing-app (image)", "update service billing-app: taskDefinition"]
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils import cloud_map
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
    all_pages,
    apply_tags,
    client_token,
    create_once,
    dict_to_tag_list,
    tag_list_to_dict,
    wait_for,
    workload_names,
)
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


# ---------------------------------------------------------------- AWS side

class Workload:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check = module.check_mode
        self.names = workload_names(self.params["platform_name"], self.params["platform_env"], self.params["name"])
        self.region = module.region
        self.changes = []
        self.clients = {}
        self.tags = dict(self.params.get("tags") or {})
        self._identity = None

    def client(self, service):
        if service not in self.clients:
            self.clients[service] = self.module.client(service)
        return self.clients[service]

    @property
    def identity(self):
        if self._identity is None:
            arn = self.client("sts").get_caller_identity()["Arn"]
            self._identity = (arn.split(":")[4], arn.split(":")[1])
        return self._identity

    # -- log group
    def log_group(self):
        logs = self.client("logs")
        name = self.names["log_group"]
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
        account, partition = self.identity
        arn = "arn:%s:logs:%s:%s:log-group:%s" % (partition, self.region, account, name)
        retention = self.params["log_retention_days"]
        kms = self.params.get("log_kms_key_arn")
        if not found:
            self.changes.append("create log group %s" % name)
            if not self.check:
                request = {"logGroupName": name, "tags": {k: str(v) for k, v in self.tags.items()}}
                if kms:
                    request["kmsKeyId"] = kms
                try:
                    logs.create_log_group(**request)
                except is_boto3_error_code("ResourceAlreadyExistsException"):
                    pass
                logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
            return arn
        group = found[0]
        if group.get("retentionInDays") != retention:
            self.changes.append("log group %s: retention %s -> %d days" % (name, group.get("retentionInDays"), retention))
            if not self.check:
                logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
        if kms and group.get("kmsKeyId") != kms:
            self.changes.append("log group %s: encrypt with %s" % (name, kms))
            if not self.check:
                logs.associate_kms_key(logGroupName=name, kmsKeyId=kms)
        current = logs.list_tags_log_group(logGroupName=name).get("tags", {})
        if apply_tags(self.check, current, self.tags, self.params["purge_tags"],
                      lambda add: logs.tag_log_group(logGroupName=name, tags=add),
                      lambda keys: logs.untag_log_group(logGroupName=name, tags=keys))[0]:
            self.changes.append("log group %s: tags" % name)
        return arn

    # -- IAM
    def role(self, name, description, managed, inline_name, document):
        iam = self.client("iam")
        account, partition = self.identity
        trust = trust_policy(account, self.region, partition)
        boundary = self.params["permissions_boundary"] or ""
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except is_boto3_error_code("NoSuchEntity"):
            role = None
        if role is None:
            self.changes.append("create role %s" % name)
            if self.check:
                return "arn:%s:iam::%s:role/%s" % (partition, account, name)
            request = dict(RoleName=name, Description=description, AssumeRolePolicyDocument=json.dumps(trust),
                           Tags=dict_to_tag_list(self.tags))
            if boundary:
                request["PermissionsBoundary"] = boundary
            try:
                role = iam.create_role(**request)["Role"]
            except is_boto3_error_code("EntityAlreadyExists"):
                role = iam.get_role(RoleName=name)["Role"]
            attached, inline = [], []
        else:
            # The boundary first: the deployer may change a role only once it carries the boundary.
            current = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn", "")
            if current != boundary:
                self.changes.append("role %s: permissions boundary %s" % (name, boundary.split("/")[-1] or "removed"))
                if not self.check:
                    if boundary:
                        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
                    else:
                        iam.delete_role_permissions_boundary(RoleName=name)
            document_now = role.get("AssumeRolePolicyDocument")
            if isinstance(document_now, str):
                document_now = json.loads(document_now)
            if document_now != trust:
                self.changes.append("role %s: trust policy" % name)
                if not self.check:
                    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
            if apply_tags(self.check, tag_list_to_dict(all_pages(iam.list_role_tags, "Tags", token="Marker", RoleName=name)),
                          self.tags, self.params["purge_tags"],
                          lambda add: iam.tag_role(RoleName=name, Tags=dict_to_tag_list(add)),
                          lambda keys: iam.untag_role(RoleName=name, TagKeys=keys))[0]:
                self.changes.append("role %s: tags" % name)
            attached = [p["PolicyArn"] for p in all_pages(iam.list_attached_role_policies, "AttachedPolicies", token="Marker", RoleName=name)]
            inline = all_pages(iam.list_role_policies, "PolicyNames", token="Marker", RoleName=name)
        for arn in managed:
            if arn not in attached:
                self.changes.append("role %s: attach %s" % (name, arn.split("/")[-1]))
                if not self.check:
                    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        for arn in attached:
            if arn not in managed:
                self.changes.append("role %s: detach %s" % (name, arn.split("/")[-1]))
                if not self.check:
                    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        for other in inline:
            if other != inline_name or document is None:
                self.changes.append("role %s: remove inline policy %s" % (name, other))
                if not self.check:
                    iam.delete_role_policy(RoleName=name, PolicyName=other)
        if document is not None:
            current = None
            if inline_name in inline:
                current = iam.get_role_policy(RoleName=name, PolicyName=inline_name)["PolicyDocument"]
                if isinstance(current, str):
                    current = json.loads(current)
            if current != document:
                self.changes.append("role %s: policy %s" % (name, inline_name))
                if not self.check:
                    iam.put_role_policy(RoleName=name, PolicyName=inline_name, PolicyDocument=json.dumps(document))
        return role["Arn"]

    def delete_role(self, name):
        iam = self.client("iam")
        try:
            iam.get_role(RoleName=name)
        except is_boto3_error_code("NoSuchEntity"):
            return
        self.changes.append("delete role %s" % name)
        if self.check:
            return
        for policy in all_pages(iam.list_attached_role_policies, "AttachedPolicies", token="Marker", RoleName=name):
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        for policy in all_pages(iam.list_role_policies, "PolicyNames", token="Marker", RoleName=name):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        try:
            iam.delete_role(RoleName=name)
        except is_boto3_error_code("NoSuchEntity"):
            pass

    # -- task definition
    def latest_task_definition(self):
        ecs = self.client("ecs")
        arns = ecs.list_task_definitions(familyPrefix=self.names["family"], status="ACTIVE", sort="DESC",
                                         maxResults=1).get("taskDefinitionArns", [])
        if not arns:
            return None
        found = ecs.describe_task_definition(taskDefinition=arns[0], include=["TAGS"])
        return dict(found["taskDefinition"], tags=found.get("tags", []))

    def task_definition(self, execution_role_arn, task_role_arn):
        wanted = task_definition_request(self.params, self.names, self.region, execution_role_arn, task_role_arn)
        current = self.latest_task_definition()
        diffs = task_definition_differences(current, wanted)
        if not diffs:
            # The job's run marker is the module's own record, not one of the tags asked for.
            have = {k: v for k, v in tag_list_to_dict(current.get("tags"), "key", "value").items() if k != RAN_TAG}
            if apply_tags(self.check, have, self.tags, self.params["purge_tags"],
                          lambda add: self.client("ecs").tag_resource(resourceArn=current["taskDefinitionArn"],
                                                                      tags=dict_to_tag_list(add, "key", "value")),
                          lambda keys: self.client("ecs").untag_resource(resourceArn=current["taskDefinitionArn"],
                                                                         tagKeys=keys))[0]:
                self.changes.append("task definition %s: tags" % current["taskDefinitionArn"].split("/")[-1])
            return current, current
        self.changes.append("register task definition %s (%s)" % (self.names["family"], ", ".join(diffs)))
        if self.check:
            return current, dict(wanted, taskDefinitionArn="(new revision of %s)" % self.names["family"])
        # A revision has no idempotency token: after a failure that may have come after the write, the
        # family's latest revision is looked at first and adopted when it is already the wanted one.
        once = self.module.client("ecs", retries=False)

        def made():
            latest = self.latest_task_definition()
            fresh = latest and latest["taskDefinitionArn"] != (current or {}).get("taskDefinitionArn")
            return [latest] if fresh and not task_definition_differences(latest, wanted) else []

        registered = create_once(lambda: once.register_task_definition(tags=dict_to_tag_list(self.tags, "key", "value"), **wanted)["taskDefinition"],
                                 made, "new revisions of %s" % self.names["family"])[0]
        return current, registered

    # -- service
    def find_service(self):
        try:
            found = self.client("ecs").describe_services(cluster=self.params["cluster"], services=[self.names["service"]],
                                                         include=["TAGS"])["services"]
        except is_boto3_error_code("ClusterNotFoundException"):
            if self.check:
                return None  # check mode before the cluster exists: everything would be created
            raise PlatformError("ECS cluster %s does not exist; make it first (the ecs_cluster role)" % self.params["cluster"])
        return next((s for s in found if s.get("status") in ("ACTIVE", "DRAINING")), None)

    def service(self, task_definition_arn, registry_arn):
        ecs = self.client("ecs")
        wanted = service_request(self.params, self.names, task_definition_arn, registry_arn)
        current = self.find_service()
        if current is not None and current["status"] == "DRAINING":
            raise PlatformError("ECS service %s is still draining from an earlier delete; run again in a few minutes"
                                % self.names["service"])
        if current is None:
            self.changes.append("create service %s" % self.names["service"])
            if self.check:
                return None, {"serviceName": self.names["service"], "desiredCount": wanted["desiredCount"],
                              "taskDefinition": task_definition_arn}
            request = dict(wanted, tags=dict_to_tag_list(self.tags, "key", "value"),
                           clientToken=client_token("ecs-service", self.params["cluster"], self.names["service"], length=36))
            try:
                created = ecs.create_service(**request)["service"]
            except is_boto3_error_code("InvalidParameterException") as exc:
                if "idempot" not in str(exc).lower() and "already exists" not in str(exc).lower():
                    raise
                created = self.find_service()
            return None, created
        update = service_differences(current, wanted, self.params["autoscaling"])
        after = dict(current)
        if update:
            self.changes.append("update service %s: %s" % (self.names["service"], ", ".join(sorted(k for k in update if k != "forceNewDeployment"))))
            after.update(update)
            if not self.check:
                after = ecs.update_service(cluster=self.params["cluster"], service=self.names["service"], **update)["service"]
        if apply_tags(self.check, tag_list_to_dict(current.get("tags"), "key", "value"), self.tags, self.params["purge_tags"],
                      lambda add: ecs.tag_resource(resourceArn=current["serviceArn"], tags=dict_to_tag_list(add, "key", "value")),
                      lambda keys: ecs.untag_resource(resourceArn=current["serviceArn"], tagKeys=keys))[0]:
            self.changes.append("service %s: tags" % self.names["service"])
        return current, after

    def wait_deployment(self, task_definition_arn):
        """Wait for the deployment of the task definition just registered. With the circuit breaker's rollback, ECS
        marks that deployment FAILED and starts a new PRIMARY deployment of the previous task definition, which ends
        COMPLETED: success is the PRIMARY deployment running task_definition_arn, COMPLETED (Amazon ECS Developer Guide,
        "How the Amazon ECS deployment circuit breaker detects failures")."""
        def probe():
            return self.find_service() or {}

        def deployments(service):
            return service.get("deployments") or []

        def primary_of(service):
            return next((d for d in deployments(service) if d.get("status") == "PRIMARY"), None)

        def failed_of(service):
            return next((d for d in deployments(service)
                         if d.get("taskDefinition") == task_definition_arn and d.get("rolloutState") == "FAILED"), None)

        def settled(service):
            primary = primary_of(service)
            if primary is None or failed_of(service) or primary.get("taskDefinition") != task_definition_arn:
                return True
            state = primary.get("rolloutState")
            if state:
                return state in ("COMPLETED", "FAILED")
            return primary.get("runningCount") == primary.get("desiredCount")

        service = wait_for(probe, settled, timeout=self.params["wait_timeout"], delay=5,
                           what="the deployment of ECS service %s" % self.names["service"])
        primary = primary_of(service) or {}
        failed = failed_of(service)
        if failed is None and primary.get("rolloutState") == "FAILED":
            failed = primary
        if failed is None and primary and primary.get("taskDefinition") != task_definition_arn:
            failed = {"rolloutStateReason": "the service runs %s, not %s" % (primary.get("taskDefinition"), task_definition_arn)}
        if failed is not None:
            events = "; ".join(e.get("message", "") for e in (service.get("events") or [])[:3])
            raise PlatformError("deployment of %s failed and the circuit breaker rolled it back: %s. Recent events: %s"
                                % (self.names["service"], failed.get("rolloutStateReason"), events))

    # -- one-off job
    def run_job(self, task_definition):
        """Run the job's task once for this key and revision (option run_once); wait for it to stop with exit 0."""
        job = self.params["run_once"]
        arn = task_definition["taskDefinitionArn"]
        marked = tag_list_to_dict(task_definition.get("tags"), "key", "value").get(RAN_TAG)
        if marked == job["key"] or not job["start"]:
            return {"key": job["key"], "ran": False}
        self.changes.append("run %s once (for %s)" % (self.names["family"], job["key"]))
        if self.check:
            return {"key": job["key"], "ran": True}
        ecs = self.client("ecs")
        request = {
            "cluster": self.params["cluster"],
            "taskDefinition": arn,
            "count": 1,
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": self.params["subnets"], "securityGroups": self.params["security_group_ids"],
                "assignPublicIp": "DISABLED"}},
            "startedBy": self.names["family"][-36:],
            "tags": dict_to_tag_list(self.tags, "key", "value"),
            "propagateTags": "TASK_DEFINITION",
            # One task for one token (Amazon ECS API Reference, "Ensuring idempotency": RunTask, up to 64 characters,
            # kept 24 hours): a retry, or the next run after a stop in the wait below, finds the same task.
            "clientToken": client_token("ecs-run-once", self.params["cluster"], arn, job["key"], length=64),
        }
        started = ecs.run_task(**request)
        if started.get("failures") or not started.get("tasks"):
            raise PlatformError("%s did not start: %s" % (self.names["family"], "; ".join(
                "%s %s" % (f.get("reason"), f.get("detail") or "") for f in started.get("failures") or []) or "no task"))
        task_arn = started["tasks"][0]["taskArn"]

        def probe():
            found = ecs.describe_tasks(cluster=self.params["cluster"], tasks=[task_arn]).get("tasks") or []
            return found[0] if found else {}

        task = wait_for(probe, lambda t: t.get("lastStatus") == "STOPPED", timeout=job["timeout"], delay=0.5,
                        what="the one-off task %s of %s to stop" % (task_arn.split("/")[-1], self.names["family"]))
        ok, why = job_outcome(task, self.names["container"])
        if not ok:
            raise PlatformError("the one-off task %s of %s failed: %s. Its output is in the log group %s, stream ecs/%s/%s"
                                % (task_arn.split("/")[-1], self.names["family"], why, self.names["log_group"],
                                   self.names["container"], task_arn.split("/")[-1]))
        ecs.tag_resource(resourceArn=arn, tags=[{"key": RAN_TAG, "value": job["key"]}])
        return {"key": job["key"], "ran": True, "task_arn": task_arn, "exit_code": 0}

    # -- autoscaling
    def autoscaling(self):
        scaling = self.params["autoscaling"]
        aas = self.client("application-autoscaling")
        resource_id = "service/%s/%s" % (self.params["cluster"], self.names["service"])
        # Only this service's: an API emulation has matched the id as a substring (billing-db within billing-db-roles).
        targets = [t for t in aas.describe_scalable_targets(ResourceIds=[resource_id], **SCALABLE)["ScalableTargets"]
                   if t.get("ResourceId") == resource_id]
        policies = {p["PolicyName"]: p for p in all_pages(aas.describe_scaling_policies, "ScalingPolicies", ResourceId=resource_id, **SCALABLE)
                    if p.get("ResourceId") == resource_id}
        if not scaling:
            for name in sorted(policies):
                self.changes.append("remove scaling policy %s" % name)
                if not self.check:
                    aas.delete_scaling_policy(PolicyName=name, ResourceId=resource_id, **SCALABLE)
            if targets:
                self.changes.append("stop autoscaling %s" % self.names["service"])
                if not self.check:
                    aas.deregister_scalable_target(ResourceId=resource_id, **SCALABLE)
            return {}
        target = targets[0] if targets else {}
        if target.get("MinCapacity") != scaling["min_count"] or target.get("MaxCapacity") != scaling["max_count"]:
            self.changes.append("autoscaling %s: %d..%d tasks" % (self.names["service"], scaling["min_count"], scaling["max_count"]))
            if not self.check:
                aas.register_scalable_target(ResourceId=resource_id, MinCapacity=scaling["min_count"],
                                             MaxCapacity=scaling["max_count"], **SCALABLE)
        wanted = {
            self.names["cpu_policy"]: ("ECSServiceAverageCPUUtilization", scaling["cpu_target"]),
            self.names["memory_policy"]: ("ECSServiceAverageMemoryUtilization", scaling["memory_target"]),
        }
        for name, (metric, value) in wanted.items():
            config = {
                "TargetValue": float(value),
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                "ScaleInCooldown": scaling["scale_in_cooldown"],
                "ScaleOutCooldown": scaling["scale_out_cooldown"],
                "DisableScaleIn": False,
            }
            have = (policies.get(name) or {}).get("TargetTrackingScalingPolicyConfiguration") or {}
            same = (float(have.get("TargetValue", -1)) == config["TargetValue"]
                    and (have.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType") == metric
                    and have.get("ScaleInCooldown") == config["ScaleInCooldown"]
                    and have.get("ScaleOutCooldown") == config["ScaleOutCooldown"]
                    and not have.get("DisableScaleIn", False))
            if not same:
                self.changes.append("scaling policy %s: %s at %s%%" % (name, metric, value))
                if not self.check:
                    aas.put_scaling_policy(PolicyName=name, ResourceId=resource_id, PolicyType="TargetTrackingScaling",
                                           TargetTrackingScalingPolicyConfiguration=config, **SCALABLE)
        for name in sorted(set(policies) - set(wanted)):
            self.changes.append("remove scaling policy %s" % name)
            if not self.check:
                aas.delete_scaling_policy(PolicyName=name, ResourceId=resource_id, **SCALABLE)
        return {"min_count": scaling["min_count"], "max_count": scaling["max_count"], "policies": sorted(wanted)}

    # -- whole
    def present(self):
        params = self.params
        account, partition = self.identity
        log_group_arn = self.log_group()
        execution_arn = self.role(
            self.names["execution_role"], "Starts %s tasks: pulls images, writes their logs, reads their secrets" % self.names["family"],
            [], "start-tasks", policy_document(execution_statements(params, log_group_arn, self.region, account, partition)))
        task_arn = self.role(
            self.names["task_role"], "What %s itself may do in AWS" % self.names["family"], [], "workload",
            policy_document(task_statements(params, self.region, account, partition)))
        registry = {}
        if params.get("run_once"):
            td_before, td_after = self.task_definition(execution_arn, task_arn)
            run = self.run_job(td_after)
            workload = {
                "task_definition": {"arn": td_after["taskDefinitionArn"], "revision": td_after.get("revision")},
                "log_group": self.names["log_group"],
                "execution_role_arn": execution_arn,
                "task_role_arn": task_arn,
                "run": run,
            }
            return ({"task_definition": normal_task_definition(td_before)},
                    {"task_definition": normal_task_definition(td_after), "run": run}, workload)
        if params.get("discovery"):
            disc = params["discovery"]
            changed, dummy, registry = cloud_map.ensure_service(
                self.client("servicediscovery"), self.check, disc["namespace_id"], disc["name"], "A", disc["ttl"], self.tags,
                params["purge_tags"])
            if changed:
                self.changes.append("Cloud Map name %s" % disc["name"])
        td_before, td_after = self.task_definition(execution_arn, task_arn)
        svc_before, svc_after = self.service(td_after["taskDefinitionArn"], registry.get("arn") or (
            "(new Cloud Map service)" if params.get("discovery") else None))
        scaling = self.autoscaling()
        if params["wait"] and not self.check and self.changes:
            self.wait_deployment(td_after["taskDefinitionArn"])
        before = {
            "task_definition": normal_task_definition(td_before),
            "service": brief_service(svc_before),
        }
        after = {
            "task_definition": normal_task_definition(td_after),
            "service": brief_service(svc_after),
        }
        workload = {
            "service": brief_service(svc_after),
            "task_definition": {"arn": td_after["taskDefinitionArn"], "revision": td_after.get("revision")},
            "log_group": self.names["log_group"],
            "execution_role_arn": execution_arn,
            "task_role_arn": task_arn,
            "discovery": {"id": registry.get("id"), "arn": registry.get("arn"), "name": registry.get("name")} if registry else {},
            "autoscaling": scaling,
        }
        return before, after, workload

    def absent(self):
        params = self.params
        ecs = self.client("ecs")
        current = self.find_service()
        if params["autoscaling"] is not None:
            params["autoscaling"] = {}
        self.autoscaling()
        if current is not None and current["status"] == "ACTIVE":
            self.changes.append("delete service %s" % self.names["service"])
            if not self.check:
                if current.get("desiredCount"):
                    ecs.update_service(cluster=params["cluster"], service=self.names["service"], desiredCount=0)
                ecs.delete_service(cluster=params["cluster"], service=self.names["service"], force=True)
                if params["wait"]:
                    wait_for(self.find_service, lambda s: s is None or s.get("status") == "INACTIVE",
                             timeout=params["wait_timeout"], delay=5, what="ECS service %s to stop" % self.names["service"])
        if params.get("discovery"):
            if cloud_map.delete_service(self.client("servicediscovery"), self.check, params["discovery"]["namespace_id"],
                                        params["discovery"]["name"]):
                self.changes.append("delete Cloud Map name %s" % params["discovery"]["name"])
        arns = []
        for status in ("ACTIVE",):
            for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=self.names["family"], status=status):
                arns.extend(page["taskDefinitionArns"])
        for arn in arns:
            self.changes.append("deregister %s" % arn.split("/")[-1])
            if not self.check:
                ecs.deregister_task_definition(taskDefinition=arn)
        self.delete_role(self.names["execution_role"])
        self.delete_role(self.names["task_role"])
        if not params["keep_logs"]:
            logs = self.client("logs")
            name = self.names["log_group"]
            if any(g["logGroupName"] == name for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]):
                self.changes.append("delete log group %s" % name)
                if not self.check:
                    try:
                        logs.delete_log_group(logGroupName=name)
                    except is_boto3_error_code("ResourceNotFoundException"):
                        pass
        return {"service": brief_service(current)}, {}, {}


def brief_service(service):
    if not service:
        return {}
    return {
        "name": service.get("serviceName"),
        "arn": service.get("serviceArn"),
        "status": service.get("status"),
        "desired_count": service.get("desiredCount"),
        "task_definition": service.get("taskDefinition"),
    }


def main():
    argument_spec = dict(
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
    module = PlatformModule(
        argument_spec=argument_spec, tags=True, state=True,
        required_if=[["state", "present", ["image", "subnets", "security_group_ids"]]],
        mutually_exclusive=[["run_once", "discovery"]],
    )
    params = module.params
    if params["state"] == "present":
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
        if errors:
            module.fail_json(msg="workload %s: %s" % (params["name"], "; ".join(errors)))
    workload = Workload(module)

    def converge():
        before, after, result_workload = workload.present() if params["state"] == "present" else workload.absent()
        return workload.changes, before, after, {"workload": result_workload}

    module.exit_converged(converge, lambda: "Failed to converge workload %s (done so far: %s)" % (
        params["name"], "; ".join(workload.changes) or "nothing"), progress={"changes": workload.changes})


if __name__ == "__main__":
    main()
