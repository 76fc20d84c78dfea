#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpc
short_description: A VPC and its internet gateway, each created exactly once
version_added: 0.7.0
description:
  - Converges one VPC identified by its C(Name) tag and CIDR block (DNS support, DNS host names,
    tags) and, when asked, the internet gateway attached to it.
  - CreateVpc, CreateInternetGateway and AttachInternetGateway take no idempotency token, and
    C(amazon.aws.ec2_vpc_net) and C(amazon.aws.ec2_vpc_igw) retry them blindly; a create whose
    answer is lost (a reset or a 5xx after the write) makes a second VPC, after which every run
    stops on "multiple VPCs with the same name". Here each create carries its tags
    (C(TagSpecifications)) and goes through one attempt at a time; after a failure that may
    have come after the write, the module looks by those tags before sending anything again,
    adopts what it finds, and stops with the list when it finds several.
  - An unattached internet gateway tagged with I(internet_gateway_name) (left by an interrupted
    run) is adopted and attached rather than a new one made.
  - Removal stays with C(amazon.aws.ec2_vpc_net) and C(amazon.aws.ec2_vpc_igw) (deletes are safe to retry).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Value of the VPC's C(Name) tag.
    type: str
    required: true
  cidr_block:
    description: The VPC's primary IPv4 block; with I(name), what identifies the VPC.
    type: str
    required: true
  dns_support:
    description: Whether the VPC resolver answers (C(enableDnsSupport)).
    type: bool
    default: true
  dns_hostnames:
    description: Whether instances get public DNS host names (C(enableDnsHostnames)).
    type: bool
    default: true
  internet_gateway:
    description: Whether an internet gateway is attached to the VPC (it is never detached here).
    type: bool
    default: false
  internet_gateway_name:
    description: C(Name) tag of the internet gateway; defaults to I(name) with C(-igw).
    type: str
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
    description: Shows the VPC and gateway before and after.
"""

EXAMPLES = r"""
- name: The platform's VPC with its internet gateway
  cloud_design.platform.vpc:
    name: shop-prod-vpc
    cidr_block: 10.20.0.0/16
    internet_gateway: true
    internet_gateway_name: shop-prod-igw
    tags:
      Project: shop
      Environment: prod
  register: network
"""

RETURN = r"""
vpc:
  description: The VPC afterwards; empty in check mode when it would be created.
  returned: always
  type: dict
  sample:
    id: vpc-0123456789abcdef0
    cidr_block: 10.20.0.0/16
    dns_support: true
    dns_hostnames: true
    tags: {Name: shop-prod-vpc, Project: shop}
changes:
  description: What was (in check mode, would be) changed, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create VPC shop-prod-vpc", "create and attach internet gateway shop-prod-igw"]
internet_gateway:
  description: The attached internet gateway afterwards; empty when none is asked or in check mode before it exists.
  returned: always
  type: dict
  sample:
    id: igw-0123456789abcdef0
    tags: {Name: shop-prod-igw}
