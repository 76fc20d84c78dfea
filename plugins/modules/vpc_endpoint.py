#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpc_endpoint
short_description: A gateway or interface VPC endpoint, created exactly once
version_added: 0.7.0
description:
  - Converges the endpoint of one AWS service in a VPC, with its route tables (gateway), subnets and
    security groups (interface), private DNS and tags.
  - The endpoint is identified by the VPC and the service. CreateVpcEndpoint is sent with an
    idempotency token derived from them and with its tags, one attempt at a time; after a failure
    that may have come after the write, the endpoint is looked up before anything is sent again,
    adopted when one is found, and the run stops with the list when several are.
    C(amazon.aws.ec2_vpc_endpoint) retries the create blindly (a second endpoint), and its own
    I(client_token) path fails on every create (amazon.aws 11).
  - Removal stays with C(amazon.aws.ec2_vpc_endpoint).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vpc_id:
    description: The VPC.
    type: str
    required: true
  service:
    description: Service name, for example C(com.amazonaws.eu-west-1.s3).
    type: str
    required: true
  endpoint_type:
    description: C(Gateway) (S3, DynamoDB; routes in route tables) or C(Interface) (network interfaces in subnets).
    type: str
    choices: [Gateway, Interface]
    default: Interface
  route_table_ids:
    description: Route tables of a gateway endpoint, exactly.
    type: list
    elements: str
    default: []
  subnet_ids:
    description: Subnets of an interface endpoint, exactly (one per availability zone).
    type: list
    elements: str
    default: []
  security_group_ids:
    description: Security groups of an interface endpoint, exactly.
    type: list
    elements: str
    default: []
  private_dns:
    description: Whether an interface endpoint answers on the service's own DNS name.
    type: bool
    default: true
  policy:
    description:
      - The endpoint policy, the most any request through the endpoint may do (Amazon VPC User Guide, "Control access to
        VPC endpoints using endpoint policies"). Compared as JSON, not as text.
      - Omitted, the endpoint's policy is left as it is (AWS gives a new endpoint full access).
    type: json
  name:
    description: Value of the endpoint's C(Name) tag.
    type: str
    required: true
  wait:
    description: Wait until a new endpoint is available.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
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
    description: Shows the endpoint before and after.
"""

EXAMPLES = r"""
- name: S3 through a gateway endpoint
  cloud_design.platform.vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    service: com.amazonaws.eu-west-1.s3
    endpoint_type: Gateway
    route_table_ids: [rtb-0123456789abcdef0]
    name: shop-prod-s3
    policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: "s3:*"
          Resource: "*"
          Condition: {StringEquals: {"aws:ResourceAccount": "123456789012"}}
    tags:
      Project: shop
"""

RETURN = r"""
endpoint:
  description: The endpoint afterwards; C(id) is null in check mode when it would be created.
  returned: always
  type: dict
  sample:
    id: vpce-0123456789abcdef0
    service: com.amazonaws.eu-west-1.s3
    type: Gateway
    route_table_ids: [rtb-0123456789abcdef0]
    subnet_ids: []
    security_group_ids: []
    policy: {Statement: [{Effect: Allow, Principal: "*", Action: "s3:*", Resource: "*",
                          Condition: {StringEquals: {"aws:ResourceAccount": "123456789012"}}}]}
    tags: {Name: shop-prod-s3}
changes:
  description: What was (in check mode, would be) changed, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create Gateway endpoint com.amazonaws.eu-west-1.s3"]
"""

import json

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
    wait_for,
)

LIVE = ["pendingAcceptance", "pending", "available"]


def policy_of(document):
    """A policy document (JSON text or already parsed) as data, or None."""
    if document is None or isinstance(document, dict):
        return document
    return json.loads(document)


def view(endpoint, tags):
    return {"id": endpoint.get("VpcEndpointId"), "service": endpoint.get("ServiceName"), "type": endpoint.get("VpcEndpointType"),
            "route_table_ids": sorted(endpoint.get("RouteTableIds") or []), "subnet_ids": sorted(endpoint.get("SubnetIds") or []),
            "security_group_ids": sorted(g["GroupId"] for g in endpoint.get("Groups") or []),
            "policy": policy_of(endpoint.get("PolicyDocument")), "tags": tags}


def converge(module, ec2, once):
    params = module.params
    gateway = params["endpoint_type"] == "Gateway"
    if gateway and (params["subnet_ids"] or params["security_group_ids"]):
        raise PlatformError("a Gateway endpoint takes route_table_ids, not subnet_ids or security_group_ids")
    if not gateway and params["route_table_ids"]:
        raise PlatformError("an Interface endpoint takes subnet_ids and security_group_ids, not route_table_ids")
    tags = dict(params.get("tags") or {}, Name=params["name"])
    what = "endpoints of %s in %s" % (params["service"], params["vpc_id"])
    changes = []
    policy = policy_of(params["policy"])

    def endpoints():
        return ec2.describe_vpc_endpoints(Filters=[
            {"Name": "vpc-id", "Values": [params["vpc_id"]]}, {"Name": "service-name", "Values": [params["service"]]},
            {"Name": "vpc-endpoint-state", "Values": LIVE}])["VpcEndpoints"]

    current = pick_one(endpoints(), what, ident=lambda e: e["VpcEndpointId"])
    wanted = {"route_table_ids": sorted(set(params["route_table_ids"])), "subnet_ids": sorted(set(params["subnet_ids"])),
              "security_group_ids": sorted(set(params["security_group_ids"]))}
    if current is None:
        changes.append("create %s endpoint %s" % (params["endpoint_type"], params["service"]))
        after = dict(view({"ServiceName": params["service"], "VpcEndpointType": params["endpoint_type"]}, tags), policy=policy, **wanted)
        if module.check_mode:
            return changes, {}, after
        request = {"VpcId": params["vpc_id"], "ServiceName": params["service"], "VpcEndpointType": params["endpoint_type"],
                   "ClientToken": client_token("vpc-endpoint", params["vpc_id"], params["service"]),
                   "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": dict_to_tag_list(tags)}]}
        if policy is not None:
            request["PolicyDocument"] = json.dumps(policy)
        if gateway:
            request["RouteTableIds"] = wanted["route_table_ids"]
        else:
            request.update(SubnetIds=wanted["subnet_ids"], SecurityGroupIds=wanted["security_group_ids"], PrivateDnsEnabled=params["private_dns"])
        made = create_once(lambda: once.create_vpc_endpoint(**request)["VpcEndpoint"], endpoints, what)[0]
        if params["wait"]:
            wait_for(lambda: pick_one(endpoints(), what, ident=lambda e: e["VpcEndpointId"]) or {},
                     lambda e: e.get("State") in ("available", "pendingAcceptance", "failed", None), timeout=params["wait_timeout"],
                     delay=2, what="endpoint %s" % made["VpcEndpointId"])
        return changes, {}, dict(after, id=made["VpcEndpointId"])
    endpoint_id = current["VpcEndpointId"]
    before = view(current, tag_list_to_dict(current.get("Tags")))
    if current["VpcEndpointType"] != params["endpoint_type"]:
        raise PlatformError("endpoint %s of %s is of type %s, not %s: remove it (the network role's destroy) and run again"
                            % (endpoint_id, params["service"], current["VpcEndpointType"], params["endpoint_type"]))
    modify = {}
    for key, add, remove in (("route_table_ids", "AddRouteTableIds", "RemoveRouteTableIds"),
                             ("subnet_ids", "AddSubnetIds", "RemoveSubnetIds"),
                             ("security_group_ids", "AddSecurityGroupIds", "RemoveSecurityGroupIds")):
        have = set(before[key])
        if (gateway and key != "route_table_ids") or (not gateway and key == "route_table_ids"):
            continue
        plus, minus = sorted(set(wanted[key]) - have), sorted(have - set(wanted[key]))
        if plus:
            modify[add] = plus
        if minus:
            modify[remove] = minus
        if plus or minus:
            changes.append("%s of endpoint %s: +%s -%s" % (key, params["service"], plus, minus))
    if not gateway and bool(current.get("PrivateDnsEnabled")) != params["private_dns"]:
        modify["PrivateDnsEnabled"] = params["private_dns"]
        changes.append("private DNS of endpoint %s: %s" % (params["service"], params["private_dns"]))
    if policy is not None and before["policy"] != policy:
        modify["PolicyDocument"] = json.dumps(policy)
        changes.append("policy of endpoint %s" % params["service"])
    if modify and not module.check_mode:
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, **modify)
    tags_changed, after_tags = apply_tags(module.check_mode, before["tags"], tags, params["purge_tags"], *ec2_tag_calls(ec2, endpoint_id))
    if tags_changed:
        changes.append("tags of endpoint %s" % params["service"])
    after = dict(before, tags=after_tags, policy=policy if policy is not None else before["policy"])
    if gateway:
        after["route_table_ids"] = wanted["route_table_ids"]
    else:
        after.update(subnet_ids=wanted["subnet_ids"], security_group_ids=wanted["security_group_ids"])
    return changes, before, after


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        service=dict(type="str", required=True),
        endpoint_type=dict(type="str", choices=["Gateway", "Interface"], default="Interface"),
        route_table_ids=dict(type="list", elements="str", default=[]),
        subnet_ids=dict(type="list", elements="str", default=[]),
        security_group_ids=dict(type="list", elements="str", default=[]),
        private_dns=dict(type="bool", default=True),
        policy=dict(type="json"),
        name=dict(type="str", required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True)
    module.exit_converged(lambda: converge(module, module.client("ec2"), module.client("ec2", retries=False)),
                          "Failed to converge the %s endpoint" % module.params["service"], "endpoint")


if __name__ == "__main__":
    main()
