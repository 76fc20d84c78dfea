#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: waf_web_acl
short_description: A WAF web ACL of AWS managed rule groups and a per-IP rate limit
version_added: 0.3.0
description:
  - Converges a regional (or CloudFront) WAFv2 web ACL built from a short description, AWS managed
    rule groups in the given order and a rate-based rule that blocks an address sending more than
    I(rate_limit) requests in five minutes; requests matching nothing are allowed.
  - The rules are generated, compared with what WAF holds and replaced as a whole when they differ
    (with WAF's lock token), so a re-run is C(changed=false) and check mode tells the truth.
  - The stock M(community.aws.wafv2_web_acl) has no logging configuration (see docs/modules.md of the
    collection for how the two compare).
  - Associating the ACL with a load balancer is M(cloud_design.platform.load_balancers)' job.
  - With I(log_destination), the web ACL's logging configuration is converged too, with I(redacted_headers) left out
    of every log record.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the web ACL (also its metric name).
    type: str
    required: true
  scope:
    description: C(REGIONAL) for load balancers and API Gateway, C(CLOUDFRONT) for distributions (in us-east-1).
    type: str
    choices: [REGIONAL, CLOUDFRONT]
    default: REGIONAL
  managed_rule_groups:
    description: Names of AWS managed rule groups, in evaluation order.
    type: list
    elements: str
    default: [AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAmazonIpReputationList]
  rate_limit:
    description: Requests per address in five minutes before the address is blocked; 0 for no rate rule.
    type: int
    default: 2000
  log_destination:
    description:
      - Where WAF logs every request the web ACL inspects (PutLoggingConfiguration), the ARN of a CloudWatch Logs group
        whose name starts with C(aws-waf-logs-) (WAF refuses any other), of an S3 bucket or of a Firehose stream.
      - An empty string turns logging off; unset leaves it as it is.
    type: str
  redacted_headers:
    description: Request headers whose values WAF leaves out of the logs (credentials and session cookies).
    type: list
    elements: str
    default: [authorization, cookie]
  state:
    description: Whether the web ACL should exist. Deleting one still associated fails and says so.
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
    description: Shows the rule names, order and rate limit before and after.
"""

EXAMPLES = r"""
- name: Web ACL of the public load balancer
  cloud_design.platform.waf_web_acl:
    name: shop-prod-edge
    rate_limit: 1000
    log_destination: arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-shop-prod-edge
    tags:
      Project: shop
"""

RETURN = r"""
web_acl:
  description: The web ACL; empty when absent.
  returned: always
  type: dict
  sample: {arn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop-prod-edge/0a1b", id: 0a1b, name: shop-prod-edge,
           rules: [AWSManagedRulesCommonRuleSet, rate-limit], rate_limit: 1000,
           logging: {destination: "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-shop-prod-edge",
                     redacted_headers: [authorization, cookie]}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    PlatformModule,
    all_pages,
    apply_tags,
    create_once,
    dict_to_tag_list,
    pick_one,
    tag_list_to_dict,
)


def visibility(metric):
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric[:128]}


