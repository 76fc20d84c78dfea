#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: platform_info
short_description: Discover a deployed cloud_design platform in one call
version_added: 0.1.0
description:
  - Returns, from one process, what a platform environment has in the account and region,
    found by the platform's tags (C(Project), C(Environment), C(Component)) and names;
    the VPC, subnets by tier and AZ, route tables, gateways, security groups, flow logs,
    the ECS cluster, the Cloud Map namespace, ECR repositories, IAM roles, KMS keys and
    log groups.
  - Every role calls it once, so a role can run alone (C(--tags <role>)) on a deployed
    platform without a chain of C(_info) tasks.
  - Read-only. Where more than one resource carries the tags of one that must be unique
    (two VPCs of the same environment), it fails and lists them instead of picking one.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  platform_name:
    description: The platform's name (tag C(Project)).
    type: str
    required: true
  platform_env:
    description: The environment (tag C(Environment)).
    type: str
    required: true
  include:
    description:
      - Which families to look up; fewer families, fewer calls.
      - C(balancers) is the light form of C(edge) (load balancers with listeners and target groups, returned under C(edge)).
      - C(audit) is not in the default; it adds what C(playbooks/verify.yml) checks beyond the other families (security
        group rules open to the world, target health, ECR and trail bucket encryption, Inspector2 status) and needs
        C(network), C(edge) and C(observability) beside it.
      - C(access_logs) is not in the default; it tells whether the environment's bucket of S3 server access logs
        (made by the security_hardening role) exists, for the roles whose buckets log there.
    type: list
    elements: str
    choices: [account, network, ecs, ecr, iam, kms, logs, secrets, workloads, databases, storage, discovery, edge, observability,
              balancers, audit, access_logs]
    default: [account, network, ecs, ecr, iam, kms, logs, secrets, workloads, databases, storage, discovery, edge, observability]
  domain_name:
    description:
      - The domain of the edge certificate (C(platform_domain_name)); only certificates for it have their tags read.
      - Without it, the tags of every certificate in the account and region are read to find the edge certificate.
    type: str
  vpc_id:
    description:
      - The platform's VPC, where I(include) has C(ecs) or C(discovery) without C(network) (the action plugin passes the
        VPC a discovery of the same run found); a Cloud Map namespace of the platform's name in another VPC is not
        the platform's.
      - Without it, and without C(network), two namespaces of the platform's name are refused as ambiguous.
    type: str
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
"""

EXAMPLES = r"""
- name: Find what the platform already has
  cloud_design.platform.platform_info:
    platform_name: shop
    platform_env: prod
    include: [network, ecs]
  register: platform

- name: Use the private subnets
  ansible.builtin.debug:
    msg: "{{ platform.network.subnets.private | map(attribute='id') | list }}"
"""

RETURN = r"""
names:
  description: The names the platform gives its resources in this environment.
  returned: always
  type: dict
  sample: {cluster: shop-prod-cluster, vpc: shop-prod-vpc, private_domain: prod.shop.internal}
account:
  description: Account id and the region's available AZs.
  returned: when I(include) has C(account)
  type: dict
  sample: {account_id: "123456789012", partition: aws, region: eu-west-1, availability_zones: [eu-west-1a, eu-west-1b, eu-west-1c]}
access_logs:
  description: The environment's bucket of S3 server access logs; C(bucket) is null when it does not exist.
  returned: when I(include) has C(access_logs)
  type: dict
  sample: {bucket: shop-prod-s3-access-123456789012-eu-west-1}
