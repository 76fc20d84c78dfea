#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nat_gateway
short_description: Manage a public NAT gateway and its tagged elastic IP, exactly once
version_added: 0.1.0
description:
  - Creates, tags or deletes one public NAT gateway in a subnet, identified by its C(Name) tag,
    together with the elastic IP it uses.
  - The elastic IP is tagged at allocation (C(Name) = I(name) + C(-eip)) and adopted by that
    tag on a later run, so an interrupted run never leaks or doubles addresses. The create
    carries an idempotency token, so a create retried after an ambiguous failure returns the
    same gateway.
  - Unlike C(amazon.aws.ec2_vpc_nat_gateway), re-runs report no change when nothing differs,
    and the elastic IP carries the platform's tags.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Value of the C(Name) tag that identifies the gateway.
    type: str
    required: true
  subnet_id:
    description: The public subnet the gateway lives in.
    type: str
    required: true
  wait_timeout:
    description: Seconds to wait until the gateway is available or deleted.
    type: int
    default: 600
  release_eip:
    description: With I(state=absent), release the gateway's tagged elastic IP too.
    type: bool
    default: true
  state:
    description: Whether the gateway should exist.
    type: str
    choices: [present, absent]
    default: present
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
    description: Shows the gateway before and after.
"""

EXAMPLES = r"""
- name: NAT gateway for the private subnets of eu-west-1a
  cloud_design.platform.nat_gateway:
    name: shop-prod-nat-eu-west-1a
    subnet_id: subnet-0123456789abcdef0
    tags:
      Project: shop
      Environment: prod
"""

RETURN = r"""
nat_gateway:
  description: The gateway; empty when absent.
  returned: always
  type: dict
  sample:
    id: nat-0123456789abcdef0
    subnet_id: subnet-0123456789abcdef0
    state: available
    allocation_id: eipalloc-0123456789abcdef0
    public_ip: 203.0.113.10
    tags: {Name: shop-prod-nat-eu-west-1a, Project: shop}
