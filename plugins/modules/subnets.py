#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: subnets
short_description: A VPC's subnets, converged as one set, each created exactly once
version_added: 0.7.0
description:
  - Converges a list of subnets of one VPC, each identified by its CIDR block, with its availability
    zone, tags (C(Name) and the given ones), and no public IP addresses on launch.
  - One call for the whole set, where C(amazon.aws.ec2_vpc_subnet) takes one task per subnet.
  - CreateSubnet takes no idempotency token. It is sent with its tags, one attempt at a time;
    after a failure that may have come after the write, or when AWS answers that the block is
    taken (C(InvalidSubnet.Conflict), as it does to a blind retry), the subnet with that block is
    looked up and adopted. C(amazon.aws.ec2_vpc_subnet) stops the run there instead.
  - A subnet with the block in another availability zone cannot be moved; the module stops and
    says how to resolve it. Subnets not listed are left alone; removal stays with
    C(amazon.aws.ec2_vpc_subnet).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vpc_id:
    description: The VPC.
    type: str
    required: true
  subnets:
    description: The subnets.
    type: list
    elements: dict
    required: true
    suboptions:
      cidr:
        description: IPv4 block, unique in the VPC.
        type: str
        required: true
      az:
        description: Availability zone name.
        type: str
        required: true
      name:
        description: Value of the C(Name) tag.
        type: str
        required: true
      tags:
        description: Tags of this subnet besides I(tags) and C(Name).
        type: dict
        default: {}
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows the subnets before and after.
"""

EXAMPLES = r"""
- name: Public and private subnets in two zones
  cloud_design.platform.subnets:
    vpc_id: vpc-0123456789abcdef0
    tags:
      Project: shop
    subnets:
      - {cidr: 10.20.0.0/20, az: eu-west-1a, name: shop-prod-public-a, tags: {Tier: public}}
      - {cidr: 10.20.128.0/20, az: eu-west-1a, name: shop-prod-private-a, tags: {Tier: private}}
"""

RETURN = r"""
subnets:
  description: The subnets afterwards, in the order given; C(id) is null in check mode for a subnet to be created.
  returned: always
  type: list
  elements: dict
  sample:
    - id: subnet-0123456789abcdef0
      cidr_block: 10.20.0.0/20
      availability_zone: eu-west-1a
      tags: {Name: shop-prod-public-a, Tier: public}
changes:
  description: What was (in check mode, would be) changed, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create subnet shop-prod-public-a 10.20.0.0/20 in eu-west-1a"]
"""

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    PlatformModule,
    apply_tags,
    create_once,
    dict_to_tag_list,
    ec2_tag_calls,
    tag_list_to_dict,
)


def view(subnet, tags):
    return {"id": subnet.get("SubnetId"), "cidr_block": subnet.get("CidrBlock"), "availability_zone": subnet.get("AvailabilityZone"),
            "tags": tags}


def converge(module, ec2, once):
    params = module.params
    plan = Plan(module)

    def in_vpc(cidr=None):
        filters = [{"Name": "vpc-id", "Values": [params["vpc_id"]]}]
        if cidr:
            filters.append({"Name": "cidr-block", "Values": [cidr]})
        return ec2.describe_subnets(Filters=filters)["Subnets"]

    existing = {s["CidrBlock"]: s for s in in_vpc()}
    seen = set()
    for spec in params["subnets"]:
        if spec["cidr"] in seen:
            raise PlatformError("subnets: %s is listed twice; each block makes one subnet" % spec["cidr"])
        seen.add(spec["cidr"])
        have = existing.get(spec["cidr"])
        if have and have["AvailabilityZone"] != spec["az"]:
            raise PlatformError("subnet %s (%s) is in %s, not %s: a subnet cannot move; delete it (nothing may use it) or change the "
                                "block or zone asked for, then run again" % (have["SubnetId"], spec["cidr"], have["AvailabilityZone"], spec["az"]))
    before, after = [], []
    for spec in params["subnets"]:
        tags = dict(params.get("tags") or {}, **(spec.get("tags") or {}))
        tags["Name"] = spec["name"]
        have = existing.get(spec["cidr"])
        if have is None:
            plan.change("create subnet %s %s in %s" % (spec["name"], spec["cidr"], spec["az"]))
            if module.check_mode:
                after.append(view({"CidrBlock": spec["cidr"], "AvailabilityZone": spec["az"]}, tags))
                continue
            have = create_once(lambda spec=spec, tags=tags: once.create_subnet(
                VpcId=params["vpc_id"], CidrBlock=spec["cidr"], AvailabilityZone=spec["az"],
                TagSpecifications=[{"ResourceType": "subnet", "Tags": dict_to_tag_list(tags)}])["Subnet"],
                lambda spec=spec: in_vpc(spec["cidr"]), "subnets %s in %s" % (spec["cidr"], params["vpc_id"]),
                exists_codes=("InvalidSubnet.Conflict",))[0]
            ec2.get_waiter("subnet_available").wait(SubnetIds=[have["SubnetId"]])
            current_tags = tag_list_to_dict(have.get("Tags"))
        else:
            current_tags = tag_list_to_dict(have.get("Tags"))
            before.append(view(have, current_tags))
        changed, after_tags = apply_tags(module.check_mode, current_tags, tags, params["purge_tags"], *ec2_tag_calls(ec2, have["SubnetId"]))
        if changed and spec["cidr"] in existing:
            plan.change("tags of subnet %s" % spec["name"])
        if have.get("MapPublicIpOnLaunch"):
            plan.change("no public IP on launch in subnet %s" % spec["name"],
                        ec2.modify_subnet_attribute, SubnetId=have["SubnetId"], MapPublicIpOnLaunch={"Value": False})
        after.append(view(have, after_tags))
    return plan.changes, before, after


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        subnets=dict(type="list", elements="dict", required=True, options=dict(
            cidr=dict(type="str", required=True),
            az=dict(type="str", required=True),
            name=dict(type="str", required=True),
            tags=dict(type="dict", default={}),
        )),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True)
    module.exit_converged(lambda: converge(module, module.client("ec2"), module.client("ec2", retries=False)),
                          "Failed to converge the subnets of %s" % module.params["vpc_id"], "subnets")


if __name__ == "__main__":
    main()
