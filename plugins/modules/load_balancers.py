#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: load_balancers
short_description: Converge a set of load balancers with their target groups, listeners, attributes and WAF
version_added: 0.3.0
description:
  - Converges network and application load balancers (ELBv2) in one call, each with its target groups
    (target type C(ip) for Fargate tasks, health checks, deregistration delay), its listeners
    (TCP, TLS, HTTP, HTTPS; forward to a target group or redirect), its attributes (cross-zone,
    access logs, deletion protection, dropping invalid HTTP headers), its security groups and, for an
    application load balancer, its WAF web ACL association.
  - Listeners are declarative per load balancer, a listener whose port is not listed is removed.
  - Found by name before any create. What AWS cannot change in place (type, scheme, a target group's
    protocol, port or target type) stops the run with a message naming the fix rather than replacing
    a load balancer that is in use.
  - One process for the whole family where the stock modules need a task per load balancer and per target group.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vpc_id:
    description: The VPC of the target groups.
    type: str
  load_balancers:
    description: The load balancers to converge (or, with I(state=absent), to delete with their target groups).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the load balancer (32 characters at most).
        type: str
        required: true
      type:
        description: C(network) or C(application).
        type: str
        choices: [network, application]
        default: network
      scheme:
        description: C(internal) or C(internet-facing).
        type: str
        choices: [internal, internet-facing]
        default: internal
      subnets:
        description: Subnet ids, one per availability zone.
        type: list
        elements: str
        default: []
      security_group_ids:
        description: Security groups of the load balancer (a network load balancer gets them only at creation).
        type: list
        elements: str
        default: []
      cross_zone:
        description: Cross-zone load balancing (network load balancers; always on for application ones).
        type: bool
        default: true
      deletion_protection:
        description: Refuse deletion through the API while on.
        type: bool
        default: false
      drop_invalid_header_fields:
        description: Application load balancers drop HTTP headers with invalid names.
        type: bool
        default: true
      idle_timeout:
        description: Application load balancers close idle connections after this many seconds.
        type: int
        default: 60
      access_logs:
        description: Access logs to S3 (C(bucket), optional C(prefix)); empty turns them off.
        type: dict
        default: {}
      web_acl_arn:
        description: WAF web ACL associated with an application load balancer; empty removes the association.
        type: str
        default: ""
      target_groups:
        description: Target groups of this load balancer.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Name of the target group (32 characters at most).
            type: str
            required: true
          protocol:
            description: Protocol to the targets.
            type: str
            choices: [TCP, TLS, HTTP, HTTPS]
            default: TCP
          port:
            description: Port of the targets (required to create the target group).
            type: int
          health_check:
            description: C(protocol), C(path), C(port), C(interval), C(timeout), C(healthy_threshold), C(unhealthy_threshold), C(matcher).
            type: dict
            default: {}
          deregistration_delay:
            description: Seconds a deregistering target keeps its connections.
            type: int
            default: 30
      listeners:
        description: The complete set of listeners of this load balancer.
        type: list
        elements: dict
        default: []
        suboptions:
          port:
            description: Listener port.
            type: int
            required: true
          protocol:
            description: Listener protocol.
            type: str
            choices: [TCP, TLS, HTTP, HTTPS]
            default: TCP
          certificate_arn:
            description: ACM certificate of a TLS or HTTPS listener.
            type: str
          ssl_policy:
            description: Security policy of a TLS or HTTPS listener.
            type: str
            default: ELBSecurityPolicy-TLS13-1-2-2021-06
          target_group:
            description: Name of the target group the listener forwards to.
            type: str
          redirect:
            description: Redirect instead of forwarding (C(protocol), C(port), C(status_code)).
            type: dict
  wait:
    description: Wait until new load balancers are active.
    type: bool
    default: false
  state:
    description: Whether the load balancers should exist.
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
    description: Shows each load balancer, its listeners and target groups before and after.
