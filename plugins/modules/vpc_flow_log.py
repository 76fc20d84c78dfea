#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpc_flow_log
short_description: Manage a VPC flow log delivered to CloudWatch Logs
version_added: 0.1.0
description:
  - Creates, updates or deletes the flow log of one VPC (or subnet or network interface)
    that delivers to a CloudWatch Logs log group.
  - Flow logs cannot be modified in place; when the traffic type, the delivery role, the
    aggregation interval or the log format differ, the flow log is replaced. Tags are
    updated in place.
  - Creates carry an idempotency token derived from the resource and the destination,
    so a create retried after an ambiguous failure does not make a second flow log.
  - amazon.aws and community.aws have no module for flow logs.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  resource_id:
    description: The VPC, subnet or network interface id whose traffic is logged.
    type: str
    required: true
  resource_type:
    description: The kind of I(resource_id).
    type: str
    choices: [VPC, Subnet, NetworkInterface]
    default: VPC
  log_group_name:
    description: The CloudWatch Logs log group that receives the records.
    type: str
    required: true
  deliver_logs_role_arn:
    description:
      - ARN of the IAM role that lets the flow-logs service write to the log group.
      - Required when I(state=present).
    type: str
  traffic_type:
    description: Which traffic to log.
    type: str
    choices: [ALL, ACCEPT, REJECT]
    default: ALL
  max_aggregation_interval:
    description: Seconds over which packets are aggregated into one record.
    type: int
    choices: [60, 600]
    default: 600
  log_format:
    description: Custom record format; the AWS default format when omitted.
    type: str
  state:
    description: Whether the flow log should exist.
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
    description: Shows the flow log before and after.
notes:
  - Several flow logs for one resource are allowed by AWS; this module manages the one that
    delivers to I(log_group_name) and leaves flow logs to other destinations alone. When
    more than one flow log already delivers there, it stops and lists them.
"""

EXAMPLES = r"""
- name: Log all traffic of the VPC to CloudWatch Logs
  cloud_design.platform.vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    log_group_name: /shop/prod/vpc-flow-logs
    deliver_logs_role_arn: arn:aws:iam::123456789012:role/shop-prod-flow-logs
    traffic_type: ALL
    max_aggregation_interval: 60
    tags:
      Project: shop
      Environment: prod

- name: Remove the flow log
  cloud_design.platform.vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    log_group_name: /shop/prod/vpc-flow-logs
    state: absent
"""

RETURN = r"""
flow_log:
  description: The flow log as AWS describes it (snake_cased); empty when absent.
  returned: always
  type: dict
  sample:
    flow_log_id: fl-0123456789abcdef0
    resource_id: vpc-0123456789abcdef0
    traffic_type: ALL
    log_group_name: /shop/prod/vpc-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/shop-prod-flow-logs
    max_aggregation_interval: 60
    flow_log_status: ACTIVE
    tags:
      Project: shop
flow_log_id:
  description: Id of the flow log; null when absent.
  returned: always
  type: str
  sample: fl-0123456789abcdef0
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
    apply_tags,
    client_token,
    dict_to_tag_list,
    ec2_tag_calls,
    pick_one,
    tag_list_to_dict,
)

# Attributes AWS cannot change on an existing flow log: a difference means replacement.
IMMUTABLE = ("TrafficType", "DeliverLogsPermissionArn", "MaxAggregationInterval", "LogFormat")


def find_flow_log(client, resource_id, log_group_name):
    """The flow log of the resource that delivers to the log group, or None."""
    found = client.describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [resource_id]}],
    )["FlowLogs"]
    mine = [
        f for f in found
        if f.get("LogGroupName") == log_group_name and f.get("LogDestinationType", "cloud-watch-logs") == "cloud-watch-logs"
    ]
    return pick_one(mine, "flow logs of %s to %s" % (resource_id, log_group_name), ident=lambda f: f["FlowLogId"])


def desired_attributes(params):
    wanted = {
        "TrafficType": params["traffic_type"],
        "DeliverLogsPermissionArn": params["deliver_logs_role_arn"],
        "MaxAggregationInterval": params["max_aggregation_interval"],
    }
    if params.get("log_format"):
        wanted["LogFormat"] = params["log_format"]
    return wanted


