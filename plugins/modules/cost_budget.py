#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cost_budget
short_description: An AWS Budgets cost budget with its notifications and their subscribers
version_added: 0.5.0
description:
  - Converges a cost budget (no module exists for AWS Budgets in amazon.aws or community.aws) - its
    amount, currency, period and cost filters, exactly the listed notifications (actual or forecasted
    spend over a percentage of the amount) and, for each, exactly the listed subscribers.
  - A budget's name cannot change; amount, filters and period are updated in place (C(UpdateBudget)).
  - Budgets is a global service; botocore reaches its global endpoint whatever the region.
notes:
  - An SNS subscriber must be a topic whose policy lets C(budgets.amazonaws.com) publish, and, when the
    topic is encrypted, whose KMS key lets Budgets use it (M(cloud_design.platform.alert_topic) and the
    platform's key policy do both).
  - Filtering on a tag (C(TagKeyValue)) counts only costs of resources carrying that tag, once the tag is
    activated as a cost allocation tag in the Billing console.
  - With I(compare_subscribers=false) the subscribers and tags of an existing budget are not read back
    (for endpoints that do not answer C(DescribeSubscribersForNotification) and C(ListTagsForResource));
    they are still set when a budget or a notification is created.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the budget (unique in the account).
    type: str
    required: true
  amount:
    description: The budgeted amount per period. Required when I(state=present).
    type: float
  currency:
    description: Currency of I(amount).
    type: str
    default: USD
  time_unit:
    description: The budget's period.
    type: str
    choices: [MONTHLY, QUARTERLY, ANNUALLY]
    default: MONTHLY
  cost_filters:
    description:
      - 'Cost filters by dimension, for example C({"TagKeyValue": ["user:Project$shop"]}); none counts the whole account.'

    type: dict
    default: {}
  notifications:
    description: The notifications wanted; the budget ends up with exactly these.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description: C(ACTUAL) spend or C(FORECASTED) spend for the period.
        type: str
        choices: [ACTUAL, FORECASTED]
        required: true
      threshold:
        description: Percentage of I(amount) (I(threshold_type=PERCENTAGE)) or an absolute amount.
        type: float
        required: true
      threshold_type:
        description: How I(threshold) is read.
        type: str
        choices: [PERCENTAGE, ABSOLUTE_VALUE]
        default: PERCENTAGE
      comparison:
        description: Comparison with the threshold.
        type: str
        choices: [GREATER_THAN, LESS_THAN, EQUAL_TO]
        default: GREATER_THAN
  subscribers:
    description: Who every notification goes to.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description: Delivery.
        type: str
        choices: [SNS, EMAIL]
        required: true
      address:
        description: Topic ARN or e-mail address.
        type: str
        required: true
  compare_subscribers:
    description: Read back the subscribers and tags of an existing budget and converge them.
    type: bool
    default: true
  state:
    description: Whether the budget should exist.
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
    description: Shows the budget, its notifications and subscribers before and after.
"""

EXAMPLES = r"""
- name: Monthly cost budget of the platform, alerting the operators' topic
  cloud_design.platform.cost_budget:
    name: shop-prod-monthly
    amount: 1500
    cost_filters:
      TagKeyValue: ["user:Project$shop"]
    notifications:
      - {type: ACTUAL, threshold: 80}
      - {type: ACTUAL, threshold: 100}
      - {type: FORECASTED, threshold: 100}
    subscribers:
      - {type: SNS, address: "arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts"}
    tags: {Project: shop, Environment: prod}
"""

RETURN = r"""
budget:
  description: The budget; empty when absent.
  returned: always
  type: dict
  sample: {name: shop-prod-monthly, amount: 1500.0, currency: USD, time_unit: MONTHLY,
           cost_filters: {TagKeyValue: ["user:Project$shop"]},
           notifications: ["ACTUAL GREATER_THAN 80.0 PERCENTAGE", "FORECASTED GREATER_THAN 100.0 PERCENTAGE"],
           subscribers: ["SNS:arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts"]}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create budget shop-prod-monthly"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformModule,
    apply_tags,
    dict_to_tag_list,
    partition_of,
    tag_list_to_dict,
)


