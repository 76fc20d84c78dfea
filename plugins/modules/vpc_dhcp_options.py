#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpc_dhcp_options
short_description: Give a VPC a tagged DHCP options set with its search domain
version_added: 0.1.0
description:
  - Makes the VPC use a DHCP options set with the given domain name (the DNS search domain of
    everything in the VPC) and DNS servers, tagged, identified by its C(Name) tag.
  - The set in use is kept when it already matches; otherwise the set named I(name) is adopted
    or created, associated, and a set of the same name that is no longer used by any VPC is
    deleted. Sets that this module did not name are never deleted.
  - C(amazon.aws.ec2_vpc_dhcp_option) looks sets up by tags that some endpoints do not keep at
    creation, and then makes a new set on every run.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vpc_id:
    description: The VPC.
    type: str
    required: true
  name:
    description: Value of the C(Name) tag of the set.
    type: str
    required: true
  domain_name:
    description: The search domain handed out by DHCP.
    type: str
    required: true
  dns_servers:
    description: DNS servers; C(AmazonProvidedDNS) is the VPC resolver.
    type: list
    elements: str
    default: [AmazonProvidedDNS]
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
    description: Shows the set in use before and after.
"""

EXAMPLES = r"""
- name: Search domain of the platform's private DNS namespace
  cloud_design.platform.vpc_dhcp_options:
    vpc_id: vpc-0123456789abcdef0
    name: shop-prod-dhcp
    domain_name: prod.shop.internal
    tags:
      Project: shop
      Environment: prod
"""

RETURN = r"""
dhcp_options:
  description: The set the VPC uses afterwards.
  returned: always
  type: dict
  sample:
    id: dopt-0123456789abcdef0
    domain_name: prod.shop.internal
    dns_servers: [AmazonProvidedDNS]
    tags: {Name: shop-prod-dhcp}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformModule,
    apply_tags,
    create_once,
    dict_to_tag_list,
    ec2_tag_calls,
    pick_one,
    tag_list_to_dict,
)


def view(options):
    if not options:
        return {}
    config = {c["Key"]: [v["Value"] for v in c.get("Values", [])] for c in options.get("DhcpConfigurations", [])}
    return {
        "id": options["DhcpOptionsId"],
        "domain_name": " ".join(config.get("domain-name", [])),
        "dns_servers": config.get("domain-name-servers", []),
        "tags": tag_list_to_dict(options.get("Tags")),
    }


def matches(current, params):
    return current and current["domain_name"] == params["domain_name"] and current["dns_servers"] == params["dns_servers"]


def describe(ec2, options_id):
    if not options_id or options_id == "default":
        return None
    return ec2.describe_dhcp_options(DhcpOptionsIds=[options_id])["DhcpOptions"][0]


def ensure(module, ec2):
    params = module.params
    tags = dict(params.get("tags") or {}, Name=params["name"])
    vpc = ec2.describe_vpcs(VpcIds=[params["vpc_id"]])["Vpcs"][0]
    in_use = view(describe(ec2, vpc.get("DhcpOptionsId")))
    target = in_use if matches(in_use, params) else None
    changed = False
    if target is None:
        def named():
            return [o for o in (view(d) for d in ec2.describe_dhcp_options(
                Filters=[{"Name": "tag:Name", "Values": [params["name"]]}])["DhcpOptions"]) if matches(o, params)]

        what = "DHCP option sets named %s" % params["name"]
        target = pick_one(named(), what, ident=lambda o: o["id"])
        changed = True
        if module.check_mode:
            return True, in_use, target or {"domain_name": params["domain_name"], "dns_servers": params["dns_servers"], "tags": tags}
        if target is None:
            once = module.client("ec2", retries=False)
            created, adopted = create_once(lambda: once.create_dhcp_options(
                DhcpConfigurations=[
                    {"Key": "domain-name", "Values": [params["domain_name"]]},
                    {"Key": "domain-name-servers", "Values": params["dns_servers"]},
                ],
                TagSpecifications=[{"ResourceType": "dhcp-options", "Tags": dict_to_tag_list(tags)}],
            )["DhcpOptions"], named, what)
            target = created if adopted else view(created)
        ec2.associate_dhcp_options(DhcpOptionsId=target["id"], VpcId=params["vpc_id"])
        # The set replaced: delete it only when it is ours by name and no VPC uses it any more.
        if in_use and in_use["tags"].get("Name") == params["name"] and in_use["id"] != target["id"]:
            users = ec2.describe_vpcs(Filters=[{"Name": "dhcp-options-id", "Values": [in_use["id"]]}])["Vpcs"]
            if not users:
                try:
                    ec2.delete_dhcp_options(DhcpOptionsId=in_use["id"])
                except is_boto3_error_code("DependencyViolation"):
                    module.warn("DHCP options %s are still in use; left in place" % in_use["id"])
    # Tags are applied after the create too: some endpoints ignore TagSpecifications here.
    tags_changed, tags_after = apply_tags(
        module.check_mode, target.get("tags", {}) if target.get("id") else {}, tags, params["purge_tags"],
        *ec2_tag_calls(ec2, target.get("id")))
    changed |= tags_changed
    if not changed:
        return False, in_use, in_use
    after = view(describe(ec2, target["id"])) if not module.check_mode else dict(target, tags=tags_after)
    return True, in_use, after


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        name=dict(type="str", required=True),
        domain_name=dict(type="str", required=True),
        dns_servers=dict(type="list", elements="str", default=["AmazonProvidedDNS"]),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True)
    ec2 = module.client("ec2")

    def converge():
        changed, before, after = ensure(module, ec2)
        return None, before or {}, after or {}, {"changed": changed, "dhcp_options": after}

    module.exit_converged(converge, "Failed to set the DHCP options of %s" % module.params["vpc_id"])


if __name__ == "__main__":
    main()