"""

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformModule,
    apply_tags,
    create_once,
    dict_to_tag_list,
    ec2_tag_calls,
    pick_one,
    tag_list_to_dict,
)


class Network(Plan):
    def __init__(self, module):
        super().__init__(module)
        self.ec2 = module.client("ec2")
        self.once = module.client("ec2", retries=False)

    # -- VPC
    def vpcs(self):
        return self.ec2.describe_vpcs(Filters=[
            {"Name": "tag:Name", "Values": [self.params["name"]]},
            {"Name": "cidr-block-association.cidr-block", "Values": [self.params["cidr_block"]]},
        ])["Vpcs"]

    def attribute(self, vpc_id, name):
        key = name[0].upper() + name[1:]
        return self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)[key]["Value"]

    @staticmethod
    def view_vpc(vpc, dns_support, dns_hostnames):
        return {"id": vpc["VpcId"], "cidr_block": vpc["CidrBlock"], "dns_support": dns_support, "dns_hostnames": dns_hostnames,
                "tags": tag_list_to_dict(vpc.get("Tags"))}

    def ensure_vpc(self, tags):
        what = "VPCs named %s with CIDR %s" % (self.params["name"], self.params["cidr_block"])
        vpc = pick_one(self.vpcs(), what, ident=lambda v: v["VpcId"])
        wanted = {"dns_support": self.params["dns_support"], "dns_hostnames": self.params["dns_hostnames"]}
        if vpc is None:
            self.changes.append("create VPC %s" % self.params["name"])
            if self.check:
                return {}, {}
            vpc = create_once(lambda: self.once.create_vpc(
                CidrBlock=self.params["cidr_block"], TagSpecifications=[{"ResourceType": "vpc", "Tags": dict_to_tag_list(tags)}])["Vpc"],
                self.vpcs, what)[0]
            self.ec2.get_waiter("vpc_available").wait(VpcIds=[vpc["VpcId"]])
            # Tags given at creation are set again: some endpoints keep them only from CreateTags.
            self.ec2.create_tags(Resources=[vpc["VpcId"]], Tags=dict_to_tag_list(tags))
            vpc["Tags"] = dict_to_tag_list(tags)
            before, after_tags = {}, tags
            current = {"dns_support": self.attribute(vpc["VpcId"], "enableDnsSupport"),
                       "dns_hostnames": self.attribute(vpc["VpcId"], "enableDnsHostnames")}
        else:
            current = {"dns_support": self.attribute(vpc["VpcId"], "enableDnsSupport"),
                       "dns_hostnames": self.attribute(vpc["VpcId"], "enableDnsHostnames")}
            before = self.view_vpc(vpc, **current)
            tags_changed, after_tags = apply_tags(self.check, before["tags"], tags, self.params["purge_tags"], *ec2_tag_calls(self.ec2, vpc["VpcId"]))
            if tags_changed:
                self.changes.append("tags of VPC %s" % self.params["name"])
        for key, attribute in (("dns_support", "EnableDnsSupport"), ("dns_hostnames", "EnableDnsHostnames")):
            if current[key] != wanted[key]:
                self.change("%s of VPC %s: %s" % (key, self.params["name"], wanted[key]),
                            self.ec2.modify_vpc_attribute, VpcId=vpc["VpcId"], **{attribute: {"Value": wanted[key]}})
        return before, dict(self.view_vpc(vpc, **wanted), tags={k: str(v) for k, v in after_tags.items()})

    # -- internet gateway
    def gateways(self, filters):
        return self.ec2.describe_internet_gateways(Filters=filters)["InternetGateways"]

    def ensure_gateway(self, vpc_id, name, tags):
        if not vpc_id:
            self.changes.append("create and attach internet gateway %s" % name)
            return {}, {}
        attached = pick_one(self.gateways([{"Name": "attachment.vpc-id", "Values": [vpc_id]}]),
                            "internet gateways attached to %s" % vpc_id, ident=lambda g: g["InternetGatewayId"])
        if attached:
            before = {"id": attached["InternetGatewayId"], "tags": tag_list_to_dict(attached.get("Tags"))}
            changed, after_tags = apply_tags(self.check, before["tags"], tags, self.params["purge_tags"],
                                             *ec2_tag_calls(self.ec2, attached["InternetGatewayId"]))
            if changed:
                self.changes.append("tags of internet gateway %s" % name)
            return before, {"id": attached["InternetGatewayId"], "tags": after_tags}

        def named():
            # Ours and not attached elsewhere: made by a create whose answer was lost, or by an interrupted run.
            return [g for g in self.gateways([{"Name": "tag:Name", "Values": [name]}])
                    if not [a for a in g.get("Attachments") or [] if a.get("VpcId") not in (None, vpc_id)]]

        what = "internet gateways named %s not attached to another VPC" % name
        gateway = pick_one(named(), what, ident=lambda g: g["InternetGatewayId"])
        self.changes.append(("attach internet gateway %s" if gateway else "create and attach internet gateway %s") % name)
        if self.check:
            return {}, {"id": gateway["InternetGatewayId"], "tags": tags} if gateway else {}
        if gateway is None:
            gateway = create_once(lambda: self.once.create_internet_gateway(
                TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": dict_to_tag_list(tags)}])["InternetGateway"], named, what)[0]
        gateway_id = gateway["InternetGatewayId"]
        if not [a for a in gateway.get("Attachments") or [] if a.get("VpcId") == vpc_id]:
            # An attach retried after its answer was lost is refused (Resource.AlreadyAssociated): adopted.
            create_once(lambda: self.once.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id),
                        lambda: self.gateways([{"Name": "attachment.vpc-id", "Values": [vpc_id]}]),
                        "internet gateways attached to %s" % vpc_id, exists_codes=("Resource.AlreadyAssociated",))
        apply_tags(False, tag_list_to_dict(gateway.get("Tags")), tags, self.params["purge_tags"], *ec2_tag_calls(self.ec2, gateway_id))
        return {}, {"id": gateway_id, "tags": {k: str(v) for k, v in tags.items()}}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        cidr_block=dict(type="str", required=True),
        dns_support=dict(type="bool", default=True),
        dns_hostnames=dict(type="bool", default=True),
        internet_gateway=dict(type="bool", default=False),
        internet_gateway_name=dict(type="str"),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True)
    params = module.params
    network = Network(module)
    base_tags = dict(params.get("tags") or {})

    def converge():
        vpc_before, vpc_after = network.ensure_vpc(dict(base_tags, Name=params["name"]))
        igw_before, igw_after = {}, {}
        if params["internet_gateway"]:
            igw_name = params["internet_gateway_name"] or params["name"] + "-igw"
            igw_before, igw_after = network.ensure_gateway(vpc_after.get("id"), igw_name, dict(base_tags, Name=igw_name))
        return (network.changes, {"vpc": vpc_before, "internet_gateway": igw_before},
                {"vpc": vpc_after, "internet_gateway": igw_after})

    module.exit_converged(converge, "Failed to converge VPC %s" % params["name"])


if __name__ == "__main__":
    main()
