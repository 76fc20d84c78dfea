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

# The module's parts live in module_utils/_ecs_workload: spec (options, input checks, requests), workload (the AWS side).
from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload.spec import ARGUMENT_SPEC, input_errors
from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload.workload import Workload
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule


def main():
    module = PlatformModule(
        argument_spec=ARGUMENT_SPEC, tags=True, state=True,
        required_if=[["state", "present", ["image", "subnets", "security_group_ids"]]],
        mutually_exclusive=[["run_once", "discovery"]],
    )
    params = module.params
    errors = input_errors(params) if params["state"] == "present" else []
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
