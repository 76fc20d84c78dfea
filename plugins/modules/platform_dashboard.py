#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: platform_dashboard
short_description: One CloudWatch dashboard for the platform, generated from what is deployed
version_added: 0.4.0
description:
  - Generates the platform's CloudWatch dashboard from a description of what is deployed and
    converges it; neither amazon.aws nor community.aws has a dashboard module.
  - A header, then a row per service (CPU, memory, running tasks and, when the service sits
    behind a load balancer, healthy and unhealthy targets), a row per database (CPU, freeable
    memory, connections and, for Aurora, replica lag), a row for the HTTP API (requests, 4xx,
    5xx, p99 latency) and the queue service's row marked as such. Nothing is drawn for what is
    not deployed.
  - The body is compared with the one CloudWatch holds as data, so a re-run is C(changed=false)
    and check mode and diff tell what would change. Hand edits in the console are overwritten
    on the next run; the header says so.
  - CloudWatch dashboards carry no tags; the name, made from the platform and environment, is what
    ties the dashboard to its platform.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the dashboard (letters, digits, C(-) and C(_), up to 255 characters).
    type: str
    required: true
  title:
    description: Heading of the dashboard's first row.
    type: str
  cluster:
    description: ECS cluster of the services.
    type: str
  services:
    description: The ECS services to draw, in order.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: ECS service name.
        type: str
        required: true
      role:
        description: C(queue) marks the queue service's row.
        type: str
        choices: [app, queue]
        default: app
      load_balancer_arn:
        description: ARN of the load balancer in front of the service (its target health is drawn).
        type: str
      target_group_arn:
        description: ARN of the service's target group on that load balancer.
        type: str
      load_balancer_type:
        description: Type of that load balancer (its metrics' namespace).
        type: str
        choices: [network, application]
        default: network
  databases:
    description: The databases to draw.
    type: list
    elements: dict
    default: []
    suboptions:
      identifier:
        description: Aurora cluster identifier, or the ECS service name of a database in a container.
        type: str
        required: true
      kind:
        description: C(aurora) draws RDS metrics; C(container) draws the database's ECS service.
        type: str
        choices: [aurora, container]
        default: aurora
  http_api_id:
    description: Id of the API Gateway HTTP API to draw; omitted, no API row.
    type: str
  http_api_stage:
    description: Stage of the HTTP API.
    type: str
    default: $default
  period:
    description: Seconds per data point.
    type: int
    default: 300
  state:
    description: Whether the dashboard should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows the dashboard body before and after.
"""

EXAMPLES = r"""
- name: The platform's dashboard
  cloud_design.platform.platform_dashboard:
    name: shop-prod
    title: shop prod
    cluster: shop-prod-cluster
    services:
      - name: inventory-app
        load_balancer_arn: "{{ inventory_nlb_arn }}"
        target_group_arn: "{{ inventory_tg_arn }}"
      - name: rabbitmq
        role: queue
    databases:
      - identifier: shop-prod-inventory-db
    http_api_id: a1b2c3d4
"""

RETURN = r"""
dashboard:
  description: The dashboard; empty when absent.
  returned: always
  type: dict
  sample: {name: shop-prod, arn: "arn:aws:cloudwatch::123456789012:dashboard/shop-prod", widgets: 14,
           rows: [header, inventory-app, rabbitmq (queue), shop-prod-inventory-db, HTTP API a1b2c3d4]}
"""

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule

WIDTH = 6
HEIGHT = 6


def arn_suffix(arn, marker):
    """The dimension value CloudWatch uses for a load balancer or target group: the ARN from its type on."""
    index = (arn or "").find(marker)
    return arn[index:] if index >= 0 else arn


def metric_widget(x, y, title, region, period, metrics, stat="Average", width=WIDTH):
    return {"type": "metric", "x": x, "y": y, "width": width, "height": HEIGHT,
            "properties": {"title": title, "region": region, "period": period, "stat": stat, "view": "timeSeries",
                           "stacked": False, "metrics": metrics}}


def build(params, region):
    """The dashboard body and the rows it holds, from what is deployed."""
    widgets, rows, y = [], ["header"], 0
    heading = params["title"] or params["name"]
    widgets.append({"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {
        "markdown": "# %s\nGenerated by cloud_design.platform from what is deployed; edits here are overwritten by the next run." % heading}})
    y = 2
    period, cluster = params["period"], params["cluster"]
    for service in params["services"]:
        name = service["name"]
        label = "%s (queue)" % name if service["role"] == "queue" else name
        dims = ["ClusterName", cluster, "ServiceName", name]
        row = [
            metric_widget(0, y, "%s CPU %%" % label, region, period, [["AWS/ECS", "CPUUtilization"] + dims]),
            metric_widget(6, y, "%s memory %%" % label, region, period, [["AWS/ECS", "MemoryUtilization"] + dims]),
            metric_widget(12, y, "%s running tasks" % label, region, period,
                          [["ECS/ContainerInsights", "RunningTaskCount"] + dims, [".", "DesiredTaskCount", ".", ".", ".", "."]]),
        ]
        if service.get("target_group_arn") and service.get("load_balancer_arn"):
            lb_dims = ["TargetGroup", arn_suffix(service["target_group_arn"], "targetgroup/"),
                       "LoadBalancer", arn_suffix(service["load_balancer_arn"], "loadbalancer/")[len("loadbalancer/"):]]
            namespace = "AWS/NetworkELB" if service["load_balancer_type"] == "network" else "AWS/ApplicationELB"
            row.append(metric_widget(18, y, "%s targets" % label, region, period,
                                     [[namespace, "HealthyHostCount"] + lb_dims, [".", "UnHealthyHostCount", ".", ".", ".", "."]],
                                     stat="Minimum"))
        widgets.extend(row)
        rows.append(label)
        y += HEIGHT
    for database in params["databases"]:
        ident = database["identifier"]
        if database["kind"] == "container":
            dims = ["ClusterName", cluster, "ServiceName", ident]
            row = [
                metric_widget(0, y, "%s CPU %%" % ident, region, period, [["AWS/ECS", "CPUUtilization"] + dims]),
                metric_widget(6, y, "%s memory %%" % ident, region, period, [["AWS/ECS", "MemoryUtilization"] + dims]),
                metric_widget(12, y, "%s running tasks" % ident, region, period, [["ECS/ContainerInsights", "RunningTaskCount"] + dims]),
            ]
        else:
            dims = ["DBClusterIdentifier", ident]
            row = [
                metric_widget(0, y, "%s CPU %%" % ident, region, period, [["AWS/RDS", "CPUUtilization"] + dims]),
                metric_widget(6, y, "%s freeable memory" % ident, region, period, [["AWS/RDS", "FreeableMemory"] + dims], stat="Minimum"),
                metric_widget(12, y, "%s connections" % ident, region, period, [["AWS/RDS", "DatabaseConnections"] + dims], stat="Maximum"),
                metric_widget(18, y, "%s replica lag (ms)" % ident, region, period, [["AWS/RDS", "AuroraReplicaLag"] + dims], stat="Maximum"),
            ]
        widgets.extend(row)
        rows.append(ident)
        y += HEIGHT
    if params["http_api_id"]:
        dims = ["ApiId", params["http_api_id"], "Stage", params["http_api_stage"]]
        widgets.extend([
            metric_widget(0, y, "API requests", region, period, [["AWS/ApiGateway", "Count"] + dims], stat="Sum"),
            metric_widget(6, y, "API 4xx", region, period, [["AWS/ApiGateway", "4xx"] + dims], stat="Sum"),
            metric_widget(12, y, "API 5xx", region, period, [["AWS/ApiGateway", "5xx"] + dims], stat="Sum"),
            metric_widget(18, y, "API latency p99 (ms)", region, period, [["AWS/ApiGateway", "Latency"] + dims], stat="p99"),
        ])
        rows.append("HTTP API %s" % params["http_api_id"])
    return {"widgets": widgets}, rows


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        title=dict(type="str"),
        cluster=dict(type="str"),
        services=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            role=dict(type="str", default="app", choices=["app", "queue"]),
            load_balancer_arn=dict(type="str"),
            target_group_arn=dict(type="str"),
            load_balancer_type=dict(type="str", default="network", choices=["network", "application"]),
        )),
        databases=dict(type="list", elements="dict", default=[], options=dict(
            identifier=dict(type="str", required=True),
            kind=dict(type="str", default="aurora", choices=["aurora", "container"]),
        )),
        http_api_id=dict(type="str"),
        http_api_stage=dict(type="str", default="$default"),
        period=dict(type="int", default=300),
    )
    module = PlatformModule(argument_spec=argument_spec, state=True)
    params = module.params
    name = params["name"]
    if not re.match(r"^[A-Za-z0-9_-]{1,255}$", name):
        module.fail_json(msg="name %r: a dashboard name has 1 to 255 letters, digits, '-' or '_'" % name)
    if params["period"] < 10 or (params["period"] >= 60 and params["period"] % 60):
        module.fail_json(msg="period %d: use 10, 30 or a multiple of 60 seconds" % params["period"])
    if (params["services"] or any(d["kind"] == "container" for d in params["databases"])) and not params["cluster"]:
        module.fail_json(msg="cluster is required to draw ECS services")
    cloudwatch = module.client("cloudwatch")

    def converge():
        changed, before, after, arn = False, {}, {}, None
        try:
            got = cloudwatch.get_dashboard(DashboardName=name)
            before, arn = json.loads(got.get("DashboardBody") or "{}"), got.get("DashboardArn")
        except is_boto3_error_code("ResourceNotFound"):
            before = {}
        if params["state"] == "absent":
            if before:
                changed = True
                if not module.check_mode:
                    cloudwatch.delete_dashboards(DashboardNames=[name])
            result = {"changed": changed, "dashboard": {}}
        else:
            after, rows = build(params, module.region)
            if after != before:
                changed = True
                if not module.check_mode:
                    answer = cloudwatch.put_dashboard(DashboardName=name, DashboardBody=json.dumps(after))
                    problems = [m.get("Message") for m in answer.get("DashboardValidationMessages") or []]
                    if problems:
                        module.fail_json(msg="CloudWatch did not accept dashboard %s: %s" % (name, "; ".join(problems)))
                    arn = arn or cloudwatch.get_dashboard(DashboardName=name).get("DashboardArn")
            result = {"changed": changed, "dashboard": {"name": name, "arn": arn, "widgets": len(after["widgets"]), "rows": rows}}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage dashboard %s" % name)


if __name__ == "__main__":
    main()