def notification(spec):
    return {"NotificationType": spec["type"], "ComparisonOperator": spec["comparison"],
            "Threshold": float(spec["threshold"]), "ThresholdType": spec["threshold_type"]}


def note_key(note):
    return "%s %s %s %s" % (note["NotificationType"], note["ComparisonOperator"], float(note["Threshold"]),
                            note.get("ThresholdType", "PERCENTAGE"))


def sub_key(sub):
    return "%s:%s" % (sub["SubscriptionType"], sub["Address"])


class Budget(Plan):
    def __init__(self, module, client, account):
        super().__init__(module)
        self.module = module
        self.client = client
        self.account = account

    @property
    def arn(self):
        return "arn:%s:budgets::%s:budget/%s" % (partition_of(self.module.region), self.account, self.module.params["name"])

    def find(self, name):
        try:
            return self.client.describe_budget(AccountId=self.account, BudgetName=name)["Budget"]
        except is_boto3_error_code("NotFoundException"):
            return None

    def notifications(self, name):
        out, token = [], None
        while True:
            extra = {"NextToken": token} if token else {}
            page = self.client.describe_notifications_for_budget(AccountId=self.account, BudgetName=name, **extra)
            out += page.get("Notifications", [])
            token = page.get("NextToken")
            if not token:
                return out

    def subscribers(self, name, note):
        page = self.client.describe_subscribers_for_notification(AccountId=self.account, BudgetName=name,
                                                                 Notification=note)
        return page.get("Subscribers", [])

    def tags(self):
        return tag_list_to_dict(self.client.list_tags_for_resource(ResourceARN=self.arn).get("ResourceTags"))

    def act(self, change, call, **kwargs):
        """One change of the budget (Plan.change); calls that take the whole budget get no BudgetName."""
        if "Budget" not in kwargs and "NewBudget" not in kwargs:
            kwargs["BudgetName"] = self.module.params["name"]
        self.change(change, call, AccountId=self.account, **kwargs)


