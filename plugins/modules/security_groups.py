#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_groups
short_description: Converge a component's security groups and their peer-to-peer ingress in one call
version_added: 0.2.0
description:
  - Makes each listed security group exist in the VPC with exactly the listed ingress rules,
    one port per rule, from named peer groups or CIDRs; any other ingress rule is revoked.
  - A peer group a rule names but that does not exist yet is created empty, with the same
    description its owner gives it, so components that reference each other converge in any
    order; the owner adopts the group when it runs.
  - With I(state=absent) the listed groups are deleted after the rules of other groups in the
    VPC that reference them are revoked (AWS refuses to delete a referenced group); deletion
    is retried while network interfaces of stopped tasks still hold the group.
  - Groups are found by name in the VPC before any create, and a create that AWS reports as a
    duplicate adopts the existing group; two groups of one name stop the run with their ids.
  - Egress is left as AWS creates it (all traffic), which Fargate tasks need to pull images and
    reach AWS APIs through the NAT gateways or VPC endpoints.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vpc_id:
    description: The VPC of the groups.
    type: str
    required: true
  groups:
    description: The groups to converge (or delete).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Group name; also its C(Name) tag. The description is derived from it.
        type: str
        required: true
      ingress:
        description: The complete ingress of the group.
        type: list
        elements: dict
        default: []
        suboptions:
          port:
            description: The one port the rule opens.
            type: int
            required: true
          from:
            description: Name of the peer security group in the same VPC.
            type: str
          cidr:
            description: Source CIDR, when the source is not a group.
            type: str
          protocol:
            description: IP protocol.
            type: str
            default: tcp
          description:
            description: Text kept with the rule.
            type: str
      tags:
        description: Tags of this group on top of I(tags).
        type: dict
  state:
    description: Whether the groups should exist.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description: Seconds to keep retrying a delete that network interfaces still block.
    type: int
    default: 900
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports the changes it would make and makes none.
  diff_mode:
    support: full
    description: Shows the groups' ingress before and after.
"""

EXAMPLES = r"""
- name: The queue accepts AMQP from the gateway and the billing app only
  cloud_design.platform.security_groups:
    vpc_id: vpc-0123456789abcdef0
    groups:
      - name: shop-prod-rabbitmq
        ingress:
          - {port: 5672, from: shop-prod-api-gateway}
          - {port: 5672, from: shop-prod-billing-app}
    tags:
      Project: shop
      Environment: prod
      Component: rabbitmq
"""

RETURN = r"""
groups:
  description: Group ids by name, peers created on the way included; empty after a delete.
  returned: always
  type: dict
  sample: {shop-prod-rabbitmq: sg-0123456789abcdef0, shop-prod-api-gateway: sg-0123456789abcdef1}
changes:
  description: What was (or in check mode would be) changed, one line each.
  returned: always
  type: list
  elements: str
  sample: ["shop-prod-rabbitmq: allow tcp/5672 from sg-0123456789abcdef1"]
"""

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.module_utils.security_groups import GroupSet, current_rules, find_groups


def snapshot(ec2, vpc_id, names):
    return {name: sorted("%s/%s from %s" % r for r in current_rules(group))
            for name, group in find_groups(ec2, vpc_id, names).items() if group}


def main():
    rule_spec = dict(
        port=dict(type="int", required=True),
        cidr=dict(type="str"),
        protocol=dict(type="str", default="tcp"),
        description=dict(type="str"),
    )
    rule_spec["from"] = dict(type="str")
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        groups=dict(
            type="list", elements="dict", required=True,
            options=dict(
                name=dict(type="str", required=True),
                ingress=dict(type="list", elements="dict", default=[], options=rule_spec,
                             mutually_exclusive=[["from", "cidr"]], required_one_of=[["from", "cidr"]]),
                tags=dict(type="dict"),
            ),
        ),
        wait_timeout=dict(type="int", default=900),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    params = module.params
    ec2 = module.client("ec2")
    groups = GroupSet(ec2, params["vpc_id"], module.check_mode)
    names = [g["name"] for g in params["groups"]]
    diff = module._diff  # pylint: disable=protected-access

    def converge():
        before = snapshot(ec2, params["vpc_id"], names) if diff else {}
        if params["state"] == "present":
            groups.read(names + [rule["from"] for group in params["groups"] for rule in group["ingress"] if rule.get("from")])
            for group in params["groups"]:
                tags = dict(params.get("tags") or {}, **(group.get("tags") or {}))
                groups.ensure(group["name"], group["ingress"], tags, peer_tags=params.get("tags") or {},
                              purge_tags=params["purge_tags"])
            ids = groups.ids
        else:
            for name in names:
                groups.delete(name, timeout=params["wait_timeout"])
            ids = {}
        after = before
        if diff and module.check_mode and groups.changes:
            after = dict(before, _planned=groups.changes)
        elif diff and not module.check_mode and groups.changes:
            after = snapshot(ec2, params["vpc_id"], names)
        return groups.changes, before, after, {"groups": ids}

    module.exit_converged(converge, "Failed to manage security groups %s" % ", ".join(names))


if __name__ == "__main__":
    main()
