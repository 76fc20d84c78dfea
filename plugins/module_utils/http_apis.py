# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Amazon API Gateway HTTP API with its stage, VPC links, integrations, routes, JWT authorizer and custom
domain: the work behind cloud_design.platform.http_api."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    all_pages,
    apply_tags,
    concurrently,
    create_once,
    partition_of,
    pick_one,
    wait_for,
)


MARK = "cloud_design.platform:"


DEFAULT_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
    '"integrationLatency":"$context.integrationLatency","latency":"$context.responseLatency",'
    '"integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error",'
    '"user":"$context.authorizer.claims.sub"}'
)


# The tags that say which platform and environment a resource is of (every role tags with them).
OWNER_TAGS = ("Project", "Environment")


class HttpApi(Plan):
    def __init__(self, module):
        super().__init__(module)
        self.gw = module.client("apigatewayv2")
        self.gw_once = module.client("apigatewayv2", retries=False)  # creates without a token: create_once()
        self.region = self.gw.meta.region_name

    def arn(self, path):
        return "arn:%s:apigateway:%s::%s" % (partition_of(self.region), self.region, path)

    def tags(self, path, current):
        return apply_tags(
            self.check, current, self.params.get("tags"), self.params["purge_tags"],
            lambda t: self.gw.tag_resource(ResourceArn=self.arn(path), Tags=t),
            lambda k: self.gw.untag_resource(ResourceArn=self.arn(path), TagKeys=k),
        )[0]

    # ---- finding -------------------------------------------------------------------------
    def apis(self):
        return [a for a in all_pages(self.gw.get_apis, "Items") if a["Name"] == self.params["name"] and a.get("ProtocolType") == "HTTP"]

    def find_api(self):
        return pick_one(self.apis(), "HTTP APIs named %s" % self.params["name"], ident=lambda a: a["ApiId"])

    def vpc_links(self, name):
        return [v for v in all_pages(self.gw.get_vpc_links, "Items") if v["Name"] == name and v.get("VpcLinkStatus") not in ("DELETING",)]

    def find_vpc_link(self, name):
        return pick_one(self.vpc_links(name), "VPC links named %s" % name, ident=lambda v: v["VpcLinkId"])

    def find_stage(self, api_id, name):
        try:
            return self.gw.get_stage(ApiId=api_id, StageName=name)
        except is_boto3_error_code("NotFoundException"):
            return None

    def find_domain(self, name):
        try:
            return self.gw.get_domain_name(DomainName=name)
        except is_boto3_error_code("NotFoundException"):
            return None

    def authorizers(self, api_id):
        """Every authorizer of the API (GetAuthorizers), used by a route or not."""
        if not api_id:
            return []
        return all_pages(self.gw.get_authorizers, "Items", ApiId=api_id)

    # ---- parts ---------------------------------------------------------------------------
    def ensure_api(self):
        api = self.find_api()
        wanted = {"Description": self.params["description"], "DisableExecuteApiEndpoint": self.params["disable_execute_api_endpoint"]}
        if api is None:
            self.change("create HTTP API %s" % self.params["name"])
            if self.check:
                return None
            return create_once(lambda: self.gw_once.create_api(Name=self.params["name"], ProtocolType="HTTP",
                                                               Tags={k: str(v) for k, v in (self.params.get("tags") or {}).items()}, **wanted),
                               self.apis, "HTTP APIs named %s" % self.params["name"])[0]
        differ = {k: v for k, v in wanted.items() if api.get(k, "" if k == "Description" else False) != v}
        if differ:
            self.change("update HTTP API %s: %s" % (self.params["name"], sorted(differ)), self.gw.update_api, ApiId=api["ApiId"], **differ)
        if self.tags("/apis/%s" % api["ApiId"], api.get("Tags")):
            self.change("tags of HTTP API %s" % self.params["name"])
        return api

    def ensure_vpc_link(self):
        spec = self.params["vpc_link"]
        if not spec:
            return None
        name = spec.get("name") or self.params["name"]
        subnets, groups = sorted(spec.get("subnet_ids") or []), sorted(spec.get("security_group_ids") or [])
        link = self.find_vpc_link(name)
        if link is None:
            self.change("create VPC link %s" % name)
            if self.check:
                return "(new VPC link)"
            link = create_once(lambda: self.gw_once.create_vpc_link(Name=name, SubnetIds=subnets, SecurityGroupIds=groups,
                                                                    Tags={k: str(v) for k, v in (self.params.get("tags") or {}).items()}),
                               lambda: self.vpc_links(name), "VPC links named %s" % name)[0]
        else:
            if sorted(link.get("SubnetIds") or []) != subnets or sorted(link.get("SecurityGroupIds") or []) != groups:
                raise PlatformError(
                    "VPC link %s has subnets %s and groups %s where %s and %s are wanted; a VPC link cannot change them: "
                    "remove the edge (destroy the api_gateway role) and run again"
                    % (name, link.get("SubnetIds"), link.get("SecurityGroupIds"), subnets, groups))
            if self.tags("/vpclinks/%s" % link["VpcLinkId"], link.get("Tags")):
                self.change("tags of VPC link %s" % name)
        if link.get("VpcLinkStatus") != "AVAILABLE" and not self.check:
            link = wait_for(lambda: self.gw.get_vpc_link(VpcLinkId=link["VpcLinkId"]),
                            lambda v: v.get("VpcLinkStatus") in ("AVAILABLE", "FAILED"),
                            timeout=self.params["vpc_link_timeout"], delay=5, max_delay=30, what="VPC link %s" % name)
            if link["VpcLinkStatus"] == "FAILED":
                raise PlatformError("VPC link %s failed: %s" % (name, link.get("VpcLinkStatusMessage")))
        return link["VpcLinkId"]

    def ensure_authorizer(self, api_id):
        """The JWT authorizer by name, and the API's other authorizers (removed once no route uses them).

        Every authorizer is listed, not only those the routes use: one whose create answer was lost,
        or whose run was killed before its first route, is adopted by name instead of made again.
        """
        spec = self.params["jwt_authorizer"]
        found = self.authorizers(api_id)
        if not spec:
            return None, found
        what = "JWT authorizers named %s of API %s" % (spec["name"], api_id)
        hint = ("Keep the one the routes use and delete the others (aws apigatewayv2 delete-authorizer "
                "--api-id %s --authorizer-id ID), then run again." % api_id)
        have = pick_one([a for a in found if a["Name"] == spec["name"]], what, ident=lambda a: a["AuthorizerId"], hint=hint)
        stale = [a for a in found if a["Name"] != spec["name"]]
        wanted = {
            "AuthorizerType": "JWT",
            "IdentitySource": [spec.get("identity_source") or "$request.header.Authorization"],
            "JwtConfiguration": {"Issuer": spec["issuer"], "Audience": sorted(spec["audience"])},
        }
        if have is None:
            self.change("create JWT authorizer %s" % spec["name"])
            if self.check or not api_id:
                return "(new authorizer)", stale
            made = create_once(lambda: self.gw_once.create_authorizer(ApiId=api_id, Name=spec["name"], **wanted),
                               lambda: [a for a in self.authorizers(api_id) if a["Name"] == spec["name"]], what)[0]
            return made["AuthorizerId"], stale
        got = {"AuthorizerType": have.get("AuthorizerType"), "IdentitySource": have.get("IdentitySource"),
               "JwtConfiguration": {"Issuer": (have.get("JwtConfiguration") or {}).get("Issuer"),
                                    "Audience": sorted((have.get("JwtConfiguration") or {}).get("Audience") or [])}}
        if got != wanted:
            self.change("update JWT authorizer %s" % spec["name"], self.gw.update_authorizer, ApiId=api_id, AuthorizerId=have["AuthorizerId"], **wanted)
        return have["AuthorizerId"], stale

    def ensure_integrations(self, api_id, link_id):
        current = {}
        for item in all_pages(self.gw.get_integrations, "Items", ApiId=api_id) if api_id else []:
            name = (item.get("Description") or "")[len(MARK):] if (item.get("Description") or "").startswith(MARK) else item["IntegrationId"]
            current.setdefault(name, item)
        ids = {}
        for spec in self.params["integrations"]:
            wanted = {"IntegrationType": "HTTP_PROXY", "IntegrationMethod": spec["method"], "IntegrationUri": spec["uri"],
                      "PayloadFormatVersion": "1.0", "TimeoutInMillis": spec["timeout_ms"], "Description": MARK + spec["name"]}
            if link_id:
                wanted.update(ConnectionType="VPC_LINK", ConnectionId=link_id)
            if spec.get("tls_server_name"):
                wanted["TlsConfig"] = {"ServerNameToVerify": spec["tls_server_name"]}
            have = current.pop(spec["name"], None)
            if have is None:
                self.change("create integration %s" % spec["name"])
                if self.check or not api_id:
                    ids[spec["name"]] = "(new integration %s)" % spec["name"]
                    continue
                made = create_once(lambda wanted=wanted: self.gw_once.create_integration(ApiId=api_id, **wanted),
                                   lambda wanted=wanted: [i for i in all_pages(self.gw.get_integrations, "Items", ApiId=api_id)
                                                          if i.get("Description") == wanted["Description"]],
                                   "integrations of API %s described %s" % (api_id, wanted["Description"]))[0]
                ids[spec["name"]] = made["IntegrationId"]
                continue
            ids[spec["name"]] = have["IntegrationId"]
            differ = sorted(k for k, v in wanted.items() if have.get(k) != v)
            if differ:
                self.change("update integration %s: %s" % (spec["name"], differ),
                            self.gw.update_integration, ApiId=api_id, IntegrationId=have["IntegrationId"], **wanted)
        return ids, current

    def ensure_routes(self, api_id, integration_ids, authorizer_id):
        current = {r["RouteKey"]: r for r in all_pages(self.gw.get_routes, "Items", ApiId=api_id)} if api_id else {}
        for spec in self.params["routes"]:
            if spec["integration"] not in integration_ids:
                raise PlatformError("route %r sends to integration %r, which is not in integrations" % (spec["key"], spec["integration"]))
            if spec["authorization"] == "JWT" and not authorizer_id:
                raise PlatformError("route %r requires JWT but no jwt_authorizer is given" % spec["key"])
            wanted = {"Target": "integrations/" + integration_ids[spec["integration"]], "AuthorizationType": spec["authorization"]}
            if spec["authorization"] == "JWT":
                wanted["AuthorizerId"] = authorizer_id
            have = current.pop(spec["key"], None)
            if have is None:
                self.change("create route %s" % spec["key"])
                if not self.check and api_id:
                    # A route key is unique in its API: a create retried after its answer was lost is refused.
                    create_once(lambda spec=spec, wanted=wanted: self.gw_once.create_route(ApiId=api_id, RouteKey=spec["key"], **wanted),
                                lambda spec=spec: [r for r in all_pages(self.gw.get_routes, "Items", ApiId=api_id) if r["RouteKey"] == spec["key"]],
                                "routes %s of API %s" % (spec["key"], api_id), exists_codes=("ConflictException",))
                continue
            differ = sorted(k for k, v in wanted.items() if have.get(k) != v)
            if differ:
                self.change("update route %s: %s" % (spec["key"], differ), self.gw.update_route, ApiId=api_id, RouteId=have["RouteId"], **wanted)
        for key, stale in sorted(current.items()):
            self.change("remove route %s" % key, self.gw.delete_route, ApiId=api_id, RouteId=stale["RouteId"])

    def ensure_stage(self, api_id):
        spec = self.params["stage"] or {}
        name = spec.get("name", "$default")
        wanted = {"AutoDeploy": True}
        route = {"DetailedMetricsEnabled": bool(spec.get("detailed_metrics", True))}
        if spec.get("throttling_burst_limit") is not None:
            route["ThrottlingBurstLimit"] = int(spec["throttling_burst_limit"])
        if spec.get("throttling_rate_limit") is not None:
            route["ThrottlingRateLimit"] = float(spec["throttling_rate_limit"])
        wanted["DefaultRouteSettings"] = route
        if spec.get("access_log_arn"):
            wanted["AccessLogSettings"] = {"DestinationArn": spec["access_log_arn"],
                                           "Format": spec.get("access_log_format") or DEFAULT_LOG_FORMAT}
        have = self.find_stage(api_id, name) if api_id else None
        if have is None:
            self.change("create stage %s" % name)
            if not self.check and api_id:
                self.gw.create_stage(ApiId=api_id, StageName=name,
                                     Tags={k: str(v) for k, v in (self.params.get("tags") or {}).items()}, **wanted)
            return name, wanted
        got_route = have.get("DefaultRouteSettings") or {}
        differ = []
        if have.get("AutoDeploy") is not True:
            differ.append("AutoDeploy")
        if any(got_route.get(k) != v for k, v in route.items()):
            differ.append("DefaultRouteSettings")
        if (have.get("AccessLogSettings") or {}) != wanted.get("AccessLogSettings", {}):
            differ.append("AccessLogSettings")
        if differ:
            self.change("update stage %s: %s" % (name, differ), self.gw.update_stage, ApiId=api_id, StageName=name, **wanted)
        if self.tags("/apis/%s/stages/%s" % (api_id, name), have.get("Tags")):
            self.change("tags of stage %s" % name)
        return name, wanted

    def ensure_domain(self, api_id, stage):
        spec = self.params["domain"]
        if not spec:
            return {}
        config = {"CertificateArn": spec["certificate_arn"], "EndpointType": "REGIONAL",
                  "SecurityPolicy": spec.get("security_policy") or "TLS_1_2"}
        have = self.reads.take(("domain", spec["name"]), lambda: self.find_domain(spec["name"]))
        if have is None:
            self.change("create custom domain %s" % spec["name"])
            if not self.check:
                have = self.gw.create_domain_name(DomainName=spec["name"], DomainNameConfigurations=[config],
                                                  Tags={k: str(v) for k, v in (self.params.get("tags") or {}).items()})
        else:
            got = (have.get("DomainNameConfigurations") or [{}])[0]
            if any(got.get(k) != v for k, v in config.items()):
                self.change("update custom domain %s" % spec["name"], self.gw.update_domain_name, DomainName=spec["name"], DomainNameConfigurations=[config])
            if self.tags("/domainnames/%s" % spec["name"], have.get("Tags")):
                self.change("tags of custom domain %s" % spec["name"])
        key = spec.get("base_path") or ""
        mappings = all_pages(self.gw.get_api_mappings, "Items", DomainName=spec["name"]) if have and have.get("DomainName") else []
        mapping = next((m for m in mappings if (m.get("ApiMappingKey") or "") == key), None)
        if mapping is None:
            self.change("map %s/%s to the API" % (spec["name"], key))
            if not self.check and api_id:
                self.gw.create_api_mapping(DomainName=spec["name"], ApiId=api_id, Stage=stage, ApiMappingKey=key)
        elif mapping.get("ApiId") != api_id or mapping.get("Stage") != stage:
            self.change("re-map %s/%s to the API" % (spec["name"], key),
                        self.gw.update_api_mapping, DomainName=spec["name"], ApiMappingId=mapping["ApiMappingId"], ApiId=api_id, Stage=stage, ApiMappingKey=key)
        got = ((have or {}).get("DomainNameConfigurations") or [{}])[0]
        return {"name": spec["name"], "target": got.get("ApiGatewayDomainName"), "hosted_zone_id": got.get("HostedZoneId"),
                "certificate_arn": config["CertificateArn"], "security_policy": config["SecurityPolicy"], "base_path": key}

    # ---- reading back for diff and result --------------------------------------------------
    def snapshot(self, api):
        if not api:
            return {}
        api_id = api["ApiId"]
        stage_name = (self.params["stage"] or {}).get("name", "$default")
        integrations, authorizers, route_list, stage = concurrently(
            lambda: {i["IntegrationId"]: i for i in all_pages(self.gw.get_integrations, "Items", ApiId=api_id)},
            lambda: {a["AuthorizerId"]: a["Name"] for a in self.authorizers(api_id)},
            lambda: all_pages(self.gw.get_routes, "Items", ApiId=api_id),
            lambda: self.find_stage(api_id, stage_name) or {})

        def integration_name(target):
            item = integrations.get((target or "").replace("integrations/", ""), {})
            return (item.get("Description") or "").replace(MARK, "") or item.get("IntegrationId")

        routes = {r["RouteKey"]: {"integration": integration_name(r.get("Target")), "authorization": r.get("AuthorizationType"),
                                  "authorizer": authorizers.get(r.get("AuthorizerId")) if r.get("AuthorizationType") == "JWT" else None}
                  for r in route_list}
        return {
            "id": api_id,
            "endpoint": api.get("ApiEndpoint"),
            "invoke_url": (api.get("ApiEndpoint") or "") + ("/" if stage_name == "$default" else "/%s/" % stage_name),
            "routes": routes,
            "integrations": {integration_name("integrations/" + i): v.get("IntegrationUri") for i, v in integrations.items()},
            "authorizers": sorted(authorizers.values()),
            "stage": {"name": stage.get("StageName"), "auto_deploy": stage.get("AutoDeploy"),
                      "default_route_settings": stage.get("DefaultRouteSettings"),
                      "access_log_arn": (stage.get("AccessLogSettings") or {}).get("DestinationArn")} if stage else {},
        }

    def refuse_another_environments_domain(self):
        """A custom domain tagged with another Project or Environment is another environment's: taking it over (its
        certificate, its mapping) would send that environment's traffic to this API. Refused before any change. A
        custom domain name is unique in a Region across all AWS accounts (Amazon API Gateway Developer Guide, "Custom
        domain name for public REST APIs in API Gateway", Considerations): two environments cannot each have one."""
        spec = self.params["domain"]
        if not spec:
            return
        have = self.reads.answers[("domain", spec["name"])] = self.find_domain(spec["name"])
        theirs, ours = (have or {}).get("Tags") or {}, self.params.get("tags") or {}
        other = {k: theirs[k] for k in OWNER_TAGS if k in theirs and k in ours and str(theirs[k]) != str(ours[k])}
        if other:
            raise PlatformError(
                "custom domain %s is tagged %s: it belongs to another environment, and taking it over would send that "
                "environment's traffic here. Give each environment its own domain (platform_domain_name), or remove this "
                "one from the other environment first" % (spec["name"], ", ".join("%s=%s" % kv for kv in sorted(theirs.items()) if kv[0] in other)))

    def present(self):
        self.refuse_another_environments_domain()
        api = self.find_api()
        before = self.snapshot(api)
        api = self.ensure_api()
        api_id = api["ApiId"] if api else None
        link_id = self.ensure_vpc_link()
        authorizer_id, stale_authorizers = self.ensure_authorizer(api_id)
        integration_ids, stale_integrations = self.ensure_integrations(api_id, link_id)
        self.ensure_routes(api_id, integration_ids, authorizer_id)
        for name, stale in sorted(stale_integrations.items()):
            self.change("remove integration %s" % name, self.gw.delete_integration, ApiId=api_id, IntegrationId=stale["IntegrationId"])
        for stale in sorted(stale_authorizers, key=lambda a: (a["Name"], a["AuthorizerId"])):
            self.change("remove authorizer %s (%s)" % (stale["Name"], stale["AuthorizerId"]),
                        self.gw.delete_authorizer, ApiId=api_id, AuthorizerId=stale["AuthorizerId"])
        stage = self.ensure_stage(api_id)[0]
        domain = self.ensure_domain(api_id, stage)
        if self.check or not api_id:
            after = self.planned(before, integration_ids)
        else:
            after = self.snapshot(self.gw.get_api(ApiId=api_id))
        after["vpc_link_id"] = link_id
        after["domain"] = domain
        if domain and domain.get("name"):
            after["domain_url"] = "https://%s/%s" % (domain["name"], domain["base_path"])
        return before, after

    def planned(self, before, integration_ids):
        """What check mode shows: the wanted routes and integrations over what exists."""
        after = dict(before)
        after["routes"] = {r["key"]: {"integration": r["integration"], "authorization": r["authorization"],
                                      "authorizer": (self.params["jwt_authorizer"] or {}).get("name") if r["authorization"] == "JWT" else None}
                           for r in self.params["routes"]}
        after["integrations"] = {i["name"]: i["uri"] for i in self.params["integrations"]}
        after["authorizers"] = [self.params["jwt_authorizer"]["name"]] if self.params["jwt_authorizer"] else []
        return after

    def absent(self):
        api = self.find_api()
        before = self.snapshot(api)
        domain = self.params["domain"]
        if domain and self.find_domain(domain["name"]):
            self.change("delete custom domain %s" % domain["name"])
            if not self.check:
                for mapping in all_pages(self.gw.get_api_mappings, "Items", DomainName=domain["name"]):
                    self.gw.delete_api_mapping(DomainName=domain["name"], ApiMappingId=mapping["ApiMappingId"])
                self.gw.delete_domain_name(DomainName=domain["name"])
        if api:
            self.change("delete HTTP API %s" % self.params["name"], self.gw.delete_api, ApiId=api["ApiId"])
        link_name = (self.params["vpc_link"] or {}).get("name") or self.params["name"]
        link = self.find_vpc_link(link_name)
        if link:
            self.change("delete VPC link %s" % link_name, self.gw.delete_vpc_link, VpcLinkId=link["VpcLinkId"])
        return before, {}