network:
  description: The VPC and what is in it; C(vpc) is empty when none exists yet.
  returned: when I(include) has C(network)
  type: dict
  sample:
    vpc: {id: vpc-0123456789abcdef0, cidr: 10.20.0.0/16, dhcp_options_id: dopt-0123456789abcdef0}
    subnets:
      public: [{id: subnet-0123456789abcdef0, az: eu-west-1a, cidr: 10.20.0.0/20, name: shop-prod-public-eu-west-1a}]
      private: [{id: subnet-0123456789abcdef1, az: eu-west-1a, cidr: 10.20.128.0/20, name: shop-prod-private-eu-west-1a}]
    route_tables: {shop-prod-public: rtb-0123456789abcdef0}
    internet_gateway_id: igw-0123456789abcdef0
    nat_gateways: [{id: nat-0123456789abcdef0, subnet_id: subnet-0123456789abcdef0, state: available, public_ip: 203.0.113.10}]
    security_groups: {shop-prod-vpc-endpoints: sg-0123456789abcdef0}
    vpc_endpoints: [{id: vpce-0123456789abcdef0, service: com.amazonaws.eu-west-1.s3, type: Gateway}]
    flow_logs: [{id: fl-0123456789abcdef0, log_group_name: /shop/prod/vpc-flow-logs, traffic_type: ALL}]
