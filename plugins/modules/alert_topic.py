#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: alert_topic
short_description: An SNS topic for alerts, encrypted with a KMS key, that only named AWS services may publish to
version_added: 0.4.0
description:
  - Converges a standard SNS topic encrypted with a customer managed KMS key (the stock
    M(community.aws.sns_topic) has no KMS option), its access policy and its subscriptions.
  - The policy is generated - the account manages the topic; each service in I(publisher_services)
    may publish when the request comes from this account (C(aws:SourceAccount)); every request
    without TLS is denied - and compared with the topic's as data.
  - E-mail subscriptions wait for the recipient's confirmation; one no longer wanted is removed
    once confirmed (AWS cannot remove a pending one; it lapses after three days) and the module
    warns meanwhile.
  - The key's policy must let the publishing services use it (C(kms:GenerateDataKey*),
    C(kms:Decrypt)); M(cloud_design.platform.kms_keys) grants that for the platform's alerts key.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the topic.
    type: str
    required: true
  display_name:
    description: Display name (the sender name of e-mail notifications).
    type: str
  kms_key_id:
    description: KMS key (ARN, id or alias) that encrypts the topic. Required when I(state=present).
    type: str
  publisher_services:
    description: Service principals allowed to publish, e.g. C(cloudwatch.amazonaws.com).
    type: list
    elements: str
    default: [cloudwatch.amazonaws.com, events.amazonaws.com, budgets.amazonaws.com]
  subscriptions:
    description: Who is notified; the topic ends up with exactly these.
    type: list
    elements: dict
    default: []
    suboptions:
      protocol:
        description: Delivery protocol.
        type: str
        choices: [email, email-json, https, sqs, lambda]
        required: true
      endpoint:
        description: Address, URL or ARN to deliver to.
        type: str
        required: true
  state:
    description: Whether the topic should exist.
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
    description: Shows the key, display name, publishers, subscriptions and tags before and after.
"""

EXAMPLES = r"""
- name: The platform's alert topic
  cloud_design.platform.alert_topic:
    name: shop-prod-alerts
    display_name: shop prod alerts
    kms_key_id: alias/shop-prod-alerts
    subscriptions:
      - protocol: email
        endpoint: oncall@example.com
    tags:
      Project: shop
"""

RETURN = r"""
topic:
  description: The topic; empty when absent.
  returned: always
  type: dict
  sample: {arn: "arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts", kms_key_id: alias/shop-prod-alerts,
           publisher_services: [budgets.amazonaws.com, cloudwatch.amazonaws.com, events.amazonaws.com],
           subscriptions: ["email:oncall@example.com"], pending: ["email:oncall@example.com"], tags: {Project: shop}}