def described(budget, notes, subscribers, tags):
    if not budget:
        return {}
    return {
        "name": budget["BudgetName"],
        "amount": float(budget["BudgetLimit"]["Amount"]),
        "currency": budget["BudgetLimit"]["Unit"],
        "time_unit": budget["TimeUnit"],
        "cost_filters": {k: sorted(v) for k, v in (budget.get("CostFilters") or {}).items()},
        "notifications": sorted(note_key(n) for n in notes),
        "subscribers": sorted(set(sub_key(s) for subs in subscribers.values() for s in subs)) if subscribers is not None else None,
        "tags": tags,
    }


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        amount=dict(type="float"),
        currency=dict(type="str", default="USD"),
        time_unit=dict(type="str", default="MONTHLY", choices=["MONTHLY", "QUARTERLY", "ANNUALLY"]),
        cost_filters=dict(type="dict", default={}),
        notifications=dict(type="list", elements="dict", default=[], options=dict(
            type=dict(type="str", required=True, choices=["ACTUAL", "FORECASTED"]),
            threshold=dict(type="float", required=True),
            threshold_type=dict(type="str", default="PERCENTAGE", choices=["PERCENTAGE", "ABSOLUTE_VALUE"]),
            comparison=dict(type="str", default="GREATER_THAN", choices=["GREATER_THAN", "LESS_THAN", "EQUAL_TO"]),
        )),
        subscribers=dict(type="list", elements="dict", default=[], options=dict(
            type=dict(type="str", required=True, choices=["SNS", "EMAIL"]),
            address=dict(type="str", required=True, no_log=False),
        )),
        compare_subscribers=dict(type="bool", default=True),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True, required_if=[["state", "present", ["amount"]]])
    params = module.params
    name = params["name"]
    if params["state"] == "present":
        if params["amount"] <= 0:
            module.fail_json(msg="amount %s: a budget needs a positive amount" % params["amount"])
        if params["notifications"] and not params["subscribers"]:
            module.fail_json(msg="notifications without subscribers: give the topic (SNS) or e-mail addresses to notify")
        if len([s for s in params["subscribers"] if s["type"] == "SNS"]) > 1:
            module.fail_json(msg="a budget notification takes one SNS subscriber; give one topic")
        if len([s for s in params["subscribers"] if s["type"] == "EMAIL"]) > 10:
            module.fail_json(msg="a budget notification takes at most 10 e-mail subscribers; send to a topic instead")
        if len(params["notifications"]) > 5:
            module.fail_json(msg="a budget takes at most 5 notifications")
        bad = [k for k, v in params["cost_filters"].items() if not isinstance(v, list)]
        if bad:
            module.fail_json(msg="cost_filters %s: each filter is a list of values" % ", ".join(bad))
    client = module.client("budgets")

    def converge():
        before, after = {}, {}
        account = module.caller_identity()["Account"]
        budget = Budget(module, client, account)
        current = budget.find(name)
        notes = budget.notifications(name) if current else []
        # A removal needs neither the subscribers nor the tags.
        compare = params["compare_subscribers"] and params["state"] == "present"
        subs = {note_key(n): budget.subscribers(name, n) for n in notes} if current and compare else ({} if compare else None)
        tags = budget.tags() if current and compare else ({} if compare or not current else None)
        before = described(current, notes, subs, tags)
        if params["state"] == "absent":
            if current:
                budget.act("delete budget %s" % name, client.delete_budget)
        else:
            limit = {"Amount": "%s" % params["amount"], "Unit": params["currency"]}
            wanted = {"BudgetName": name, "BudgetType": "COST", "TimeUnit": params["time_unit"], "BudgetLimit": limit,
                      "CostFilters": params["cost_filters"]}
            wanted_notes = {note_key(notification(n)): notification(n) for n in params["notifications"]}
            wanted_subs = [{"SubscriptionType": s["type"], "Address": s["address"]} for s in params["subscribers"]]
            if not current:
                budget.act("create budget %s" % name, client.create_budget, Budget=wanted,
                           NotificationsWithSubscribers=[{"Notification": n, "Subscribers": wanted_subs}
                                                         for _k, n in sorted(wanted_notes.items())],
                           ResourceTags=dict_to_tag_list(params.get("tags")))
            else:
                now = {"amount": float(current["BudgetLimit"]["Amount"]), "currency": current["BudgetLimit"]["Unit"],
                       "time_unit": current["TimeUnit"],
                       "filters": {k: sorted(v) for k, v in (current.get("CostFilters") or {}).items()}}
                if now != {"amount": params["amount"], "currency": params["currency"], "time_unit": params["time_unit"],
                           "filters": {k: sorted(v) for k, v in params["cost_filters"].items()}}:
                    budget.act("update budget %s" % name, client.update_budget, NewBudget=wanted)
                have = {note_key(n): n for n in notes}
                for key in sorted(set(have) - set(wanted_notes)):
                    budget.act("delete notification %s" % key, client.delete_notification, Notification=have[key])
                for key in sorted(set(wanted_notes) - set(have)):
                    budget.act("create notification %s" % key, client.create_notification, Notification=wanted_notes[key],
                               Subscribers=wanted_subs)
                for key in sorted(set(wanted_notes) & set(have)) if compare else []:
                    got = {sub_key(s): s for s in subs[key]}
                    want = {sub_key(s): s for s in wanted_subs}
                    for skey in sorted(set(want) - set(got)):
                        budget.act("subscribe %s to %s" % (skey, key), client.create_subscriber, Notification=have[key],
                                   Subscriber=want[skey])
                    for skey in sorted(set(got) - set(want)):
                        budget.act("unsubscribe %s from %s" % (skey, key), client.delete_subscriber, Notification=have[key],
                                   Subscriber=got[skey])
                if compare:
                    tag_changed, tags = apply_tags(
                        module.check_mode, tags, params.get("tags"), params["purge_tags"],
                        lambda t: client.tag_resource(ResourceARN=budget.arn, ResourceTags=dict_to_tag_list(t)),
                        lambda k: client.untag_resource(ResourceARN=budget.arn, ResourceTagKeys=k))
                    if tag_changed:
                        budget.changes.append("tags")
            after = described(wanted, list(wanted_notes.values()),
                              {k: wanted_subs for k in wanted_notes} if compare else None,
                              ({k: str(v) for k, v in (params.get("tags") or {}).items()} if compare else tags))
        result = {"changed": bool(budget.changes), "changes": budget.changes, "budget": after}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage budget %s" % name)


if __name__ == "__main__":
    main()