ecs:
  description: The cluster and the Cloud Map namespace; empty entries when absent.
  returned: when I(include) has C(ecs)
  type: dict
  sample:
    cluster: {name: shop-prod-cluster, arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod-cluster", status: ACTIVE}
    namespace: {id: ns-0123456789abcdef, name: prod.shop.internal, hosted_zone_id: Z0123456789ABCDEFGHIJ}
ecr:
  description: The platform's repositories by name.
  returned: when I(include) has C(ecr)
  type: dict
  sample: {shop-prod/api-gateway: {uri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-prod/api-gateway, arn: "arn:aws:ecr:..."}}
iam:
  description: The platform's IAM roles by name (those whose name starts with the prefix).
  returned: when I(include) has C(iam)
  type: dict
  sample: {shop-prod-ecs-task-execution: "arn:aws:iam::123456789012:role/shop-prod-ecs-task-execution"}
kms:
  description: The platform's KMS keys by purpose (the alias after the prefix).
  returned: when I(include) has C(kms)
  type: dict
  sample: {data: {alias: alias/shop-prod-data, key_id: 0c9d65be-d661-4df6-878a-f43d26938c9e, arn: "arn:aws:kms:...", rotation: true}}
logs:
  description: The platform's log groups by name, with retention and KMS key.
  returned: when I(include) has C(logs)
  type: dict
  sample: {/shop/prod/vpc-flow-logs: {retention_days: 30, kms_key_id: null}}
secrets:
  description: The platform's Secrets Manager secrets (names under C(<platform>-<env>/)) by name; never a value.
  returned: when I(include) has C(secrets)
  type: dict
  sample: {shop-prod/billing-db: {arn: "arn:aws:secretsmanager:...:secret:shop-prod/billing-db-AbCdEf", kms_key_id: "arn:aws:kms:..."}}
workloads:
  description: The ECS services of the platform's cluster by name.
  returned: when I(include) has C(workloads)
  type: dict
  sample:
    billing-app: {arn: "arn:aws:ecs:...", status: ACTIVE, desired_count: 2, running_count: 2,
                  task_definition: "arn:aws:ecs:...:task-definition/shop-prod-billing-app:3", security_groups: [sg-0123456789abcdef0],
                  registries: ["arn:aws:servicediscovery:...:service/srv-0123456789abcdef"]}
databases:
  description: The platform's Aurora clusters (identifiers starting with C(<platform>-<env>-)) by identifier.
  returned: when I(include) has C(databases)
  type: dict
  sample:
    shop-prod-inventory-db: {endpoint: shop-prod-inventory-db.cluster-abc.eu-west-1.rds.amazonaws.com, status: available,
                             engine_version: "16.6", parameter_group: shop-prod-inventory-db-aurora-postgresql16,
                             iam_authentication: true, master_username: inventory,
                             master_secret_arn: "arn:aws:secretsmanager:...:secret:rds!cluster-0a1b2c3d-AbCdEf",
                             encrypted: true, kms_key_id: "arn:aws:kms:...", security_groups: [sg-0123456789abcdef0],
                             members: [{id: shop-prod-inventory-db-1, writer: true}]}
storage:
  description: The platform's EFS file systems (creation tokens starting with C(<platform>-<env>-)) by token.
  returned: when I(include) has C(storage)
  type: dict
  sample: {shop-prod-rabbitmq: {id: fs-0123456789abcdef0, encrypted: true, kms_key_id: "arn:aws:kms:...", access_points: [fsap-0123456789abcdef0]}}
discovery:
  description: The names registered in the platform's Cloud Map namespace, with fixed targets (CNAME) where set.
  returned: when I(include) has C(discovery)
  type: dict
  sample: {billing-queue: {id: srv-0123456789abcdef, record_type: A}, inventory-db: {id: srv-1, record_type: CNAME, cname: db.example}}
observability:
  description: The alert topic, dashboard, trail, budget, the names of the platform's alarms and EventBridge rules; empty entries when absent.
  returned: when I(include) has C(observability)
  type: dict
  sample: {topic: {arn: "arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts", kms_key_id: "arn:aws:kms:...",
                   publishers: [budgets.amazonaws.com, cloudwatch.amazonaws.com, events.amazonaws.com],
                   denies_insecure_transport: true, subscriptions: ["email:oncall@example.com"]},
           dashboard: {name: shop-prod},
           trail: {name: shop-prod-trail, bucket: shop-prod-trail-123456789012-eu-west-1, logging: true},
           budget: {name: shop-prod-monthly, amount: 1500.0, unit: USD}, alarms: [shop-prod-billing-app-cpu-high],
           rules: [shop-prod-ecs-deployment-failed]}
audit:
  description: What the audit of C(playbooks/verify.yml) reads besides the other families.
  returned: when I(include) has C(audit)
  type: dict
  sample:
    open_ingress: [{group_id: sg-0123456789abcdef0, group_name: shop-prod-edge, protocol: tcp, from_port: 443, to_port: 443,
                    cidr: 0.0.0.0/0}]
    group_rules: [{to: sg-0123456789abcdef1, from: sg-0123456789abcdef2, protocol: tcp, from_port: 8080, to_port: 8080}]
    target_health: {shop-prod-billing: {total: 2, healthy: 2, states: {healthy: 2}}}
    ecr_encryption: {shop-prod/billing-app: {type: KMS, kms_key: "arn:aws:kms:..."}}
    trail_bucket_encryption: {algorithm: "aws:kms", kms_key: "arn:aws:kms:..."}
    inspector2: {account: ENABLED, resources: {ECR: ENABLED, EC2: ENABLED}}
"""


from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
)
from ansible_collections.cloud_design.platform.plugins.module_utils.discovery import Discovery, found


def main():
    families = ["account", "network", "ecs", "ecr", "iam", "kms", "logs", "secrets", "workloads", "databases", "storage", "discovery", "edge",
                "observability"]
    choices = families + ["balancers", "audit", "access_logs"]
    argument_spec = dict(
        platform_name=dict(type="str", required=True),
        platform_env=dict(type="str", required=True),
        include=dict(type="list", elements="str", choices=choices, default=families),
        domain_name=dict(type="str"),
        vpc_id=dict(type="str"),
    )
    module = PlatformModule(argument_spec=argument_spec)
    discovery = Discovery(module)
    include = module.params["include"]

    def read():
        result = {"names": discovery.names}
        try:
            return None, None, None, found(discovery, include, result)
        except is_boto3_error_code("AccessDenied") as exc:
            raise PlatformError("Access denied while discovering the platform; the deployer needs the read actions listed in the "
                                "role README") from exc

    module.exit_converged(read, "Failed to discover platform %s-%s" % (module.params["platform_name"], module.params["platform_env"]))


if __name__ == "__main__":
    main()