"""

EXAMPLES = r"""
- name: Internal NLB in front of inventory-app
  cloud_design.platform.load_balancers:
    vpc_id: vpc-0123456789abcdef0
    load_balancers:
      - name: shop-prod-inventory
        subnets: [subnet-0a, subnet-0b]
        security_group_ids: [sg-0123]
        target_groups:
          - name: shop-prod-inventory
            port: 8080
            health_check: {protocol: HTTP, path: /api/movies}
        listeners:
          - port: 8080
            target_group: shop-prod-inventory
    tags:
      Project: shop
"""

RETURN = r"""
load_balancers:
  description: Each load balancer by name; empty when absent.
  returned: always
  type: dict
  sample:
    shop-prod-inventory:
      arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/shop-prod-inventory/0a1b
      dns_name: shop-prod-inventory-0a1b.elb.eu-west-1.amazonaws.com
      type: network
      scheme: internal
      listeners: {"8080": {arn: "arn:...", protocol: TCP}}
      target_groups: {shop-prod-inventory: "arn:..."}
"""


from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.module_utils.balancers import Balancers


def main():
    target_group = dict(
        name=dict(type="str", required=True),
        protocol=dict(type="str", default="TCP", choices=["TCP", "TLS", "HTTP", "HTTPS"]),
        port=dict(type="int"),
        health_check=dict(type="dict", default={}),
        deregistration_delay=dict(type="int", default=30),
    )
    listener = dict(
        port=dict(type="int", required=True),
        protocol=dict(type="str", default="TCP", choices=["TCP", "TLS", "HTTP", "HTTPS"]),
        certificate_arn=dict(type="str"),
        ssl_policy=dict(type="str", default="ELBSecurityPolicy-TLS13-1-2-2021-06"),
        target_group=dict(type="str"),
        redirect=dict(type="dict"),
    )
    balancer = dict(
        name=dict(type="str", required=True),
        type=dict(type="str", default="network", choices=["network", "application"]),
        scheme=dict(type="str", default="internal", choices=["internal", "internet-facing"]),
        subnets=dict(type="list", elements="str", default=[]),
        security_group_ids=dict(type="list", elements="str", default=[]),
        cross_zone=dict(type="bool", default=True),
        deletion_protection=dict(type="bool", default=False),
        drop_invalid_header_fields=dict(type="bool", default=True),
        idle_timeout=dict(type="int", default=60),
        access_logs=dict(type="dict", default={}),
        web_acl_arn=dict(type="str", default=""),
        target_groups=dict(type="list", elements="dict", default=[], options=target_group),
        listeners=dict(type="list", elements="dict", default=[], options=listener),
    )
    argument_spec = dict(
        vpc_id=dict(type="str"),
        load_balancers=dict(type="list", elements="dict", required=True, options=balancer),
        wait=dict(type="bool", default=False),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True,
                            required_if=[["state", "present", ["vpc_id"]]])
    for spec in module.params["load_balancers"]:
        long_names = [n for n in [spec["name"]] + [tg["name"] for tg in spec["target_groups"]] if len(n) > 32]
        if long_names:
            module.fail_json(msg="names longer than 32 characters (the ELB limit): %s; shorten platform_name or platform_env"
                             % ", ".join(long_names))
        if module.params["state"] == "present" and any(tg["port"] is None for tg in spec["target_groups"]):
            module.fail_json(msg="every target group of %s needs a port" % spec["name"])
    balancers = Balancers(module)

    def converge():
        before, after = {}, {}
        specs = module.params["load_balancers"]
        if module.params["state"] == "present":
            balancers.prefetch(specs)
            # Application load balancers first: one made now provisions while the others converge, and its web ACL,
            # which waits for it to be active, comes after them all.
            specs = sorted(specs, key=lambda spec: spec["type"] != "application")
        for spec in specs:
            was, now = balancers.remove(spec) if module.params["state"] == "absent" else balancers.ensure(spec)
            if was:
                before[spec["name"]] = was
            if now:
                after[spec["name"]] = now
        balancers.ensure_web_acls()
        return balancers.changes, before, after, {"load_balancers": after}

    module.exit_converged(converge, "Failed to manage load balancers", progress={"changes": balancers.changes})


if __name__ == "__main__":
    main()
