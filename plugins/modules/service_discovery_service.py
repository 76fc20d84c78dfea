#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: service_discovery_service
short_description: Manage a name in a Cloud Map private DNS namespace, and its fixed targets
version_added: 0.2.0
description:
  - Creates, updates or deletes a Cloud Map service (a DNS name in a namespace) with C(A) records
    filled by ECS, or a C(CNAME) to a fixed target such as an Aurora writer endpoint.
  - With I(instances), the registered instances are made exactly those listed (a C(CNAME) service
    takes one instance with the C(AWS_INSTANCE_CNAME) attribute); without it, the instances are
    left to their owner (ECS registers and deregisters its tasks itself).
  - Found by name in the namespace before any create; the create carries an idempotency token.
  - amazon.aws and community.aws have no Cloud Map module.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: The host name inside the namespace, e.g. C(inventory-db).
    type: str
    required: true
  namespace_id:
    description: Id of the private DNS namespace.
    type: str
    required: true
  record_type:
    description: C(A) for tasks registered by ECS, C(CNAME) for a fixed target. Cannot change later.
    type: str
    choices: [A, CNAME]
    default: A
  ttl:
    description: Seconds resolvers may cache the answer.
    type: int
    default: 10
  cname:
    description: With I(record_type=CNAME), the target host name (registered as instance C(target)).
    type: str
  state:
    description: Whether the name should exist.
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
    description: Shows the service and its target before and after.
"""

EXAMPLES = r"""
- name: inventory-db resolves to the Aurora writer
  cloud_design.platform.service_discovery_service:
    name: inventory-db
    namespace_id: ns-0123456789abcdef
    record_type: CNAME
    ttl: 30
    cname: shop-prod-inventory-db.cluster-abc.eu-west-1.rds.amazonaws.com
    tags:
      Project: shop
"""

RETURN = r"""
service:
  description: The Cloud Map service; empty when absent.
  returned: always
  type: dict
  sample: {id: srv-0123456789abcdef, arn: "arn:aws:servicediscovery:...", name: inventory-db, record_type: CNAME, ttl: 30, cname: db.example}
"""

from ansible_collections.cloud_design.platform.plugins.module_utils import cloud_map
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        namespace_id=dict(type="str", required=True),
        record_type=dict(type="str", default="A", choices=["A", "CNAME"]),
        ttl=dict(type="int", default=10),
        cname=dict(type="str"),
    )
    module = PlatformModule(
        argument_spec=argument_spec, tags=True, state=True,
        required_if=[["record_type", "CNAME", ["cname"]]],
    )
    params = module.params
    sd = module.client("servicediscovery")

    def converge():
        if params["state"] == "absent":
            before = cloud_map.describe(cloud_map.find_service(sd, params["namespace_id"], params["name"]))
            changed = cloud_map.delete_service(sd, module.check_mode, params["namespace_id"], params["name"])
            after = {}
        else:
            changed, before, after = cloud_map.ensure_service(
                sd, module.check_mode, params["namespace_id"], params["name"], params["record_type"], params["ttl"],
                params.get("tags"), params["purge_tags"])
            if params["record_type"] == "CNAME":
                if before:
                    before["cname"] = cloud_map.list_instances(sd, before["id"]).get("target", {}).get("AWS_INSTANCE_CNAME")
                service_id = after.get("id") or "(new)"
                changes = cloud_map.ensure_instances(sd, module.check_mode, service_id,
                                                     {"target": {"AWS_INSTANCE_CNAME": params["cname"]}})
                changed = changed or bool(changes)
                after["cname"] = params["cname"]
        result = {"changed": changed, "service": after}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage Cloud Map service %s" % params["name"])


if __name__ == "__main__":
    main()
