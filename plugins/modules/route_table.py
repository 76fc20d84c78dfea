#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: route_table
short_description: A tagged VPC route table with exactly its routes and subnets, created exactly once
version_added: 0.7.0
description:
  - Converges one route table of a VPC, identified by its C(Name) tag. It owns the default routes (to an
    internet gateway or a NAT gateway), the subnets associated with it, and its tags.
  - CreateRouteTable is sent with an idempotency token derived from the VPC and the name, and
    with its tags; after a failure that may have come after the write, the table is looked up by
    its tags before anything is sent again, adopted when one is found, and the run stops with
    the list when several are (C(amazon.aws.ec2_vpc_route_table) retries the create blindly and
    then refuses every later run because its tags no longer identify one table).
  - A retried route or association whose first attempt got through is recognised
    (C(RouteAlreadyExists), C(Resource.AlreadyAssociated)) and kept.
  - The VPC's C(local) routes and the routes that gateway VPC endpoints add are never removed.
  - Removal stays with C(amazon.aws.ec2_vpc_route_table) (deletes are safe to retry).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vpc_id:
    description: The VPC.
    type: str
    required: true
  name:
    description: Value of the table's C(Name) tag, which identifies it in the VPC.
    type: str
    required: true
  routes:
    description: The routes the table has, besides the VPC's own and the VPC endpoints'.
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: IPv4 destination block.
        type: str
        required: true
      gateway_id:
        description: An internet gateway.
        type: str
      nat_gateway_id:
        description: A NAT gateway.
        type: str
  purge_routes:
    description: Remove the routes that I(routes) does not list.
    type: bool
    default: true
  subnets:
    description: Ids of the subnets associated with the table; a subnet associated with another table is moved.
    type: list
    elements: str
    default: []
  purge_subnets:
    description: Disassociate the subnets that I(subnets) does not list.
    type: bool
    default: true
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
    description: Shows the routes, subnets and tags before and after.
"""

EXAMPLES = r"""
- name: Public subnets to the internet gateway
  cloud_design.platform.route_table:
    vpc_id: vpc-0123456789abcdef0
    name: shop-prod-public
    subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    routes:
      - dest: 0.0.0.0/0
        gateway_id: igw-0123456789abcdef0
    tags:
      Project: shop
      Tier: public
"""

RETURN = r"""
route_table:
  description: The table afterwards; C(id) is null in check mode when it would be created.
  returned: always
  type: dict
  sample:
    id: rtb-0123456789abcdef0
    routes:
      - dest: 0.0.0.0/0
        gateway_id: igw-0123456789abcdef0
    subnets: [subnet-0123456789abcdef0]
    tags: {Name: shop-prod-public}
changes:
  description: What was (in check mode, would be) changed, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create route table shop-prod-public", "route 0.0.0.0/0 -> igw-0123456789abcdef0"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by PlatformModule (AnsibleAWSModule)

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
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

TARGETS = (("gateway_id", "GatewayId"), ("nat_gateway_id", "NatGatewayId"))


def managed_routes(table):
    """{dest: {target key: id}} of the routes this module governs (not local, not VPC endpoints')."""
    out = {}
    for route in table.get("Routes") or []:
        dest = route.get("DestinationCidrBlock")
        if not dest or route.get("GatewayId") == "local" or (route.get("GatewayId") or "").startswith("vpce-"):
            continue
        out[dest] = {key: route[api] for key, api in TARGETS if route.get(api)}
    return out


def wanted_routes(params):
    out = {}
    for route in params["routes"]:
        targets = {key: route[key] for key, dummy in TARGETS if route.get(key)}
        if len(targets) != 1:
            raise PlatformError("route to %s needs exactly one of gateway_id or nat_gateway_id, got %s" % (route["dest"], sorted(targets) or "none"))
        out[route["dest"]] = targets
    return out


def associations(table):
    return {a["SubnetId"]: a["RouteTableAssociationId"] for a in table.get("Associations") or [] if a.get("SubnetId")}


def view(table, routes, subnets, tags):
    return {"id": table.get("RouteTableId") if table else None,
            "routes": [dict(dest=d, **t) for d, t in sorted(routes.items())], "subnets": sorted(subnets), "tags": tags}


