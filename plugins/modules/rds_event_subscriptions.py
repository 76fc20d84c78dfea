#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: rds_event_subscriptions
short_description: Exactly a set of RDS event notification subscriptions to one SNS topic, tagged
version_added: 0.7.0
description:
  - Converges a set of Amazon RDS event subscriptions in one call (neither amazon.aws nor community.aws has a
    module for them) - each subscription's source type, event categories and source identifiers, its topic, and tags.
  - A subscription with no source identifier receives the events of every source of its type in the account and
    region, so a subscription of this set must name its sources; an entry without any is removed instead.
  - Subscriptions whose name starts with I(prefix) and that carry all of I(owner_tags) but are not listed (or list no
    source) are removed.
  - A create whose answer is lost is not sent blindly again - AWS refuses a second subscription of the same name
    (C(SubscriptionAlreadyExist)), and the module then adopts the one it finds.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  topic_arn:
    description:
      - The SNS topic every subscription notifies. Its policy must let C(events.rds.amazonaws.com) publish, and the
        key of an encrypted topic must let it use the key (Amazon RDS User Guide, "Granting permissions to publish
        notifications to an Amazon SNS topic").
    type: str
  subscriptions:
    description: The subscriptions wanted.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Subscription name (255 characters at most, letters, digits and hyphens), starting with I(prefix).
        type: str
        required: true
      source_type:
        description: The kind of source whose events are sent.
        type: str
        required: true
        choices: [db-instance, db-cluster, db-parameter-group, db-security-group, db-snapshot, db-cluster-snapshot, db-proxy]
      event_categories:
        description: The event categories sent (Amazon RDS User Guide, "Amazon RDS event categories and event messages"); empty sends all.
        type: list
        elements: str
        default: []
      source_ids:
        description: The identifiers of the sources (DB cluster identifiers for C(db-cluster), DB instance identifiers for C(db-instance), ...).
        type: list
        elements: str
        default: []
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
    description: Reports which subscriptions would be created, changed or removed and makes no change.
  diff_mode:
    support: full
    description: Shows each subscription's topic, source type, categories, sources and tags before and after.
"""

EXAMPLES = r"""
- name: Failures and maintenance of the environment's Aurora clusters to the alert topic
  cloud_design.platform.rds_event_subscriptions:
    prefix: shop-prod-
    owner_tags: {Project: shop, Environment: prod}
    topic_arn: arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts
    subscriptions:
      - name: shop-prod-db-clusters
        source_type: db-cluster
        event_categories: [failure, maintenance]
        source_ids: [shop-prod-inventory-db, shop-prod-billing-db]
    tags: {Project: shop, Environment: prod}
"""

RETURN = r"""
subscriptions:
  description: The subscriptions of the set after the run, by name.
  returned: always
  type: dict
  sample: {shop-prod-db-clusters: {topic_arn: "arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts", source_type: db-cluster,
                                   event_categories: [failure, maintenance], source_ids: [shop-prod-billing-db], enabled: true,
                                   tags: {Project: shop}}}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create subscription shop-prod-db-clusters", "add source shop-prod-billing-db to shop-prod-db-clusters"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    apply_tags,
    concurrently,
    create_once,
    dict_to_tag_list,
    is_owned,
    owned_set_module,
    rds_tag_calls,
    refuse_foreign_names,
    tag_list_to_dict,
)

SOURCE_TYPES = ["db-instance", "db-cluster", "db-parameter-group", "db-security-group", "db-snapshot", "db-cluster-snapshot", "db-proxy"]


def gone(call, code):
    """A removal whose earlier try was carried out but answered with a server error is refused when retried (the
    source or subscription is no longer there): that answer means done."""
    try:
        call()
    except is_boto3_error_code(code):
        pass


def _state(subscription, tags):
    return {"topic_arn": subscription.get("SnsTopicArn"), "source_type": subscription.get("SourceType"),
            "event_categories": sorted(subscription.get("EventCategoriesList") or []),
            "source_ids": sorted(subscription.get("SourceIdsList") or []),
            "enabled": bool(subscription.get("Enabled")), "tags": tags}