"""

try:
    import botocore
except ImportError:
    pass  # handled by PlatformModule (AnsibleAWSModule)

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
    apply_tags,
    client_token,
    create_once,
    dict_to_tag_list,
    ec2_tag_calls,
    pick_one,
    tag_list_to_dict,
)


def find_gateway(ec2, name, subnet_id):
    return pick_one(gateways_named(ec2, name, subnet_id), "NAT gateways named %s in %s" % (name, subnet_id), ident=lambda g: g["NatGatewayId"])


def gateways_named(ec2, name, subnet_id):
    return ec2.describe_nat_gateways(
        Filters=[
            {"Name": "subnet-id", "Values": [subnet_id]},
            {"Name": "tag:Name", "Values": [name]},
            {"Name": "state", "Values": ["pending", "available"]},
        ],
    )["NatGateways"]


def eips_named(ec2, name):
    return ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": [name]}])["Addresses"]


def find_eip(ec2, name):
    return pick_one(eips_named(ec2, name), "elastic IPs named %s" % name, ident=lambda a: a["AllocationId"])


def view(gateway):
    if not gateway:
        return {}
    address = (gateway.get("NatGatewayAddresses") or [{}])[0]
    return {
        "id": gateway["NatGatewayId"],
        "subnet_id": gateway["SubnetId"],
        "vpc_id": gateway.get("VpcId"),
        "state": gateway["State"],
        "allocation_id": address.get("AllocationId"),
        "public_ip": address.get("PublicIp"),
        "tags": tag_list_to_dict(gateway.get("Tags")),
    }


def ensure_tags(module, ec2, resource_id, current, wanted):
    return apply_tags(module.check_mode, current, wanted, module.params["purge_tags"], *ec2_tag_calls(ec2, resource_id))[0]


def ensure_present(module, ec2, ec2_once):
    params = module.params
    name, subnet_id = params["name"], params["subnet_id"]
    tags = dict(params.get("tags") or {}, Name=name)
    eip_name = name + "-eip"
    eip_tags = dict(tags, Name=eip_name)
    current = find_gateway(ec2, name, subnet_id)
    if current:
        changed = ensure_tags(module, ec2, current["NatGatewayId"], tag_list_to_dict(current.get("Tags")), tags)
        address = (current.get("NatGatewayAddresses") or [{}])[0]
        if address.get("AllocationId"):
            eip = ec2.describe_addresses(AllocationIds=[address["AllocationId"]])["Addresses"][0]
            changed |= ensure_tags(module, ec2, address["AllocationId"], tag_list_to_dict(eip.get("Tags")), eip_tags)
        if not changed:
            return False, view(current), view(current)
        after = view(find_gateway(ec2, name, subnet_id)) if not module.check_mode else dict(view(current), tags=tags)
        return True, view(current), after

    if module.check_mode:
        return True, {}, {"subnet_id": subnet_id, "state": "available", "tags": tags}
    eip = find_eip(ec2, eip_name)
    if eip is None:
        # AllocateAddress takes no idempotency token: tagged at allocation, looked up before any retry.
        eip = create_once(lambda: ec2_once.allocate_address(
            Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": dict_to_tag_list(eip_tags)}],
        ), lambda: eips_named(ec2, eip_name), "elastic IPs named %s" % eip_name)[0]
    elif eip.get("AssociationId"):
        raise PlatformError(
            "elastic IP %s (%s) is tagged %s but already associated (%s); release or re-tag it, then run again"
            % (eip["AllocationId"], eip.get("PublicIp"), eip_name, eip["AssociationId"])
        )
    # The token makes AWS answer a retried create with the gateway already made. Where a retry comes
    # without it being honoured, the elastic IP is refused as taken (Resource.AlreadyAssociated):
    # the gateway of that name in the subnet is then adopted.
    created = create_once(lambda: ec2_once.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=eip["AllocationId"],
        ConnectivityType="public",
        ClientToken=client_token("nat", subnet_id, name, eip["AllocationId"]),
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": dict_to_tag_list(tags)}],
    )["NatGateway"], lambda: gateways_named(ec2, name, subnet_id), "NAT gateways named %s in %s" % (name, subnet_id),
        exists_codes=("Resource.AlreadyAssociated",))[0]
    ec2.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=[created["NatGatewayId"]],
        WaiterConfig={"Delay": 5, "MaxAttempts": max(1, params["wait_timeout"] // 5)},
    )
    return True, {}, view(find_gateway(ec2, name, subnet_id))


def ensure_absent(module, ec2):
    params = module.params
    current = find_gateway(ec2, params["name"], params["subnet_id"])
    eip = find_eip(ec2, params["name"] + "-eip") if params["release_eip"] else None
    if current is None and eip is None:
        return False, {}, {}
    if not module.check_mode:
        if current:
            ec2.delete_nat_gateway(NatGatewayId=current["NatGatewayId"])
            ec2.get_waiter("nat_gateway_deleted").wait(
                NatGatewayIds=[current["NatGatewayId"]],
                WaiterConfig={"Delay": 5, "MaxAttempts": max(1, params["wait_timeout"] // 5)},
            )
        if eip:
            ec2.release_address(AllocationId=eip["AllocationId"])
    return True, view(current), {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        subnet_id=dict(type="str", required=True),
        wait_timeout=dict(type="int", default=600),
        release_eip=dict(type="bool", default=True),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    ec2 = module.client("ec2")

    def converge():
        try:
            if module.params["state"] == "present":
                changed, before, after = ensure_present(module, ec2, module.client("ec2", retries=False))
            else:
                changed, before, after = ensure_absent(module, ec2)
        except botocore.exceptions.WaiterError as exc:
            raise PlatformError("NAT gateway %s did not settle within %ds: %s; run again to resume"
                                % (module.params["name"], module.params["wait_timeout"], exc)) from exc
        return None, before, after, {"changed": changed, "nat_gateway": after}

    module.exit_converged(converge, "Failed to manage NAT gateway %s" % module.params["name"])


if __name__ == "__main__":
    main()
