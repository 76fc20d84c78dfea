#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: http_api
short_description: An Amazon API Gateway HTTP API with its VPC link, routes, JWT authorizer, stage and custom domain
version_added: 0.3.0
description:
  - Converges an HTTP API (API Gateway v2) as a whole, declaratively, in one call, the
    VPC link to private load balancers, the C(HTTP_PROXY) integrations through it, a JWT authorizer,
    the routes (a route not listed is removed, and so are integrations and authorizers no route uses),
    the stage with access logs and default throttling, and a custom domain with its API mapping.
  - Every part is found before it is created (the API and the VPC link by name, integrations by the
    name kept in their description, routes by route key, the authorizer by name), so a re-run adopts
    what an interrupted run made.
  - amazon.aws and community.aws have modules for REST APIs only.
notes:
  - Authorizers are listed with GetAuthorizers, whether a route uses them or not, so an authorizer
    whose create answer was lost, or whose run was killed before its first route, is adopted by its
    name and never made twice. Two authorizers of the wanted name (a leftover of another tool) stop
    the run with both IDs.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the API (and of its VPC link unless the link names itself).
    type: str
    required: true
  description:
    description: Description of the API.
    type: str
    default: ""
  disable_execute_api_endpoint:
    description: Serve the API only on its custom domain.
    type: bool
    default: false
  vpc_link:
    description: The VPC link the integrations use.
    type: dict
    suboptions:
      name:
        description: The link's name; the API's without one.
        type: str
      subnet_ids:
        description: Private subnets the link reaches the integrations from.
        type: list
        elements: str
        default: []
      security_group_ids:
        description: Security groups of the link's network interfaces.
        type: list
        elements: str
        default: []
  vpc_link_timeout:
    description: Seconds to wait for a new VPC link to become available.
    type: int
    default: 900
  integrations:
    description: The integrations routes point at.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the integration (kept in its description), used by I(routes).
        type: str
        required: true
      uri:
        description: ARN of the load balancer listener reached through the VPC link.
        type: str
        required: true
      method:
        description: HTTP method sent to the integration; C(ANY) keeps the client's.
        type: str
        default: ANY
      timeout_ms:
        description: Milliseconds before API Gateway gives up (50 to 30000).
        type: int
        default: 29000
      tls_server_name:
        description: When the listener is TLS, the name its certificate must carry.
        type: str
  jwt_authorizer:
    description: The JWT authorizer the routes with C(authorization=JWT) use.
    type: dict
    suboptions:
      name:
        description: The authorizer's name.
        type: str
        required: true
      issuer:
        description: The token issuer (a Cognito user pool's URL).
        type: str
        required: true
      audience:
        description: The app client ids a token may be issued to.
        type: list
        elements: str
        required: true
      identity_source:
        description: Where the token is read.
        type: str
        default: $request.header.Authorization
  routes:
    description: The complete set of routes.
    type: list
    elements: dict
    default: []
    suboptions:
      key:
        description: Route key, e.g. C(POST /api/billing).
        type: str
        required: true
      integration:
        description: Name of the integration the route sends to.
        type: str
        required: true
      authorization:
        description: C(JWT) requires a valid token from I(jwt_authorizer); C(NONE) leaves the route open.
        type: str
        choices: [NONE, JWT]
        default: NONE
  stage:
    description: The stage, deployed automatically.
    type: dict
    default: {}
    suboptions:
      name:
        description: The stage's name.
        type: str
        default: $default
      access_log_arn:
        description: The log group the access logs go to (its ARN without C(:*)); none without it.
        type: str
      access_log_format:
        description: The access log format (JSON); the module's own by default.
        type: str
      throttling_burst_limit:
        description: Requests the stage takes in a burst, every route.
        type: int
      throttling_rate_limit:
        description: Steady requests a second the stage takes, every route.
        type: float
      detailed_metrics:
        description: Metrics per route.
        type: bool
        default: true
  domain:
    description: A custom domain that serves the stage.
    type: dict
    suboptions:
      name:
        description: The domain name.
        type: str
        required: true
      certificate_arn:
        description: An issued ACM certificate of the name, in the API's region; needed with I(state=present).
        type: str
      security_policy:
        description: The TLS security policy.
        type: str
        default: TLS_1_2
      base_path:
        description: The path the API is mapped to; the root when empty.
        type: str
        default: ""
  state:
    description: Whether the API, its VPC link and its domain should exist.
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
    description: Shows the routes, integrations, authorizer, stage and domain before and after.
"""

EXAMPLES = r"""
- name: The shop's HTTPS edge
  cloud_design.platform.http_api:
    name: shop-prod
    vpc_link: {name: shop-prod, subnet_ids: [subnet-0a, subnet-0b], security_group_ids: [sg-0123]}
    integrations:
      - name: api-gateway
        uri: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/shop-prod-gateway/0a1b/2c3d
    jwt_authorizer:
      name: cognito
      issuer: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf
      audience: [1example23456789]
    routes:
      - {key: "GET /api/movies", integration: api-gateway}
      - {key: "POST /api/movies", integration: api-gateway, authorization: JWT}
    stage:
      access_log_arn: arn:aws:logs:eu-west-1:123456789012:log-group:/shop/prod/apigateway/access
      throttling_burst_limit: 100
      throttling_rate_limit: 50
    domain:
      name: api.shop.example.com
      certificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/0a1b
"""

RETURN = r"""
api:
  description: The API; empty when absent.
  returned: always
  type: dict
  sample:
    id: a1b2c3d4e5
    endpoint: https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com
    invoke_url: https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/
    vpc_link_id: ab12cd
    routes: {"POST /api/billing": {integration: api-gateway, authorization: JWT}}
    domain: {name: api.shop.example.com, target: d-abc.execute-api.eu-west-1.amazonaws.com, hosted_zone_id: Z2FDTNDATAQYW2, security_policy: TLS_1_2}
"""


from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.module_utils.http_apis import HttpApi


def main():
    integration = dict(
        name=dict(type="str", required=True),
        uri=dict(type="str", required=True),
        method=dict(type="str", default="ANY"),
        timeout_ms=dict(type="int", default=29000),
        tls_server_name=dict(type="str"),
    )
    route = dict(
        key=dict(type="str", required=True, no_log=False),
        integration=dict(type="str", required=True),
        authorization=dict(type="str", default="NONE", choices=["NONE", "JWT"]),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        description=dict(type="str", default=""),
        disable_execute_api_endpoint=dict(type="bool", default=False),
        vpc_link=dict(type="dict", options=dict(
            name=dict(type="str"),
            subnet_ids=dict(type="list", elements="str", default=[]),
            security_group_ids=dict(type="list", elements="str", default=[]),
        )),
        vpc_link_timeout=dict(type="int", default=900),
        integrations=dict(type="list", elements="dict", default=[], options=integration),
        jwt_authorizer=dict(type="dict", options=dict(
            name=dict(type="str", required=True),
            issuer=dict(type="str", required=True),
            audience=dict(type="list", elements="str", required=True),
            identity_source=dict(type="str", default="$request.header.Authorization"),
        )),
        routes=dict(type="list", elements="dict", default=[], options=route),
        stage=dict(type="dict", default={}, options=dict(
            name=dict(type="str", default="$default"),
            access_log_arn=dict(type="str"),
            access_log_format=dict(type="str"),
            throttling_burst_limit=dict(type="int"),
            throttling_rate_limit=dict(type="float"),
            detailed_metrics=dict(type="bool", default=True),
        )),
        domain=dict(type="dict", options=dict(
            name=dict(type="str", required=True),
            certificate_arn=dict(type="str"),
            security_policy=dict(type="str", default="TLS_1_2"),
            base_path=dict(type="str", default=""),
        )),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    params = module.params
    problems = []
    for spec in params["integrations"]:
        if not 50 <= spec["timeout_ms"] <= 30000:
            problems.append("integration %s: timeout_ms must be 50 to 30000, not %d" % (spec["name"], spec["timeout_ms"]))
    keys = [r["key"] for r in params["routes"]]
    problems += ["route %r is listed twice" % k for k in sorted(set(k for k in keys if keys.count(k) > 1))]
    problems += ["route key %r must be '<METHOD> /<path>' or $default" % k for k in keys
                 if k != "$default" and (len(k.split(" ")) != 2 or not k.split(" ")[1].startswith("/"))]
    if params["jwt_authorizer"] and not params["jwt_authorizer"]["audience"]:
        problems.append("jwt_authorizer needs an audience")
    # A removal names the domain only; a check run before the network exists has no subnets yet for the link.
    if params["domain"] and not params["domain"]["certificate_arn"]:
        problems.append("domain needs certificate_arn")
    if problems and params["state"] == "present":
        module.fail_json(msg="; ".join(problems))
    api = HttpApi(module)

    def converge():
        before, after = api.absent() if params["state"] == "absent" else api.present()
        return api.changes, before, after, {"api": after}

    module.exit_converged(converge, "Failed to manage HTTP API %s" % params["name"], progress={"changes": api.changes})


if __name__ == "__main__":
    main()