def converge(module, rds, writer):
    params = module.params
    wanted = {} if params["state"] == "absent" else {s["name"]: s for s in params["subscriptions"] if s["source_ids"]}
    found = {s["CustSubscriptionId"]: s for page in rds.get_paginator("describe_event_subscriptions").paginate()
             for s in page["EventSubscriptionsList"] if s["CustSubscriptionId"].startswith(params["prefix"])}
    tags_of = concurrently(*[lambda arn=s["EventSubscriptionArn"]: tag_list_to_dict(rds.list_tags_for_resource(ResourceName=arn).get("TagList"))
                             for s in found.values()])
    current = {name: _state(s, tags) for (name, s), tags in zip(found.items(), tags_of)}
    plan, after = Plan(module), {}
    tags = {k: str(v) for k, v in (params.get("tags") or {}).items()}
    for name, sub in sorted(wanted.items()):
        want = {"topic_arn": params["topic_arn"], "source_type": sub["source_type"],
                "event_categories": sorted(set(sub["event_categories"])), "source_ids": sorted(set(sub["source_ids"])),
                "enabled": True}
        have = current.get(name)
        if have is not None and have["source_type"] != want["source_type"]:
            # A subscription's sources are of its type: another type is another subscription.
            plan.change("replace subscription %s (source type %s, was %s)" % (name, want["source_type"], have["source_type"]),
                        rds.delete_event_subscription, SubscriptionName=name)
        elif have is None:
            plan.change("create subscription %s" % name)
        if have is None or have["source_type"] != want["source_type"]:
            if not module.check_mode:
                create_once(
                    lambda n=name, w=want: writer.create_event_subscription(
                        SubscriptionName=n, SnsTopicArn=w["topic_arn"], SourceType=w["source_type"],
                        EventCategories=w["event_categories"], SourceIds=w["source_ids"], Enabled=True,
                        Tags=dict_to_tag_list(tags)),
                    lambda n=name: [s for page in rds.get_paginator("describe_event_subscriptions").paginate()
                                    for s in page["EventSubscriptionsList"] if s["CustSubscriptionId"] == n],
                    "RDS event subscription %s" % name, exists_codes=("SubscriptionAlreadyExist",))
            after[name] = dict(want, tags=tags)
            continue
        settings = ("topic_arn", "event_categories", "enabled")
        if {k: have[k] for k in settings} != {k: want[k] for k in settings}:
            plan.change("update subscription %s" % name,
                        rds.modify_event_subscription, SubscriptionName=name, SnsTopicArn=want["topic_arn"], SourceType=want["source_type"],
                        EventCategories=want["event_categories"], Enabled=True)
        for source in sorted(set(want["source_ids"]) - set(have["source_ids"])):
            plan.change("add source %s to %s" % (source, name), rds.add_source_identifier_to_subscription, SubscriptionName=name, SourceIdentifier=source)
        for source in sorted(set(have["source_ids"]) - set(want["source_ids"])):
            plan.change("remove source %s from %s" % (source, name))
            if not module.check_mode:
                gone(lambda s=source: rds.remove_source_identifier_from_subscription(
                    SubscriptionName=name, SourceIdentifier=s), "SourceNotFound")
        arn = found[name]["EventSubscriptionArn"]
        tag_changed, now = apply_tags(
            module.check_mode, have["tags"], params.get("tags"), params["purge_tags"],
            *rds_tag_calls(rds, arn))
        if tag_changed:
            plan.change("tags of %s" % name)
        after[name] = dict(want, tags=now)
    for name in sorted(set(current) - set(wanted)):
        if not is_owned(current[name]["tags"], params["owner_tags"]):
            after[name] = current[name]
            continue
        plan.change("delete subscription %s" % name)
        if not module.check_mode:
            gone(lambda n=name: rds.delete_event_subscription(SubscriptionName=n), "SubscriptionNotFound")
    return plan.changes, current, after


def main():
    module = owned_set_module(
        "RDS event subscription",
        topic_arn=dict(type="str"),
        subscriptions=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            source_type=dict(type="str", required=True, choices=SOURCE_TYPES),
            event_categories=dict(type="list", elements="str", default=[]),
            source_ids=dict(type="list", elements="str", default=[]),
        )),
    )
    params = module.params
    refuse_foreign_names(module, [sub["name"] for sub in params["subscriptions"]], "subscription")
    if params["state"] == "present" and any(s["source_ids"] for s in params["subscriptions"]) and not params["topic_arn"]:
        module.fail_json(msg="topic_arn is required when there are subscriptions: give the alert topic's ARN")
    rds = module.client("rds")
    writer = module.client("rds", retries=False)
    module.exit_converged(lambda: converge(module, rds, writer), "Failed to converge the RDS event subscriptions %s*" % params["prefix"],
                          key="subscriptions")


if __name__ == "__main__":
    main()
