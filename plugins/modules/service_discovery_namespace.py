#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: service_discovery_namespace
short_description: Manage an AWS Cloud Map private DNS namespace
version_added: 0.1.0
description:
  - Creates or deletes a Cloud Map private DNS namespace attached to a VPC and keeps its
    tags, waiting until the asynchronous operation has finished.
  - The namespace is found by name and VPC before any create, so a re-run or a create retried
    after an ambiguous failure adopts the namespace instead of making a second one.
  - amazon.aws and community.aws have no Cloud Map module.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: DNS name of the namespace, e.g. C(prod.shop.internal).
    type: str
    required: true
  vpc_id:
    description: The VPC the namespace's private hosted zone is attached to.
    type: str
    required: true
  description:
    description: Free text shown in the console.
    type: str
    default: ""
  wait_timeout:
    description: Seconds to wait for the create or delete operation.
    type: int
    default: 600
  state:
    description: Whether the namespace should exist. Deleting fails while it holds services.
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
    description: Shows the namespace before and after.
"""

EXAMPLES = r"""
- name: Private DNS namespace for service names
  cloud_design.platform.service_discovery_namespace:
    name: prod.shop.internal
    vpc_id: vpc-0123456789abcdef0
    tags:
      Project: shop
      Environment: prod
"""

RETURN = r"""
namespace:
  description: The namespace; empty when absent.
  returned: always
  type: dict
  sample:
    id: ns-qm7za0pg2tgtx2az
    arn: arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-qm7za0pg2tgtx2az
    name: prod.shop.internal
    hosted_zone_id: Z0123456789ABCDEFGHIJ
    vpc_id: vpc-0123456789abcdef0
    tags: {Project: shop}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
    apply_tags,
    client_token,
    dict_to_tag_list,
    pick_one,
    tag_list_to_dict,
    wait_for,
)


def zone_vpcs(route53, zone_id):
    zone = route53.get_hosted_zone(Id=zone_id)
    return [v.get("VPCId") for v in zone.get("VPCs") or []]


def find(sd, route53, name, vpc_id):
    """The private DNS namespace of that name whose zone is attached to the VPC."""
    paginator = sd.get_paginator("list_namespaces")
    found = []
    for page in paginator.paginate(Filters=[{"Name": "TYPE", "Values": ["DNS_PRIVATE"]}]):
        for ns in page["Namespaces"]:
            if ns["Name"].rstrip(".") != name.rstrip("."):
                continue
            zone_id = ns.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId")
            if zone_id and vpc_id in zone_vpcs(route53, zone_id):
                found.append(ns)
    ns = pick_one(found, "Cloud Map namespaces named %s in %s" % (name, vpc_id), ident=lambda n: n["Id"])
    if ns is None:
        return None
    tags = tag_list_to_dict(sd.list_tags_for_resource(ResourceARN=ns["Arn"]).get("Tags"))
    return {
        "id": ns["Id"],
        "arn": ns["Arn"],
        "name": ns["Name"],
        "hosted_zone_id": ns.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId", "").split("/")[-1],
        "vpc_id": vpc_id,
        "tags": tags,
    }


def wait_operation(sd, operation_id, timeout):
    def probe():
        return sd.get_operation(OperationId=operation_id)["Operation"]

    operation = wait_for(probe, lambda op: op["Status"] in ("SUCCESS", "FAIL"), timeout=timeout,
                         what="Cloud Map operation %s" % operation_id)
    if operation["Status"] == "FAIL":
        raise PlatformError("Cloud Map operation %s failed: %s" % (operation_id, operation.get("ErrorMessage")))
    return operation


def ensure_present(module, sd, route53):
    params = module.params
    current = find(sd, route53, params["name"], params["vpc_id"])
    if current is None:
        want = {"name": params["name"], "vpc_id": params["vpc_id"], "tags": dict(params.get("tags") or {})}
        if module.check_mode:
            return True, {}, want
        request = {
            "Name": params["name"],
            "Vpc": params["vpc_id"],
            "Description": params["description"],
            "CreatorRequestId": client_token("namespace", params["name"], params["vpc_id"]),
        }
        if params.get("tags"):
            request["Tags"] = dict_to_tag_list(params["tags"])
        try:
            operation_id = sd.create_private_dns_namespace(**request)["OperationId"]
            wait_operation(sd, operation_id, params["wait_timeout"])
        except is_boto3_error_code(["NamespaceAlreadyExists", "ConflictingDomainExists"]):
            pass  # an earlier attempt got through: adopt what it made below
        return True, {}, find(sd, route53, params["name"], params["vpc_id"])
    changed, tags = apply_tags(
        module.check_mode, current["tags"], params.get("tags"), params["purge_tags"],
        lambda add: sd.tag_resource(ResourceARN=current["arn"], Tags=dict_to_tag_list(add)),
        lambda keys: sd.untag_resource(ResourceARN=current["arn"], TagKeys=keys))
    return changed, current, dict(current, tags=tags)


def ensure_absent(module, sd, route53):
    current = find(sd, route53, module.params["name"], module.params["vpc_id"])
    if current is None:
        return False, {}, {}
    if not module.check_mode:
        try:
            operation_id = sd.delete_namespace(Id=current["id"])["OperationId"]
            wait_operation(sd, operation_id, module.params["wait_timeout"])
        except is_boto3_error_code("NamespaceNotFound"):
            pass
        except is_boto3_error_code("ResourceInUse"):  # pylint: disable=duplicate-except
            raise PlatformError("Cloud Map namespace %s still holds services; remove them first" % current["name"])
    return True, current, {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        vpc_id=dict(type="str", required=True),
        description=dict(type="str", default=""),
        wait_timeout=dict(type="int", default=600),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    sd = module.client("servicediscovery")
    route53 = module.client("route53")

    def converge():
        if module.params["state"] == "present":
            changed, before, after = ensure_present(module, sd, route53)
        else:
            changed, before, after = ensure_absent(module, sd, route53)
        result = {"changed": changed, "namespace": after}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage Cloud Map namespace %s" % module.params["name"])


if __name__ == "__main__":
    main()
