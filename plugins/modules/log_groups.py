#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: log_groups
short_description: One retention and one KMS key for every CloudWatch log group under a prefix
version_added: 0.5.0
description:
  - Makes the log groups in I(groups) (tagged, encrypted, with the retention) when missing, and brings
    every log group whose name starts with I(prefix) - whichever component made it - to I(retention_days)
    and I(kms_key_id), in one call.
  - A group encrypted with another key, or with none, is associated with I(kms_key_id)
    (C(AssociateKmsKey)); log events already written stay under the key they were written with.
  - The groups of I(groups) also get exactly the tags of I(tags) (with I(purge_tags)); the platform makes every log
    group of its own through this module, or as part of a workload through M(cloud_design.platform.ecs_workload).
  - Without I(prefix), the call governs the groups of I(groups) only.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  prefix:
    description:
      - Name prefix of the log groups to govern, e.g. C(/shop/prod/).
      - Without it, only the groups of I(groups) are governed.
    type: str
  groups:
    description: Log groups this call owns (made when missing, removed when I(state=absent)).
    type: list
    elements: str
    default: []
  retention_days:
    description: Days every governed group keeps its events (one of the values CloudWatch Logs accepts); required with I(state=present).
    type: int
  kms_key_id:
    description: ARN of the KMS key every governed group is encrypted with; none leaves encryption alone.
    type: str
  metric_filters:
    description:
      - Metric filters of groups of I(groups); each group named here ends up with exactly its listed filters.
    type: list
    elements: dict
    default: []
    suboptions:
      log_group:
        description: The group (one of I(groups)).
        type: str
        required: true
      name:
        description: Name of the filter.
        type: str
        required: true
      pattern:
        description: The filter pattern.
        type: str
        required: true
      metric_name:
        description: Metric the filter counts into.
        type: str
        required: true
      metric_namespace:
        description: Namespace of that metric.
        type: str
        required: true
      metric_value:
        description: Value published per matching event.
        type: str
        default: "1"
      default_value:
        description: Value published when nothing matches.
        type: float
  state:
    description: C(absent) removes the groups of I(groups) only.
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
    description: Shows every governed group's retention and key before and after.
notes:
  - The key's policy must let C(logs.<region>.amazonaws.com) use it for these groups.
"""

EXAMPLES = r"""
- name: One group of its own, made and kept at 30 days with its tags
  cloud_design.platform.log_groups:
    groups: [/aws/lambda/shop-prod-inventory-db-rotation]
    retention_days: 30
    tags: {Project: shop, Environment: prod}

- name: Every log group of the platform keeps 90 days, encrypted with the logs key
  cloud_design.platform.log_groups:
    prefix: /shop/prod/
    groups: [/shop/prod/cloudtrail]
    retention_days: 90
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    metric_filters:
      - log_group: /shop/prod/cloudtrail
        name: shop-prod-root-use
        pattern: '{ $.userIdentity.type = "Root" }'
        metric_name: RootUse
        metric_namespace: Shop/CloudTrail
        default_value: 0
    tags: {Project: shop, Environment: prod}