"""

import json

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformModule,
    all_pages,
    apply_tags,
    dict_to_tag_list,
    partition_of,
    tag_list_to_dict,
)


def topic_policy(arn, account, services):
    partition = arn.split(":")[1]
    statements = [
        {"Sid": "AccountManages", "Effect": "Allow", "Principal": {"AWS": "arn:%s:iam::%s:root" % (partition, account)},
         "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
         "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}},
    ]
    if services:
        statements.append({"Sid": "ServicesPublish", "Effect": "Allow", "Principal": {"Service": sorted(services)},
                           "Action": "SNS:Publish", "Resource": arn,
                           "Condition": {"StringEquals": {"aws:SourceAccount": account}}})
    statements.append({"Sid": "DenyWithoutTLS", "Effect": "Deny", "Principal": "*", "Action": "SNS:Publish", "Resource": arn,
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    return {"Version": "2012-10-17", "Id": "cloud_design.platform-alerts", "Statement": statements}


def publishers_of(policy):
    for statement in (policy or {}).get("Statement", []):
        if statement.get("Sid") == "ServicesPublish":
            services = statement.get("Principal", {}).get("Service", [])
            return sorted([services] if isinstance(services, str) else services)
    return []


def key_of(subscription):
    return "%s:%s" % (subscription["Protocol"] if "Protocol" in subscription else subscription["protocol"],
                      subscription["Endpoint"] if "Endpoint" in subscription else subscription["endpoint"])


def summary(arn, attributes, subscriptions, tags):
    policy = json.loads(attributes.get("Policy") or "{}")
    return {"arn": arn, "kms_key_id": attributes.get("KmsMasterKeyId"), "display_name": attributes.get("DisplayName") or None,
            "publisher_services": publishers_of(policy),
            "subscriptions": sorted(key_of(s) for s in subscriptions),
            "pending": sorted(key_of(s) for s in subscriptions if s.get("SubscriptionArn") in ("PendingConfirmation", "pending confirmation")),
            "tags": tags}


class Topic(Plan):
    def __init__(self, module, sns, account):
        super().__init__(module)
        self.sns, self.account = sns, account

    def find(self, name):
        for topic in all_pages(self.sns.list_topics, "Topics"):
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return topic["TopicArn"]
        return None

    def state(self, arn):
        attributes = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        subscriptions = all_pages(self.sns.list_subscriptions_by_topic, "Subscriptions", TopicArn=arn)
        tags = tag_list_to_dict(self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags"))
        return attributes, subscriptions, tags

    def set_attribute(self, arn, name, value):
        self.change("set %s" % name, self.sns.set_topic_attributes, TopicArn=arn, AttributeName=name, AttributeValue=value)

    def converge_subscriptions(self, arn, current, wanted):
        have = {key_of(s): s for s in current}
        want = {key_of(s): s for s in wanted}
        for key in sorted(set(want) - set(have)):
            self.change("subscribe %s" % key, self.sns.subscribe, TopicArn=arn, Protocol=want[key]["protocol"], Endpoint=want[key]["endpoint"])
        for key in sorted(set(have) - set(want)):
            sub_arn = have[key].get("SubscriptionArn") or ""
            if not sub_arn.startswith("arn:"):
                self.module.warn("subscription %s is pending confirmation: AWS cannot remove it; it lapses after three days" % key)
                continue
            self.change("unsubscribe %s" % key, self.sns.unsubscribe, SubscriptionArn=sub_arn)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        display_name=dict(type="str"),
        kms_key_id=dict(type="str"),
        publisher_services=dict(type="list", elements="str",
                                default=["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"]),
        subscriptions=dict(type="list", elements="dict", default=[], options=dict(
            protocol=dict(type="str", required=True, choices=["email", "email-json", "https", "sqs", "lambda"]),
            endpoint=dict(type="str", required=True, no_log=False),
        )),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True,
                            required_if=[["state", "present", ["kms_key_id"]]])
    params = module.params
    bad = [s for s in params["publisher_services"] if not s.endswith(".amazonaws.com")]
    if bad:
        module.fail_json(msg="publisher_services holds %s: name AWS service principals such as cloudwatch.amazonaws.com" % ", ".join(bad))
    for sub in params["subscriptions"]:
        if sub["protocol"] == "https" and not sub["endpoint"].startswith("https://"):
            module.fail_json(msg="subscription endpoint %s: the https protocol needs an https:// URL" % sub["endpoint"])
        if sub["protocol"].startswith("email") and "@" not in sub["endpoint"]:
            module.fail_json(msg="subscription endpoint %s is not an e-mail address" % sub["endpoint"])
    sns = module.client("sns")
    name = params["name"]

    def converge():
        before, after = {}, {}
        account = module.caller_identity()["Account"]
        topic = Topic(module, sns, account)
        arn = topic.find(name)
        if arn:
            attributes, subscriptions, tags = topic.state(arn)
            before = summary(arn, attributes, subscriptions, tags)
        if params["state"] == "absent":
            if arn:
                topic.change("delete topic %s" % name, sns.delete_topic, TopicArn=arn)
        else:
            region = module.region
            planned_arn = arn or "arn:%s:sns:%s:%s:%s" % (partition_of(region), region, account, name)
            policy = topic_policy(planned_arn, account, params["publisher_services"])
            wanted_attributes = {"KmsMasterKeyId": params["kms_key_id"], "Policy": json.dumps(policy)}
            if params["display_name"] is not None:
                wanted_attributes["DisplayName"] = params["display_name"]
            if not arn:
                topic.changes.append("create topic %s" % name)
                attributes, subscriptions, tags = {}, [], {}
                if not module.check_mode:
                    arn = sns.create_topic(Name=name, Attributes=wanted_attributes,
                                           Tags=dict_to_tag_list(params.get("tags")))["TopicArn"]
                    attributes, subscriptions, tags = topic.state(arn)
            else:
                if attributes.get("KmsMasterKeyId") != params["kms_key_id"]:
                    topic.set_attribute(arn, "KmsMasterKeyId", params["kms_key_id"])
                if json.loads(attributes.get("Policy") or "{}") != policy:
                    topic.set_attribute(arn, "Policy", wanted_attributes["Policy"])
                if params["display_name"] is not None and attributes.get("DisplayName") != params["display_name"]:
                    topic.set_attribute(arn, "DisplayName", params["display_name"])
            if not arn:
                tags = params.get("tags") or {}
            else:
                topic.converge_subscriptions(arn, subscriptions, params["subscriptions"])
                tag_changed, tags = apply_tags(
                    module.check_mode, tags, params.get("tags"), params["purge_tags"],
                    lambda t: sns.tag_resource(ResourceArn=arn, Tags=dict_to_tag_list(t)),
                    lambda k: sns.untag_resource(ResourceArn=arn, TagKeys=k))
                if tag_changed:
                    topic.changes.append("tags")
            wanted_subs = [{"Protocol": s["protocol"], "Endpoint": s["endpoint"],
                            "SubscriptionArn": next((c.get("SubscriptionArn") for c in subscriptions if key_of(c) == key_of(s)),
                                                    "PendingConfirmation")} for s in params["subscriptions"]]
            after = summary(planned_arn, wanted_attributes, wanted_subs, tags)
        result = {"changed": bool(topic.changes), "changes": topic.changes, "topic": after}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage topic %s" % name)


if __name__ == "__main__":
    main()