class Table(Plan):
    def __init__(self, module):
        super().__init__(module)
        self.ec2 = module.client("ec2")
        self.once = module.client("ec2", retries=False)

    def tables(self):
        return self.ec2.describe_route_tables(Filters=[
            {"Name": "vpc-id", "Values": [self.params["vpc_id"]]}, {"Name": "tag:Name", "Values": [self.params["name"]]}])["RouteTables"]

    def reread(self, table_id):
        return self.ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]

    def ensure(self):
        params = self.params
        tags = dict(params.get("tags") or {}, Name=params["name"])
        routes = wanted_routes(params)
        what = "route tables named %s in %s" % (params["name"], params["vpc_id"])
        table = pick_one(self.tables(), what, ident=lambda t: t["RouteTableId"])
        if table is None:
            self.changes.append("create route table %s" % params["name"])
            before = {}
            if not self.check:
                table = create_once(lambda: self.once.create_route_table(
                    VpcId=params["vpc_id"], ClientToken=client_token("route-table", params["vpc_id"], params["name"]),
                    TagSpecifications=[{"ResourceType": "route-table", "Tags": dict_to_tag_list(tags)}])["RouteTable"], self.tables, what)[0]
        else:
            before = view(table, managed_routes(table), associations(table), tag_list_to_dict(table.get("Tags")))
        have = table or {}
        table_id = have.get("RouteTableId")
        changed_tags, after_tags = apply_tags(self.check, tag_list_to_dict(have.get("Tags")) if table_id else {}, tags, params["purge_tags"],
                                              *ec2_tag_calls(self.ec2, table_id))
        if changed_tags and before:
            self.changes.append("tags of route table %s" % params["name"])
        self.converge_routes(table_id, managed_routes(have), routes)
        subnets = self.converge_subnets(table_id, associations(have))
        after_routes = routes if params["purge_routes"] else dict(managed_routes(have), **routes)
        after = view(have if table_id else None, after_routes, subnets, after_tags)
        return before, after

    def converge_routes(self, table_id, current, wanted):
        for dest, targets in sorted(wanted.items()):
            have = current.get(dest)
            if have == targets:
                continue
            key, target = next(iter(targets.items()))
            api = dict(TARGETS)[key]
            self.changes.append("route %s -> %s" % (dest, target))
            if self.check:
                continue
            if have is None:
                create_once(lambda dest=dest, api=api, target=target: self.once.create_route(
                    RouteTableId=table_id, DestinationCidrBlock=dest, **{api: target}),
                    lambda dest=dest, targets=targets: [r for d, r in managed_routes(self.reread(table_id)).items() if d == dest and r == targets],
                    "routes to %s in %s" % (dest, table_id), exists_codes=("RouteAlreadyExists",))
            else:
                self.ec2.replace_route(RouteTableId=table_id, DestinationCidrBlock=dest, **{api: target})
        if self.params["purge_routes"]:
            for dest in sorted(set(current) - set(wanted)):
                self.changes.append("remove route %s" % dest)
                if not self.check:
                    try:
                        self.ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock=dest)
                    except botocore.exceptions.ClientError as exc:
                        if exc.response.get("Error", {}).get("Code") != "InvalidRoute.NotFound":
                            raise

    def converge_subnets(self, table_id, current):
        wanted = list(dict.fromkeys(self.params["subnets"]))
        for subnet in wanted:
            if subnet in current:
                continue
            self.changes.append("associate %s" % subnet)
            if self.check:
                continue
            elsewhere = self.ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
            moved = [a["RouteTableAssociationId"] for t in elsewhere for a in t.get("Associations") or [] if a.get("SubnetId") == subnet]
            if moved:
                self.ec2.replace_route_table_association(AssociationId=moved[0], RouteTableId=table_id)
            else:
                create_once(lambda subnet=subnet: self.once.associate_route_table(RouteTableId=table_id, SubnetId=subnet),
                            lambda subnet=subnet: [s for s in associations(self.reread(table_id)) if s == subnet],
                            "associations of %s with %s" % (subnet, table_id), exists_codes=("Resource.AlreadyAssociated",))
        kept = set(wanted)
        if self.params["purge_subnets"]:
            for subnet, association in sorted(current.items()):
                if subnet not in kept:
                    self.change("disassociate %s" % subnet, self.ec2.disassociate_route_table, AssociationId=association)
        else:
            kept |= set(current)
        return kept


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        name=dict(type="str", required=True),
        routes=dict(type="list", elements="dict", default=[], options=dict(
            dest=dict(type="str", required=True),
            gateway_id=dict(type="str"),
            nat_gateway_id=dict(type="str"),
        )),
        purge_routes=dict(type="bool", default=True),
        subnets=dict(type="list", elements="str", default=[]),
        purge_subnets=dict(type="bool", default=True),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True)
    table = Table(module)
    module.exit_converged(lambda: (table.changes,) + table.ensure(), "Failed to converge route table %s" % module.params["name"], "route_table")


if __name__ == "__main__":
    main()
