#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: metric_alarms
short_description: Exactly a set of CloudWatch metric alarms, in one call
version_added: 0.5.0
description:
  - Converges a whole set of metric alarms at once (the stock M(amazon.aws.cloudwatch_metric_alarm)
    takes one alarm per task) - each alarm in I(alarms) is created or updated when any of its settings
    differ, and every alarm whose name starts with I(prefix) and that carries all of I(owner_tags) but is
    not in I(alarms) is deleted, so an alarm of something no longer deployed goes with it.
  - Single-metric alarms (I(namespace), I(metric_name), I(dimensions), I(statistic) or a percentile) and
    metric math alarms (I(metrics), in the form of the CloudWatch API) are both supported.
  - Every alarm notifies I(actions) when it goes into alarm and when it is back to OK.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  actions:
    description: ARNs notified on ALARM and on OK (an SNS topic).
    type: list
    elements: str
    default: []
  alarms:
    description: The alarms wanted.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Alarm name, starting with I(prefix).
        type: str
        required: true
      description:
        description: What the alarm means and what to do.
        type: str
        default: ""
      namespace:
        description: Metric namespace (single-metric alarm).
        type: str
      metric_name:
        description: Metric name (single-metric alarm).
        type: str
      dimensions:
        description: Metric dimensions, name to value.
        type: dict
        default: {}
      statistic:
        description: C(Average), C(Sum), C(Maximum), C(Minimum) or C(SampleCount); or a percentile such as C(p99).
        type: str
      metrics:
        description: Metric math, as the C(Metrics) parameter of PutMetricAlarm (instead of I(namespace) and I(metric_name)).
        type: list
        elements: dict
      period:
        description: Seconds per datapoint.
        type: int
        default: 60
      evaluation_periods:
        description: Datapoints looked at.
        type: int
        default: 5
      datapoints_to_alarm:
        description: Datapoints out of I(evaluation_periods) that must breach; all of them when not given.
        type: int
      threshold:
        description: The threshold.
        type: float
        required: true
      comparison:
        description: How the metric compares with the threshold.
        type: str
        choices: [GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
        default: GreaterThanThreshold
      treat_missing_data:
        description: What missing datapoints count as.
        type: str
        choices: [breaching, notBreaching, ignore, missing]
        default: missing
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
    description: Reports which alarms would be created, updated or deleted and makes no change.
  diff_mode:
    support: full
    description: Shows the settings of the set's alarms before and after.
"""

EXAMPLES = r"""
- name: Alarms of the platform
  cloud_design.platform.metric_alarms:
    prefix: shop-prod-
    owner_tags: {Project: shop, Environment: prod}
    actions: [arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts]
    alarms:
      - name: shop-prod-billing-app-cpu-high
        description: billing-app uses more than 85 % of its CPU
        namespace: AWS/ECS
        metric_name: CPUUtilization
        dimensions: {ClusterName: shop-prod-cluster, ServiceName: billing-app}
        statistic: Average
        threshold: 85
    tags: {Project: shop, Environment: prod, Component: observability}
"""

RETURN = r"""
alarms:
  description: Names of the alarms of the set after the run.
  returned: always
  type: list
  elements: str
  sample: [shop-prod-billing-app-cpu-high]
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create shop-prod-billing-app-cpu-high", "delete shop-prod-rabbitmq-cpu-high"]
"""

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    apply_tags,
    concurrently,
    dict_to_tag_list,
    is_owned,
    owned_set_module,
    tag_list_to_dict,
)

STATISTICS = ("Average", "Sum", "Maximum", "Minimum", "SampleCount")


def wanted_alarm(alarm, actions):
    """The PutMetricAlarm parameters of one alarm (without tags)."""
    out = {
        "AlarmName": alarm["name"],
        "AlarmDescription": alarm.get("description") or "",
        "ActionsEnabled": True,
        "AlarmActions": sorted(actions),
        "OKActions": sorted(actions),
        "EvaluationPeriods": alarm["evaluation_periods"],
        "DatapointsToAlarm": alarm.get("datapoints_to_alarm") or alarm["evaluation_periods"],
        "Threshold": float(alarm["threshold"]),
        "ComparisonOperator": alarm["comparison"],
        "TreatMissingData": alarm["treat_missing_data"],
    }
    if alarm.get("metrics"):
        out["Metrics"] = alarm["metrics"]
        return out
    out.update({
        "Namespace": alarm["namespace"],
        "MetricName": alarm["metric_name"],
        "Dimensions": [{"Name": k, "Value": str(v)} for k, v in sorted((alarm.get("dimensions") or {}).items())],
        "Period": alarm["period"],
    })
    if alarm["statistic"] in STATISTICS:
        out["Statistic"] = alarm["statistic"]
    else:
        out["ExtendedStatistic"] = alarm["statistic"]
    return out


def current_alarm(found):
    """A described alarm in the shape of wanted_alarm() for comparison."""
    keys = ("AlarmName", "AlarmDescription", "ActionsEnabled", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
            "ComparisonOperator", "TreatMissingData", "Namespace", "MetricName", "Period", "Statistic", "ExtendedStatistic")
    out = {k: found[k] for k in keys if found.get(k) is not None}
    out.setdefault("AlarmDescription", "")
    out["AlarmActions"] = sorted(found.get("AlarmActions") or [])
    out["OKActions"] = sorted(found.get("OKActions") or [])
    if "Threshold" in out:
        out["Threshold"] = float(out["Threshold"])
    if found.get("Metrics"):
        out["Metrics"] = [strip_empty(m) for m in found["Metrics"]]
        for key in ("Namespace", "MetricName", "Period", "Statistic", "ExtendedStatistic"):
            out.pop(key, None)
    elif "MetricName" in out:
        out["Dimensions"] = sorted(({"Name": d["Name"], "Value": d["Value"]} for d in found.get("Dimensions") or []),
                                   key=lambda d: d["Name"])
    return out


def strip_empty(value):
    """Drop empty and None members the API adds or omits, so a math alarm compares as data."""
    if isinstance(value, dict):
        return {k: strip_empty(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [strip_empty(v) for v in value]
    return value


def comparable(alarm):
    out = dict(alarm)
    if "Metrics" in out:
        out["Metrics"] = [dict({"ReturnData": True}, **m) for m in strip_empty(out["Metrics"])]
    return out


def validate(module):
    params = module.params
    for alarm in params["alarms"]:
        name = alarm["name"]
        if not name.startswith(params["prefix"]):
            module.fail_json(msg="alarm %s does not start with prefix %s: name it %s..." % (name, params["prefix"], params["prefix"]))
        if len(name) > 255:
            module.fail_json(msg="alarm name %s is longer than the 255 characters CloudWatch allows" % name)
        single = alarm.get("namespace") and alarm.get("metric_name")
        if bool(single) == bool(alarm.get("metrics")):
            module.fail_json(msg="alarm %s: give either namespace, metric_name and statistic, or metrics (metric math)" % name)
        if single:
            stat = alarm.get("statistic")
            if not stat or not (stat in STATISTICS or (stat.startswith("p") and stat[1:].replace(".", "", 1).isdigit())):
                module.fail_json(msg="alarm %s: statistic %s is neither one of %s nor a percentile such as p99"
                                 % (name, stat, ", ".join(STATISTICS)))
            if alarm["period"] not in (10, 20, 30) and alarm["period"] % 60:
                module.fail_json(msg="alarm %s: period %s must be 10, 20, 30 or a multiple of 60 seconds" % (name, alarm["period"]))
        if (alarm.get("datapoints_to_alarm") or alarm["evaluation_periods"]) > alarm["evaluation_periods"]:
            module.fail_json(msg="alarm %s: datapoints_to_alarm cannot exceed evaluation_periods" % name)
    names = [a["name"] for a in params["alarms"]]
    dupes = sorted(set(n for n in names if names.count(n) > 1))
    if dupes:
        module.fail_json(msg="alarms named twice: %s" % ", ".join(dupes))


def main():
    module = owned_set_module(
        "alarm",
        actions=dict(type="list", elements="str", default=[]),
        alarms=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", default=""),
            namespace=dict(type="str"),
            metric_name=dict(type="str"),
            dimensions=dict(type="dict", default={}),
            statistic=dict(type="str"),
            metrics=dict(type="list", elements="dict"),
            period=dict(type="int", default=60),
            evaluation_periods=dict(type="int", default=5),
            datapoints_to_alarm=dict(type="int"),
            threshold=dict(type="float", required=True),
            comparison=dict(type="str", default="GreaterThanThreshold",
                            choices=["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
                                     "LessThanOrEqualToThreshold"]),
            treat_missing_data=dict(type="str", default="missing", choices=["breaching", "notBreaching", "ignore", "missing"]),
        )),
    )
    params = module.params
    validate(module)
    cw = module.client("cloudwatch")
    plan, before, after = Plan(module), {}, {}
    wanted = {} if params["state"] == "absent" else {a["name"]: wanted_alarm(a, params["actions"]) for a in params["alarms"]}

    def converge():
        found = {}
        for page in cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix=params["prefix"], AlarmTypes=["MetricAlarm"]):
            for alarm in page["MetricAlarms"]:
                found[alarm["AlarmName"]] = alarm
        reads = [lambda arn=alarm["AlarmArn"]: tag_list_to_dict(cw.list_tags_for_resource(ResourceARN=arn).get("Tags")) for alarm in found.values()]
        tags = dict(zip(found, concurrently(*reads)))
        for name, alarm in found.items():
            before[name] = dict(current_alarm(alarm), Tags=tags[name])
        for name, alarm in sorted(wanted.items()):
            after[name] = dict(alarm, Tags={k: str(v) for k, v in (params.get("tags") or {}).items()})
            if name not in found:
                plan.change("create %s" % name, cw.put_metric_alarm, Tags=dict_to_tag_list(params.get("tags")), **alarm)
                continue
            if comparable(current_alarm(found[name])) != comparable(alarm):
                plan.change("update %s" % name, cw.put_metric_alarm, **alarm)
            arn = found[name]["AlarmArn"]
            tag_changed, after_tags = apply_tags(
                module.check_mode, tags[name], params.get("tags"), params["purge_tags"],
                lambda t, a=arn: cw.tag_resource(ResourceARN=a, Tags=dict_to_tag_list(t)),
                lambda k, a=arn: cw.untag_resource(ResourceARN=a, TagKeys=k))
            after[name]["Tags"] = after_tags
            if tag_changed:
                plan.change("tags of %s" % name)
        owned = [n for n in found if n not in wanted and is_owned(tags[n], params["owner_tags"])]
        for name in sorted(owned):
            plan.change("delete %s" % name)
        for name in sorted(set(found) - set(wanted) - set(owned)):
            after[name] = before[name]
        if owned and not module.check_mode:
            for start in range(0, len(owned), 100):
                cw.delete_alarms(AlarmNames=sorted(owned)[start:start + 100])
        result = {"changed": bool(plan.changes), "changes": plan.changes, "alarms": sorted(wanted)}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to converge the alarms %s*" % params["prefix"])


if __name__ == "__main__":
    main()
