#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: event_rules
short_description: Exactly a set of EventBridge rules that forward matching events to one target, tagged
version_added: 0.5.0
description:
  - Converges a set of event-pattern rules on the default event bus in one call (the stock
    M(amazon.aws.cloudwatchevent_rule) takes one rule per task and cannot tag) - each rule's pattern,
    description and state, its one target (an SNS topic), and tags.
  - Rules whose name starts with I(prefix) and that carry all of I(owner_tags) but are not listed are
    removed with their targets.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  target_arn:
    description: Where every rule sends its events (an SNS topic whose policy lets C(events.amazonaws.com) publish).
    type: str
  rules:
    description: The rules wanted.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Rule name (64 characters at most), starting with I(prefix).
        type: str
        required: true
      description:
        description: What the rule catches.
        type: str
        default: ""
      event_pattern:
        description: The event pattern, as data.
        type: dict
        required: true
extends_documentation_fragment:
  - cloud_design.platform.platform
  - cloud_design.platform.owned_set
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports which rules would be created, updated or removed and makes no change.
  diff_mode:
    support: full
    description: Shows each rule's pattern, target and tags before and after.
"""

EXAMPLES = r"""
- name: Failed ECS deployments to the alert topic
  cloud_design.platform.event_rules:
    prefix: shop-prod-
    owner_tags: {Project: shop, Environment: prod}
    target_arn: arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts
    rules:
      - name: shop-prod-ecs-deployment-failed
        description: An ECS deployment of shop-prod failed
        event_pattern:
          source: [aws.ecs]
          detail-type: [ECS Deployment State Change]
          detail: {eventName: [SERVICE_DEPLOYMENT_FAILED]}
    tags: {Project: shop, Environment: prod}
"""

RETURN = r"""
rules:
  description: The rules of the set after the run, by name, with their ARN (when made) and target.
  returned: always
  type: dict
  sample: {shop-prod-ecs-deployment-failed: {arn: "arn:aws:events:eu-west-1:123456789012:rule/shop-prod-ecs-deployment-failed",
                                             target: "arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts"}}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create rule shop-prod-ecs-deployment-failed"]
"""

import json

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    all_pages,
    apply_tags,
    concurrently,
    dict_to_tag_list,
    is_owned,
    owned_set_module,
    tag_list_to_dict,
)

TARGET_ID = "alerts"


def main():
    module = owned_set_module(
        "rule",
        target_arn=dict(type="str"),
        rules=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", default=""),
            event_pattern=dict(type="dict", required=True),
        )),
    )
    params = module.params
    wanted = {} if params["state"] == "absent" else {r["name"]: r for r in params["rules"]}
    for name in wanted:
        if not name.startswith(params["prefix"]) or len(name) > 64:
            module.fail_json(msg="rule %s must start with %s and have at most 64 characters" % (name, params["prefix"]))
    if wanted and not params["target_arn"]:
        module.fail_json(msg="target_arn is required when there are rules: give the alert topic's ARN")
    events = module.client("events")
    changes, before, after, out = [], {}, {}, {}

    def converge():
        found = {r["Name"]: r for r in all_pages(events.list_rules, "Rules", NamePrefix=params["prefix"])}
        current = {}
        reads = concurrently(*[read for name, rule in found.items() for read in (
            lambda name=name: events.list_targets_by_rule(Rule=name).get("Targets", []),
            lambda arn=rule["Arn"]: tag_list_to_dict(events.list_tags_for_resource(ResourceARN=arn).get("Tags")))])
        for (name, rule), targets, tags in zip(found.items(), reads[::2], reads[1::2]):
            current[name] = {"description": rule.get("Description") or "", "state": rule.get("State"),
                             "event_pattern": json.loads(rule.get("EventPattern") or "{}"),
                             "targets": sorted(t["Arn"] for t in targets), "tags": tags}
            before[name] = current[name]
        for name, rule in sorted(wanted.items()):
            want = {"description": rule["description"], "state": "ENABLED", "event_pattern": rule["event_pattern"],
                    "targets": [params["target_arn"]]}
            have = current.get(name)
            arn = found.get(name, {}).get("Arn")
            settings = ("description", "state", "event_pattern")
            needs_put = have is None or {k: have[k] for k in settings} != {k: want[k] for k in settings}
            if needs_put:
                changes.append(("create rule %s" if have is None else "update rule %s") % name)
                if not module.check_mode:
                    arn = events.put_rule(Name=name, EventPattern=json.dumps(rule["event_pattern"], sort_keys=True),
                                          Description=rule["description"], State="ENABLED",
                                          Tags=dict_to_tag_list(params.get("tags")) if have is None else [])["RuleArn"]
            if have is None or have["targets"] != want["targets"]:
                if have is not None:
                    changes.append("target of %s" % name)
                if not module.check_mode:
                    stale = [t for t in (have or {}).get("targets", []) if t != params["target_arn"]]
                    if stale:
                        ids = [t["Id"] for t in events.list_targets_by_rule(Rule=name)["Targets"] if t["Arn"] in stale]
                        events.remove_targets(Rule=name, Ids=ids)
                    events.put_targets(Rule=name, Targets=[{"Id": TARGET_ID, "Arn": params["target_arn"]}])
            tags = {k: str(v) for k, v in (params.get("tags") or {}).items()}
            if have is not None:
                tag_changed, tags = apply_tags(
                    module.check_mode, have["tags"], params.get("tags"), params["purge_tags"],
                    lambda t, a=arn: events.tag_resource(ResourceARN=a, Tags=dict_to_tag_list(t)),
                    lambda k, a=arn: events.untag_resource(ResourceARN=a, TagKeys=k))
                if tag_changed:
                    changes.append("tags of %s" % name)
            after[name] = dict(want, tags=tags)
            out[name] = {"arn": arn, "target": params["target_arn"]}
        for name in sorted(set(current) - set(wanted)):
            if not is_owned(current[name]["tags"], params["owner_tags"]):
                after[name] = current[name]
                continue
            changes.append("delete rule %s" % name)
            if not module.check_mode:
                ids = [t["Id"] for t in events.list_targets_by_rule(Rule=name).get("Targets", [])]
                if ids:
                    events.remove_targets(Rule=name, Ids=ids)
                events.delete_rule(Name=name)
        result = {"changed": bool(changes), "changes": changes, "rules": out}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to converge the rules %s*" % params["prefix"])


if __name__ == "__main__":
    main()
