# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform's load balancers (internal NLBs per service, the optional public ALB), their target groups,
listeners and attributes: the work behind cloud_design.platform.load_balancers."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    apply_tags,
    create_once,
    dict_to_tag_list,
    tag_list_to_dict,
    wait_for,
)


HEALTH_KEYS = {
    "protocol": ("HealthCheckProtocol", str),
    "path": ("HealthCheckPath", str),
    "port": ("HealthCheckPort", str),
    "interval": ("HealthCheckIntervalSeconds", int),
    "timeout": ("HealthCheckTimeoutSeconds", int),
    "healthy_threshold": ("HealthyThresholdCount", int),
    "unhealthy_threshold": ("UnhealthyThresholdCount", int),
}


class Balancers(Plan):
    def __init__(self, module):
        super().__init__(module)
        self.elb = module.client("elbv2")
        self.elb_once = module.client("elbv2", retries=False)  # creates go through create_once()
        self._wafv2 = None
        self.existing_tgs = {}
        self.acls = []  # (spec, arn) of the application load balancers whose web ACL ensure_web_acls() converges

    @property
    def waf(self):
        if self._wafv2 is None:
            self._wafv2 = self.module.client("wafv2")
        return self._wafv2

    # ---- reading -------------------------------------------------------------------------
    def prefetch(self, specs):
        """The first reads of every load balancer and target group of ``specs``, made at once before any change (two
        rounds: the resources by name, then what each found one holds). Nothing is prefetched where a name is in two
        specs: the second would be read before the first's changes."""
        lbs = [spec["name"] for spec in specs]
        tgs = [tg["name"] for spec in specs for tg in spec["target_groups"]]
        if len(set(lbs)) != len(lbs) or len(set(tgs)) != len(tgs):
            return

        def held(found):
            calls = {}
            for (kind, _name), item in found.items():
                if item is None:
                    continue
                arn = item["LoadBalancerArn"] if kind == "lb" else item["TargetGroupArn"]
                calls[("tags", arn)] = lambda arn=arn: self._tags(arn)
                calls[("attributes", arn)] = lambda arn=arn, tg=kind == "tg": self._attributes(arn, tg)
                if kind == "lb":
                    calls[("listeners", arn)] = lambda arn=arn: self._listeners(arn)
                    if item.get("Type") == "application":
                        calls[("web_acl", arn)] = lambda arn=arn: self._web_acl(arn)
            return calls

        self.reads.fetch(dict([(("lb", n), lambda n=n: self._find_lb(n)) for n in lbs]
                              + [(("tg", n), lambda n=n: self._find_tg(n)) for n in tgs]), then=held)

    def find_lb(self, name):
        return self.reads.take(("lb", name), lambda: self._find_lb(name))

    def find_tg(self, name):
        return self.reads.take(("tg", name), lambda: self._find_tg(name))

    def tags(self, arn):
        return self.reads.take(("tags", arn), lambda: self._tags(arn))

    def attributes(self, arn, target_group=False):
        return self.reads.take(("attributes", arn), lambda: self._attributes(arn, target_group))

    def listeners(self, arn):
        return self.reads.take(("listeners", arn), lambda: self._listeners(arn))

    def _find_lb(self, name):
        try:
            found = self.elb.describe_load_balancers(Names=[name])["LoadBalancers"]
        except is_boto3_error_code("LoadBalancerNotFound"):
            return None
        return found[0] if found else None

    def _find_tg(self, name):
        try:
            found = self.elb.describe_target_groups(Names=[name])["TargetGroups"]
        except is_boto3_error_code("TargetGroupNotFound"):
            return None
        return found[0] if found else None

    def _tags(self, arn):
        described = self.elb.describe_tags(ResourceArns=[arn])["TagDescriptions"]
        return tag_list_to_dict(described[0]["Tags"]) if described else {}

    def _attributes(self, arn, target_group=False):
        if target_group:
            attrs = self.elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
        else:
            attrs = self.elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        return {a["Key"]: a["Value"] for a in attrs}

    def _listeners(self, arn):
        paginator = self.elb.get_paginator("describe_listeners")
        return paginator.paginate(LoadBalancerArn=arn).build_full_result().get("Listeners", [])

    def _web_acl(self, arn):
        return self.waf.get_web_acl_for_resource(ResourceArn=arn).get("WebACL") or {}

    def summary(self, lb, listeners, target_groups):
        return {
            "arn": lb.get("LoadBalancerArn"),
            "dns_name": lb.get("DNSName"),
            "zone_id": lb.get("CanonicalHostedZoneId"),
            "type": lb.get("Type"),
            "scheme": lb.get("Scheme"),
            "subnets": sorted(az["SubnetId"] for az in lb.get("AvailabilityZones") or []),
            "security_groups": sorted(lb.get("SecurityGroups") or []),
            "listeners": listeners,
            "target_groups": target_groups,
        }

    # ---- wanted shapes -------------------------------------------------------------------
    @staticmethod
    def lb_attributes(spec):
        logs = spec.get("access_logs") or {}
        wanted = {
            "deletion_protection.enabled": str(bool(spec["deletion_protection"])).lower(),
            "access_logs.s3.enabled": str(bool(logs.get("bucket"))).lower(),
        }
        if logs.get("bucket"):
            wanted["access_logs.s3.bucket"] = logs["bucket"]
            wanted["access_logs.s3.prefix"] = logs.get("prefix") or ""
        if spec["type"] == "network":
            wanted["load_balancing.cross_zone.enabled"] = str(bool(spec["cross_zone"])).lower()
        else:
            wanted["routing.http.drop_invalid_header_fields.enabled"] = str(bool(spec["drop_invalid_header_fields"])).lower()
            wanted["idle_timeout.timeout_seconds"] = str(spec["idle_timeout"])
        return wanted

    @staticmethod
    def health(tg):
        wanted = {"HealthCheckEnabled": True}
        for key, (api, kind) in HEALTH_KEYS.items():
            if tg["health_check"].get(key) is not None:
                wanted[api] = kind(tg["health_check"][key])
        if tg["health_check"].get("matcher"):
            wanted["Matcher"] = {"HttpCode": str(tg["health_check"]["matcher"])}
        return wanted

    def listener_request(self, spec, listener, tg_arns):
        request = {"Port": listener["port"], "Protocol": listener["protocol"]}
        if listener["protocol"] in ("TLS", "HTTPS"):
            if not listener.get("certificate_arn"):
                raise PlatformError("listener %s/%d is %s and needs certificate_arn" % (spec["name"], listener["port"], listener["protocol"]))
            request["Certificates"] = [{"CertificateArn": listener["certificate_arn"]}]
            request["SslPolicy"] = listener["ssl_policy"]
        if listener.get("redirect"):
            redirect = listener["redirect"]
            request["DefaultActions"] = [{"Type": "redirect", "RedirectConfig": {
                "Protocol": redirect.get("protocol", "HTTPS"), "Port": str(redirect.get("port", 443)),
                "StatusCode": redirect.get("status_code", "HTTP_301")}}]
        else:
            if listener.get("target_group") not in tg_arns:
                raise PlatformError("listener %s/%d forwards to target group %r, which is not among this load balancer's target_groups"
                                    % (spec["name"], listener["port"], listener.get("target_group")))
            request["DefaultActions"] = [{"Type": "forward", "TargetGroupArn": tg_arns[listener["target_group"]]}]
        return request

    @staticmethod
    def listener_differs(current, request):
        if current["Protocol"] != request["Protocol"]:
            return True
        if request["Protocol"] in ("TLS", "HTTPS"):
            certs = [c["CertificateArn"] for c in current.get("Certificates") or []]
            if certs[:1] != [request["Certificates"][0]["CertificateArn"]] or current.get("SslPolicy") != request["SslPolicy"]:
                return True
        action = (current.get("DefaultActions") or [{}])[0]
        want = request["DefaultActions"][0]
        if action.get("Type") != want["Type"]:
            return True
        if want["Type"] == "forward":
            return action.get("TargetGroupArn") != want["TargetGroupArn"]
        got = action.get("RedirectConfig") or {}
        return any(got.get(k) != v for k, v in want["RedirectConfig"].items())

    # ---- converging ----------------------------------------------------------------------
    def ensure_tags(self, arn, current, wanted):
        return apply_tags(
            self.check, current, wanted, self.params["purge_tags"],
            lambda t: self.elb.add_tags(ResourceArns=[arn], Tags=dict_to_tag_list(t)),
            lambda k: self.elb.remove_tags(ResourceArns=[arn], TagKeys=k),
        )[0]

    def ensure_target_group(self, spec, tg, tags):
        current = self.find_tg(tg["name"])
        health = self.health(tg)
        wanted_tags = dict(tags, Name=tg["name"])
        if current is None:
            self.change("create target group %s" % tg["name"])
            if self.check:
                return "(new target group %s)" % tg["name"]
            # Names are unique: AWS answers a repeated create with the same group, or refuses a different one.
            created = create_once(lambda: self.elb_once.create_target_group(
                Name=tg["name"], Protocol=tg["protocol"], Port=tg["port"], VpcId=self.params["vpc_id"],
                TargetType="ip", Tags=dict_to_tag_list(wanted_tags), **health)["TargetGroups"][0],
                lambda: [x for x in [self.find_tg(tg["name"])] if x], "target groups named %s" % tg["name"],
                exists_codes=("DuplicateTargetGroupName",))[0]
            arn = created["TargetGroupArn"]
            self.elb.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
                {"Key": "deregistration_delay.timeout_seconds", "Value": str(tg["deregistration_delay"])}])
            return arn
        arn = current["TargetGroupArn"]
        self.existing_tgs[tg["name"]] = arn
        fixed = {"Protocol": tg["protocol"], "Port": tg["port"], "TargetType": "ip", "VpcId": self.params["vpc_id"]}
        wrong = {k: current.get(k) for k, v in fixed.items() if current.get(k) != v}
        if wrong:
            raise PlatformError(
                "target group %s has %s where %s is wanted; AWS cannot change these in place: give the target group a new "
                "name (or remove the load balancers with state=absent and run again)"
                % (tg["name"], wrong, {k: fixed[k] for k in wrong}))
        health_diff = {k: v for k, v in health.items() if current.get(k) != v}
        if health_diff:
            self.change("update health check of %s: %s" % (tg["name"], sorted(health_diff)), self.elb.modify_target_group, TargetGroupArn=arn, **health)
        attrs = self.attributes(arn, target_group=True)
        if attrs.get("deregistration_delay.timeout_seconds") != str(tg["deregistration_delay"]):
            self.change("deregistration delay of %s" % tg["name"], self.elb.modify_target_group_attributes, TargetGroupArn=arn,
                        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": str(tg["deregistration_delay"])}])
        if self.ensure_tags(arn, self.tags(arn), wanted_tags):
            self.change("tags of target group %s" % tg["name"])
        return arn

    def ensure(self, spec):
        tags = dict(self.params.get("tags") or {}, Name=spec["name"])
        lb = self.find_lb(spec["name"])
        before, current_listeners = {}, []
        if lb is not None:
            current_listeners = self.listeners(lb["LoadBalancerArn"])
            before = self.summary(lb, {str(li["Port"]): {"arn": li["ListenerArn"], "protocol": li["Protocol"]}
                                       for li in current_listeners}, {})
            before["name"] = spec["name"]
            fixed = {"Type": spec["type"], "Scheme": spec["scheme"]}
            wrong = {k: lb.get(k) for k, v in fixed.items() if lb.get(k) != v}
            if wrong:
                raise PlatformError(
                    "load balancer %s is %s where %s is wanted; AWS cannot change that in place: remove it "
                    "(destroy the load_balancers role) and run again" % (spec["name"], wrong, fixed))
        tg_arns = {tg["name"]: self.ensure_target_group(spec, tg, tags) for tg in spec["target_groups"]}
        if before:
            before["target_groups"] = {n: a for n, a in self.existing_tgs.items() if n in tg_arns}
        attrs = self.lb_attributes(spec)
        if lb is None:
            if not spec["subnets"] and not self.check:
                raise PlatformError("load balancer %s needs subnets (are the network's subnets there?)" % spec["name"])
            self.change("create %s load balancer %s" % (spec["type"], spec["name"]))
            if self.check:
                listeners = {str(li["port"]): {"arn": None, "protocol": li["protocol"]} for li in spec["listeners"]}
                for listener in spec["listeners"]:
                    self.listener_request(spec, listener, tg_arns)
                return before, dict(self.summary({"Type": spec["type"], "Scheme": spec["scheme"]}, listeners, tg_arns),
                                    name=spec["name"])
            kwargs = dict(Name=spec["name"], Subnets=spec["subnets"], Scheme=spec["scheme"], Type=spec["type"],
                          IpAddressType="ipv4", Tags=dict_to_tag_list(tags))
            if spec["security_group_ids"]:
                kwargs["SecurityGroups"] = spec["security_group_ids"]
            lb = create_once(lambda: self.elb_once.create_load_balancer(**kwargs)["LoadBalancers"][0],
                             lambda: [x for x in [self.find_lb(spec["name"])] if x], "load balancers named %s" % spec["name"],
                             exists_codes=("DuplicateLoadBalancerName",))[0]
            if self.params["wait"]:
                lb = wait_for(lambda: self.find_lb(spec["name"]), lambda x: x["State"]["Code"] != "provisioning",
                              what="load balancer %s to become active" % spec["name"])
            self.elb.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"],
                                                     Attributes=[{"Key": k, "Value": v} for k, v in sorted(attrs.items())])
        else:
            arn = lb["LoadBalancerArn"]
            subnets = sorted(az["SubnetId"] for az in lb.get("AvailabilityZones") or [])
            if spec["subnets"] and subnets != sorted(spec["subnets"]):
                self.change("subnets of %s" % spec["name"], self.elb.set_subnets, LoadBalancerArn=arn, Subnets=spec["subnets"])
            if sorted(lb.get("SecurityGroups") or []) != sorted(spec["security_group_ids"]):
                if spec["type"] == "network" and not lb.get("SecurityGroups"):
                    raise PlatformError("network load balancer %s was made without security groups; AWS adds them only at "
                                        "creation: remove it and run again" % spec["name"])
                self.change("security groups of %s" % spec["name"],
                            self.elb.set_security_groups, LoadBalancerArn=arn, SecurityGroups=spec["security_group_ids"])
            current = self.attributes(arn)
            # Compare what the API reports; a key it does not report is sent with the others when one differs.
            differ = {k: v for k, v in attrs.items() if k in current and current[k] != v}
            if differ:
                self.change("attributes of %s: %s" % (spec["name"], sorted(differ)),
                            self.elb.modify_load_balancer_attributes, LoadBalancerArn=arn,
                            Attributes=[{"Key": k, "Value": v} for k, v in sorted(attrs.items())])
            if self.ensure_tags(arn, self.tags(arn), tags):
                self.change("tags of %s" % spec["name"])
            # current_listeners: read above; changing subnets, security groups, attributes or tags leaves them as they were
        arn = lb["LoadBalancerArn"]
        listeners = self.ensure_listeners(spec, arn, current_listeners, tg_arns)
        if spec["type"] == "application":
            self.acls.append((spec, arn))
        return before, dict(self.summary(lb, listeners, tg_arns), name=spec["name"])

    def ensure_listeners(self, spec, arn, current, tg_arns):
        by_port = {li["Port"]: li for li in current}
        out = {}
        for listener in spec["listeners"]:
            request = self.listener_request(spec, listener, tg_arns)
            have = by_port.pop(listener["port"], None)
            if have is None:
                self.change("create listener %s/%d" % (spec["name"], listener["port"]))
                if not self.check:
                    # One listener per port: a repeated create is refused (DuplicateListener), then adopted.
                    listener_arn = create_once(
                        lambda request=request: self.elb_once.create_listener(LoadBalancerArn=arn, **request)["Listeners"][0],
                        lambda port=listener["port"]: [li for li in self.listeners(arn) if li["Port"] == port],
                        "listeners of %s on port %d" % (spec["name"], listener["port"]), exists_codes=("DuplicateListener",))[0]["ListenerArn"]
                else:
                    listener_arn = None
            else:
                listener_arn = have["ListenerArn"]
                if self.listener_differs(have, request):
                    self.change("update listener %s/%d" % (spec["name"], listener["port"]), self.elb.modify_listener, ListenerArn=listener_arn, **request)
            out[str(listener["port"])] = {"arn": listener_arn, "protocol": listener["protocol"]}
        for port, stale in sorted(by_port.items()):
            self.change("remove listener %s/%d" % (spec["name"], port), self.elb.delete_listener, ListenerArn=stale["ListenerArn"])
        return out

    def ensure_web_acls(self):
        """The web ACLs of the application load balancers ensure() converged: last, so that a new balancer provisions
        while the others converge (WAF waits for it to be active)."""
        while self.acls:
            self.ensure_web_acl(*self.acls.pop(0))

    def ensure_web_acl(self, spec, arn):
        current = self.reads.take(("web_acl", arn), lambda: self._web_acl(arn))
        wanted = spec["web_acl_arn"] or ""
        if current.get("ARN", "") == wanted:
            return
        self.change("web ACL of %s" % spec["name"])
        if self.check:
            return
        if wanted:
            # AWS WAF cannot see a load balancer until it is active, and for a while after: it answers
            # WAFUnavailableEntityException (AWS WAF API reference, AssociateWebACL: a new resource can take a
            # few minutes to become available for association). Wait for active, then retry that error.
            wait_for(lambda: self.find_lb(spec["name"]), lambda x: x and x["State"]["Code"] == "active",
                     what="load balancer %s to become active" % spec["name"])
            wait_for(lambda: self.associate(wanted, arn), lambda done: done, timeout=600,
                     what="AWS WAF to accept load balancer %s (WAFUnavailableEntityException)" % spec["name"])
        else:
            self.waf.disassociate_web_acl(ResourceArn=arn)

    def associate(self, web_acl_arn, arn):
        """True once the web ACL is associated; False while WAF cannot see the load balancer yet."""
        try:
            self.waf.associate_web_acl(WebACLArn=web_acl_arn, ResourceArn=arn)
        except is_boto3_error_code("WAFUnavailableEntityException"):
            return False
        return True

    def remove(self, spec):
        lb = self.find_lb(spec["name"])
        before = {}
        if lb is not None:
            before = dict(self.summary(lb, {}, {}), name=spec["name"])
            if self.attributes(lb["LoadBalancerArn"]).get("deletion_protection.enabled") == "true":
                raise PlatformError("load balancer %s has deletion protection on (prod): turn it off on purpose "
                                    "(load_balancers_deletion_protection: false, converge) before removing it" % spec["name"])
            self.change("delete load balancer %s" % spec["name"])
            if not self.check:
                self.elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
                wait_for(lambda: self.find_lb(spec["name"]), lambda x: x is None, what="load balancer %s to go" % spec["name"])
        for tg in spec["target_groups"]:
            current = self.find_tg(tg["name"])
            if current is None:
                continue
            self.change("delete target group %s" % tg["name"])
            if not self.check:
                # Deleting a target group the load balancer has just released can briefly answer ResourceInUse.
                wait_for(lambda arn=current["TargetGroupArn"]: self.delete_tg(arn), lambda done: done,
                         timeout=300, what="target group %s to be released" % tg["name"])
        return before, {}

    def delete_tg(self, arn):
        try:
            self.elb.delete_target_group(TargetGroupArn=arn)
        except is_boto3_error_code("ResourceInUse"):
            return False
        return True