"""

RETURN = r"""
log_groups:
  description: Every governed group after the run, with its retention and key.
  returned: always
  type: dict
  sample: {/shop/prod/cloudtrail: {arn: "arn:aws:logs:eu-west-1:123456789012:log-group:/shop/prod/cloudtrail",
                                   retention_days: 90, kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/1234"}}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["retention of /shop/prod/ecs/billing-app 14 -> 90"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by PlatformModule (AnsibleAWSModule)

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import Plan, PlatformModule, tag_changes
from ansible_collections.cloud_design.platform.plugins.module_utils.workload_spec import LOG_RETENTION_DAYS


def wanted_filter(spec):
    transformation = {"metricName": spec["metric_name"], "metricNamespace": spec["metric_namespace"],
                      "metricValue": spec["metric_value"]}
    if spec.get("default_value") is not None:
        transformation["defaultValue"] = float(spec["default_value"])
    return {"filterPattern": spec["pattern"], "metricTransformations": [transformation]}


def converge_filters(plan, logs, group, specs, exists):
    """The group's metric filters become exactly specs."""
    have = {}
    if exists:
        for page in logs.get_paginator("describe_metric_filters").paginate(logGroupName=group):
            for item in page["metricFilters"]:
                have[item["filterName"]] = {
                    "filterPattern": item.get("filterPattern", ""),
                    "metricTransformations": [{k: t[k] for k in ("metricName", "metricNamespace", "metricValue", "defaultValue") if k in t}
                                              for t in item.get("metricTransformations", [])]}
    want = {spec["name"]: wanted_filter(spec) for spec in specs}
    for name, filt in sorted(want.items()):
        if have.get(name) != filt:
            plan.change("%s metric filter %s" % ("update" if name in have else "create", name),
                        logs.put_metric_filter, logGroupName=group, filterName=name, **filt)
    for name in sorted(set(have) - set(want)):
        plan.change("delete metric filter %s" % name, logs.delete_metric_filter, logGroupName=group, filterName=name)


def converge_tags(plan, logs, group, tags, params):
    """An owned group's tags become exactly ``tags`` (``purge_tags``); AWS's own (aws:) tags stay. Through the calls
    CloudWatch Logs recommends over the deprecated TagLogGroup and UntagLogGroup (CloudWatch Logs API Reference)."""
    name = group["logGroupName"]
    arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
    current = logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
    to_set, to_remove = tag_changes(current, tags, params["purge_tags"])
    if to_set:
        plan.change("tags of %s: %s" % (name, ", ".join(sorted(to_set))), logs.tag_resource, resourceArn=arn, tags=to_set)
    if to_remove:
        plan.change("tags of %s: remove %s" % (name, ", ".join(to_remove)), logs.untag_resource, resourceArn=arn, tagKeys=to_remove)


def main():
    argument_spec = dict(
        prefix=dict(type="str"),
        groups=dict(type="list", elements="str", default=[]),
        retention_days=dict(type="int"),
        kms_key_id=dict(type="str"),
        metric_filters=dict(type="list", elements="dict", default=[], options=dict(
            log_group=dict(type="str", required=True),
            name=dict(type="str", required=True),
            pattern=dict(type="str", required=True),
            metric_name=dict(type="str", required=True),
            metric_namespace=dict(type="str", required=True),
            metric_value=dict(type="str", default="1"),
            default_value=dict(type="float"),
        )),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True, required_if=[("state", "present", ["retention_days"])])
    params = module.params
    prefix = params["prefix"]
    if prefix is not None and len(prefix) < 2:
        module.fail_json(msg="prefix %r would govern every log group of the account: give the platform's, e.g. /shop/prod/, "
                             "or none to govern the groups listed only" % prefix)
    if prefix is None and not params["groups"]:
        module.fail_json(msg="neither prefix nor groups: give the groups to govern, or their prefix")
    if params["state"] == "present" and params["retention_days"] not in LOG_RETENTION_DAYS:
        module.fail_json(msg="retention_days %s is not one CloudWatch Logs accepts: %s"
                         % (params["retention_days"], ", ".join(str(d) for d in LOG_RETENTION_DAYS)))
    outside = [g for g in params["groups"] if prefix is not None and not g.startswith(prefix)]
    if outside:
        module.fail_json(msg="groups %s are outside the prefix %s" % (", ".join(outside), prefix))
    strays = sorted(set(f["log_group"] for f in params["metric_filters"]) - set(params["groups"]))
    if strays:
        module.fail_json(msg="metric_filters name groups %s that are not in groups" % ", ".join(strays))
    logs = module.client("logs")
    key, days = params["kms_key_id"], params["retention_days"]

    def converge():
        plan, before, after, found_arn = Plan(module), {}, {}, {}
        found = {}
        for start in [prefix] if prefix is not None else params["groups"]:
            for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=start):
                for group in page["logGroups"]:
                    if prefix is not None or group["logGroupName"] in params["groups"]:
                        found[group["logGroupName"]] = group
        for name, group in found.items():
            before[name] = {"retention_days": group.get("retentionInDays"), "kms_key_id": group.get("kmsKeyId")}
        if params["state"] == "absent":
            for name in params["groups"]:
                if name in found:
                    plan.change("delete %s" % name, logs.delete_log_group, logGroupName=name)
            after = {n: v for n, v in before.items() if n not in params["groups"]}
        else:
            tags = {k: str(v) for k, v in (params.get("tags") or {}).items()}
            for name in params["groups"]:
                if name in found:
                    if params.get("tags") is not None:  # no tags given: the group's are left alone (amazon.aws.tags)
                        converge_tags(plan, logs, found[name], tags, params)
                    continue
                plan.change("create %s" % name)
                if not module.check_mode:
                    extra = {"kmsKeyId": key} if key else {}
                    try:
                        logs.create_log_group(logGroupName=name, tags=tags, **extra)
                    except botocore.exceptions.ClientError as exc:
                        # Names are unique: "already exists" right after the listing means a retried
                        # create whose first attempt was written although its answer was lost.
                        if exc.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                            raise
                    logs.put_retention_policy(logGroupName=name, retentionInDays=days)
                    made = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
                    found_arn[name] = made[0].get("arn") if made else None
                after[name] = {"retention_days": days, "kms_key_id": key}
            for name, group in sorted(found.items()):
                after[name] = {"retention_days": days, "kms_key_id": key or group.get("kmsKeyId")}
                if group.get("retentionInDays") != days:
                    plan.change("retention of %s %s -> %s" % (name, group.get("retentionInDays") or "never expire", days),
                                logs.put_retention_policy, logGroupName=name, retentionInDays=days)
                if key and group.get("kmsKeyId") != key:
                    plan.change("encrypt %s with %s" % (name, key), logs.associate_kms_key, logGroupName=name, kmsKeyId=key)
            for name in sorted(set(f["log_group"] for f in params["metric_filters"])):
                converge_filters(plan, logs, name, [f for f in params["metric_filters"] if f["log_group"] == name],
                                 name in found)
        result = {"changed": bool(plan.changes), "changes": plan.changes,
                  "log_groups": {n: dict(v, arn=(found.get(n) or {}).get("arn") or found_arn.get(n)) for n, v in sorted(after.items())}}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to govern the log groups %s" % ("%s*" % prefix if prefix is not None else ", ".join(params["groups"])))


if __name__ == "__main__":
    main()