def differences(current, wanted):
    return sorted(k for k, v in wanted.items() if current.get(k) != v)


def create_flow_log(client, params, tags):
    wanted = desired_attributes(params)
    request = {
        "ResourceIds": [params["resource_id"]],
        "ResourceType": params["resource_type"],
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": params["log_group_name"],
        "ClientToken": client_token("flow-log", params["resource_id"], params["log_group_name"], *sorted(wanted.items())),
    }
    request.update(wanted)
    if tags:
        request["TagSpecifications"] = [{"ResourceType": "vpc-flow-log", "Tags": dict_to_tag_list(tags)}]
    try:
        result = client.create_flow_logs(**request)
    except is_boto3_error_code("FlowLogAlreadyExists"):
        # An earlier attempt of this very request got through (ambiguous failure): adopt it.
        return find_flow_log(client, params["resource_id"], params["log_group_name"])["FlowLogId"]
    if result.get("Unsuccessful"):
        error = result["Unsuccessful"][0].get("Error", {})
        if error.get("Code") == "FlowLogAlreadyExists":
            return find_flow_log(client, params["resource_id"], params["log_group_name"])["FlowLogId"]
        raise PlatformError("AWS refused the flow log for %s: %s" % (params["resource_id"], error.get("Message", error)))
    return result["FlowLogIds"][0]


def snake(flow_log):
    if not flow_log:
        return {}
    out = camel_dict_to_snake_dict({k: v for k, v in flow_log.items() if k != "Tags"})
    out["tags"] = tag_list_to_dict(flow_log.get("Tags"))
    return out


def ensure_present(module, client):
    params = module.params
    if not params.get("deliver_logs_role_arn"):
        raise PlatformError("deliver_logs_role_arn is required when state=present: the IAM role the flow-logs service assumes to write to the log group")
    tags = params.get("tags") or {}
    current = find_flow_log(client, params["resource_id"], params["log_group_name"])
    wanted = desired_attributes(params)
    changed = False
    if current and differences(current, wanted):
        changed = True
        if not module.check_mode:
            client.delete_flow_logs(FlowLogIds=[current["FlowLogId"]])
        before = current
        current = None
    else:
        before = current
    if current is None:
        changed = True
        if module.check_mode:
            after = dict(wanted, ResourceId=params["resource_id"], LogGroupName=params["log_group_name"], Tags=dict_to_tag_list(tags))
            return changed, before, after
        create_flow_log(client, params, tags)
        after = find_flow_log(client, params["resource_id"], params["log_group_name"])
        return changed, before, after
    tags_changed, tags_after = apply_tags(
        module.check_mode, tag_list_to_dict(current.get("Tags")), params.get("tags"), params["purge_tags"],
        *ec2_tag_calls(client, current["FlowLogId"]))
    if not tags_changed:
        return False, current, current
    return True, before, dict(current, Tags=dict_to_tag_list(tags_after))


def ensure_absent(module, client):
    current = find_flow_log(client, module.params["resource_id"], module.params["log_group_name"])
    if current is None:
        return False, None, None
    if not module.check_mode:
        client.delete_flow_logs(FlowLogIds=[current["FlowLogId"]])
    return True, current, None


def main():
    argument_spec = dict(
        resource_id=dict(type="str", required=True),
        resource_type=dict(type="str", default="VPC", choices=["VPC", "Subnet", "NetworkInterface"]),
        log_group_name=dict(type="str", required=True),
        deliver_logs_role_arn=dict(type="str"),
        traffic_type=dict(type="str", default="ALL", choices=["ALL", "ACCEPT", "REJECT"]),
        max_aggregation_interval=dict(type="int", default=600, choices=[60, 600]),
        log_format=dict(type="str"),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    client = module.client("ec2")

    def converge():
        changed, before, after = (ensure_present if module.params["state"] == "present" else ensure_absent)(module, client)
        return None, snake(before), snake(after), {"changed": changed, "flow_log": snake(after),
                                                   "flow_log_id": (after or {}).get("FlowLogId")}

    module.exit_converged(converge, "Failed to manage the flow log of %s" % module.params["resource_id"])


if __name__ == "__main__":
    main()