def wanted_rules(name, groups, rate_limit):
    rules = [
        {"Name": group, "Priority": index, "OverrideAction": {"None": {}}, "VisibilityConfig": visibility("%s-%s" % (name, group)),
         "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}}}
        for index, group in enumerate(groups)
    ]
    if rate_limit:
        rules.append({"Name": "rate-limit", "Priority": len(groups), "Action": {"Block": {}},
                      "VisibilityConfig": visibility("%s-rate-limit" % name),
                      "Statement": {"RateBasedStatement": {"Limit": rate_limit, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}}})
    return rules


def comparable(rules):
    """The parts of the rules this module manages, in a stable form."""
    out = []
    for rule in sorted(rules or [], key=lambda r: r["Priority"]):
        statement = rule.get("Statement") or {}
        managed = statement.get("ManagedRuleGroupStatement")
        rate = statement.get("RateBasedStatement")
        out.append({
            "name": rule["Name"], "priority": rule["Priority"],
            "action": sorted((rule.get("Action") or rule.get("OverrideAction") or {}).keys()),
            "managed": [managed.get("VendorName"), managed.get("Name")] if managed else None,
            "rate": [rate.get("Limit"), rate.get("AggregateKeyType"), rate.get("EvaluationWindowSec", 300)] if rate else None,
            "metric": (rule.get("VisibilityConfig") or {}).get("MetricName"),
        })
    return out


def summary(acl, rules, tags):
    rate = [r for r in rules if r.get("rate")]
    return {"arn": acl.get("ARN"), "id": acl.get("Id"), "name": acl.get("Name"), "rules": [r["name"] for r in rules],
            "rate_limit": rate[0]["rate"][0] if rate else 0, "tags": tags}


def logging_view(config):
    """{destination, redacted_headers} of a logging configuration, or None."""
    if not config:
        return None
    headers = sorted(f["SingleHeader"]["Name"].lower() for f in config.get("RedactedFields") or [] if f.get("SingleHeader"))
    return {"destination": (config.get("LogDestinationConfigs") or [None])[0], "redacted_headers": headers}


def converge_logging(plan, waf, acl_arn):
    """Put, keep or delete the web ACL's logging configuration; returns its view before and after."""
    module = plan.module
    wanted_destination = module.params.get("log_destination")
    current = None
    if acl_arn:
        try:
            current = waf.get_logging_configuration(ResourceArn=acl_arn).get("LoggingConfiguration")
        except is_boto3_error_code("WAFNonexistentItemException"):
            current = None
    have = logging_view(current)
    if wanted_destination is None:
        return have, have
    if wanted_destination == "":
        if have:
            plan.change("logging off")
            if not module.check_mode:
                try:
                    waf.delete_logging_configuration(ResourceArn=acl_arn)
                except is_boto3_error_code("WAFNonexistentItemException"):
                    pass
        return have, None
    want = {"destination": wanted_destination, "redacted_headers": sorted(h.lower() for h in module.params["redacted_headers"])}
    if have != want:
        plan.change("logging to %s" % wanted_destination, waf.put_logging_configuration, LoggingConfiguration={
            "ResourceArn": acl_arn, "LogDestinationConfigs": [wanted_destination],
            "RedactedFields": [{"SingleHeader": {"Name": h}} for h in want["redacted_headers"]]})
    return have, want


def check_destination(destination):
    """WAF takes a CloudWatch Logs group only when its name starts with aws-waf-logs- (AWS WAF Developer Guide,
    "Sending web ACL traffic logs to an Amazon CloudWatch Logs log group")."""
    if destination and ":logs:" in destination:
        group = destination.split(":log-group:", 1)[-1].split(":", 1)[0]
        if not group.startswith("aws-waf-logs-"):
            raise PlatformError("log_destination: WAF logs only to a log group whose name starts with aws-waf-logs-, not %s" % group)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        scope=dict(type="str", default="REGIONAL", choices=["REGIONAL", "CLOUDFRONT"]),
        managed_rule_groups=dict(type="list", elements="str", default=[
            "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"]),
        rate_limit=dict(type="int", default=2000),
        log_destination=dict(type="str"),
        redacted_headers=dict(type="list", elements="str", default=["authorization", "cookie"]),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    params = module.params
    if params["rate_limit"] and not 10 <= params["rate_limit"] <= 2000000000:
        module.fail_json(msg="rate_limit must be 0 (no rate rule) or 10 to 2,000,000,000 requests per five minutes, not %d" % params["rate_limit"])
    waf = module.client("wafv2")
    name, scope = params["name"], params["scope"]
    rules = wanted_rules(name, params["managed_rule_groups"], params["rate_limit"])
    plan = Plan(module)

    def converge():
        changed, before, after = False, {}, {}
        check_destination(params.get("log_destination"))
        listed = [a for a in all_pages(waf.list_web_acls, "WebACLs", token="NextMarker", Scope=scope, Limit=100) if a["Name"] == name]
        found = pick_one(listed, "web ACLs named %s" % name, ident=lambda a: a["Id"])
        current, lock, tags = None, None, {}
        if found:
            got = waf.get_web_acl(Name=name, Scope=scope, Id=found["Id"])
            current, lock = got["WebACL"], got["LockToken"]
            tags = tag_list_to_dict(waf.list_tags_for_resource(ResourceARN=current["ARN"])
                                    .get("TagInfoForResource", {}).get("TagList"))
            before = summary(current, comparable(current.get("Rules")), tags)
        if params["state"] == "absent":
            if current:
                changed = True
                if not module.check_mode:
                    try:
                        waf.delete_logging_configuration(ResourceArn=current["ARN"])
                    except is_boto3_error_code("WAFNonexistentItemException"):
                        pass
                    try:
                        waf.delete_web_acl(Name=name, Scope=scope, Id=current["Id"], LockToken=lock)
                    except is_boto3_error_code("WAFAssociatedItemException"):
                        raise PlatformError("web ACL %s is still associated with a resource: remove the association "
                                            "(destroy the load_balancers role) first" % name)
        elif current is None:
            changed = True
            after = summary({"Name": name}, comparable(rules), params.get("tags") or {})
            if not module.check_mode:
                # Names are unique in a scope: a create retried after its answer was lost is refused, then adopted.
                once = module.client("wafv2", retries=False)
                created = create_once(
                    lambda: once.create_web_acl(Name=name, Scope=scope, DefaultAction={"Allow": {}}, VisibilityConfig=visibility(name), Rules=rules,
                                                Description="cloud_design.platform managed rules and rate limit",
                                                Tags=dict_to_tag_list(params.get("tags")))["Summary"],
                    lambda: [a for a in all_pages(waf.list_web_acls, "WebACLs", token="NextMarker", Scope=scope, Limit=100) if a["Name"] == name],
                    "web ACLs named %s" % name, exists_codes=("WAFDuplicateItemException",))[0]
                after = summary(created, comparable(rules), params.get("tags") or {})
            after["logging"] = converge_logging(plan, waf, after.get("arn"))[1]
        else:
            if comparable(current.get("Rules")) != comparable(rules) or "Allow" not in (current.get("DefaultAction") or {}):
                changed = True
                if not module.check_mode:
                    waf.update_web_acl(Name=name, Scope=scope, Id=current["Id"], LockToken=lock,
                                       DefaultAction={"Allow": {}}, VisibilityConfig=visibility(name), Rules=rules,
                                       Description="cloud_design.platform managed rules and rate limit")
            tag_changed, tags_after = apply_tags(
                module.check_mode, tags, params.get("tags"), params["purge_tags"],
                lambda t: waf.tag_resource(ResourceARN=current["ARN"], Tags=dict_to_tag_list(t)),
                lambda k: waf.untag_resource(ResourceARN=current["ARN"], TagKeys=k))
            changed = changed or tag_changed
            after = summary(current, comparable(rules), tags_after)
            before["logging"], after["logging"] = converge_logging(plan, waf, current["ARN"])
            changed = changed or bool(plan.changes)
        result = {"changed": changed, "web_acl": after}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage web ACL %s" % name)


if __name__ == "__main__":
    main()
