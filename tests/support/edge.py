"""Checks of the edge (load balancers, HTTP API, Cognito, WAF), read through the AWS API."""

from tests.support.harness import PLATFORM, tags_of

SERVICES = {"inventory": 8080, "billing": 8080, "gateway": 3000}
WRITING = ("POST", "PUT", "PATCH", "DELETE")
ROUTES = ["GET /api/movies", "POST /api/movies", "DELETE /api/movies", "GET /api/movies/{id}", "PUT /api/movies/{id}",
          "DELETE /api/movies/{id}", "POST /api/billing"]


def check_load_balancers(ep, env, tls, alb):
    """Three internal NLBs (listeners, target groups, health checks, groups), and the public ALB when enabled."""
    prefix = "%s-%s" % (PLATFORM, env)
    elb, ec2 = ep.client("elbv2"), ep.client("ec2")
    certificate = edge_certificate(ep, env)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Project", "Values": [PLATFORM]}, {"Name": "tag:Environment", "Values": [env]}])["Vpcs"][0]
    private = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[
        {"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "tag:Tier", "Values": ["private"]}])["Subnets"]}
    public = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[
        {"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "tag:Tier", "Values": ["public"]}])["Subnets"]}
    found = {lb["LoadBalancerName"]: lb for lb in elb.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"].startswith(prefix + "-")}
    assert sorted(found) == sorted(["%s-%s" % (prefix, k) for k in SERVICES] + (["%s-edge" % prefix] if alb else [])), sorted(found)
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["SecurityGroups"]}
    for key, port in SERVICES.items():
        lb = found["%s-%s" % (prefix, key)]
        assert lb["Type"] == "network" and lb["Scheme"] == "internal", lb
        assert {az["SubnetId"] for az in lb["AvailabilityZones"]} == private
        assert lb["SecurityGroups"] == [groups["%s-lb-%s" % (prefix, key)]["GroupId"]]
        attrs = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
        assert attrs["load_balancing.cross_zone.enabled"] == "true"
        assert attrs["access_logs.s3.bucket"].startswith("%s-lb-logs-" % prefix)
        tags = tags_of(elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"])
        assert tags["Project"] == PLATFORM and tags["Environment"] == env and tags["Component"] == "load_balancers", tags
        tg = elb.describe_target_groups(Names=["%s-%s" % (prefix, key)])["TargetGroups"][0]
        assert (tg["TargetType"], tg["Protocol"], tg["Port"], tg["VpcId"]) == ("ip", "TCP", port, vpc["VpcId"])
        assert (tg["HealthCheckIntervalSeconds"], tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"]) == (10, 3, 3)
        assert tg["HealthCheckProtocol"] == ("HTTP" if key == "inventory" else "TCP")
        if key == "inventory":
            assert tg["HealthCheckPath"] == "/api/movies"
        tg_attrs = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}
        assert tg_attrs["deregistration_delay.timeout_seconds"] == "30"
        listeners = {li["Port"]: li for li in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
        wanted_ports = ({443} if tls else set()) | (set() if key == "gateway" and tls else {port})
        assert set(listeners) == wanted_ports, (key, sorted(listeners))
        for listener in listeners.values():
            assert listener["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}] or \
                listener["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
            if listener["Port"] == 443:
                assert listener["Protocol"] == "TLS" and listener["Certificates"][0]["CertificateArn"] == certificate
                assert listener["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
            else:
                assert listener["Protocol"] == "TCP"
    if alb:
        lb = found["%s-edge" % prefix]
        assert lb["Type"] == "application" and lb["Scheme"] == "internet-facing"
        assert {az["SubnetId"] for az in lb["AvailabilityZones"]} == public
        attrs = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
        assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
        listeners = {li["Port"]: li for li in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
        assert sorted(listeners) == [80, 443]
        assert listeners[443]["Protocol"] == "HTTPS" and listeners[443]["Certificates"][0]["CertificateArn"] == certificate
        assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"
        assert listeners[80]["DefaultActions"][0]["RedirectConfig"] == {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
        acl = ep.client("wafv2").get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]
        assert acl["Name"] == "%s-edge" % prefix
        managed = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Rules"] if "ManagedRuleGroupStatement" in r["Statement"]]
        assert managed == ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"]
        assert [r["Statement"]["RateBasedStatement"]["Limit"] for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]] == [2000]
        open_to_world = {(p["FromPort"], r["CidrIp"]) for p in groups["%s-lb-edge" % prefix]["IpPermissions"] for r in p.get("IpRanges", [])}
        assert open_to_world == {(443, "0.0.0.0/0"), (80, "0.0.0.0/0")}
    # no other group of the environment is open to the world
    for name, group in groups.items():
        if name != "%s-lb-edge" % prefix:
            assert not [r for p in group["IpPermissions"] for r in p.get("IpRanges", []) if r["CidrIp"] == "0.0.0.0/0"], name
    return found


def edge_certificate(ep, env):
    acm = ep.client("acm")
    for summary in acm.list_certificates()["CertificateSummaryList"]:
        tags = tags_of(acm.list_tags_for_certificate(CertificateArn=summary["CertificateArn"])["Tags"])
        if tags.get("Name") == "%s-%s-edge" % (PLATFORM, env):
            return summary["CertificateArn"]
    return None


def check_http_api(ep, env, tls, domain):
    """The HTTP API: routes, integration through the VPC link to the gateway NLB, JWT on writes, stage, domain."""
    prefix = "%s-%s" % (PLATFORM, env)
    gw = ep.client("apigatewayv2")
    apis = [a for a in gw.get_apis()["Items"] if a["Name"] == prefix]
    assert len(apis) == 1, apis
    api = apis[0]
    assert api["ProtocolType"] == "HTTP" and api["Tags"]["Environment"] == env and api["Tags"]["Component"] == "api_gateway"
    links = [v for v in gw.get_vpc_links()["Items"] if v["Name"] == prefix]
    assert len(links) == 1 and links[0]["VpcLinkStatus"] == "AVAILABLE"
    gateway = ep.client("elbv2").describe_load_balancers(Names=[prefix + "-gateway"])["LoadBalancers"][0]
    listeners = {li["Port"]: li["ListenerArn"] for li in ep.client("elbv2").describe_listeners(LoadBalancerArn=gateway["LoadBalancerArn"])["Listeners"]}
    integrations = gw.get_integrations(ApiId=api["ApiId"])["Items"]
    assert len(integrations) == 1, integrations
    integration = integrations[0]
    assert (integration["IntegrationType"], integration["ConnectionType"], integration["ConnectionId"]) == ("HTTP_PROXY", "VPC_LINK", links[0]["VpcLinkId"])
    assert integration["IntegrationUri"] == listeners[443 if tls else 3000]
    if tls:
        assert integration["TlsConfig"] == {"ServerNameToVerify": "demo.example.test"}
    routes = {r["RouteKey"]: r for r in gw.get_routes(ApiId=api["ApiId"])["Items"]}
    assert sorted(routes) == sorted(ROUTES)
    assert {r["Target"] for r in routes.values()} == {"integrations/" + integration["IntegrationId"]}
    jwt = sorted(k for k, r in routes.items() if r["AuthorizationType"] == "JWT")
    assert jwt == sorted(k for k in ROUTES if k.split()[0] in WRITING), jwt
    pool = [p for p in ep.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == prefix + "-api"]
    assert len(pool) == 1
    client = ep.client("cognito-idp").list_user_pool_clients(UserPoolId=pool[0]["Id"], MaxResults=60)["UserPoolClients"]
    authorizers = {r["AuthorizerId"] for k, r in routes.items() if k in jwt}
    assert len(authorizers) == 1
    authorizer = gw.get_authorizer(ApiId=api["ApiId"], AuthorizerId=authorizers.pop())
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["JwtConfiguration"] == {"Issuer": "https://cognito-idp.eu-west-1.amazonaws.com/" + pool[0]["Id"],
                                              "Audience": [client[0]["ClientId"]]}
    stage = gw.get_stage(ApiId=api["ApiId"], StageName="$default")
    assert stage["AutoDeploy"] is True
    assert (stage["DefaultRouteSettings"]["ThrottlingBurstLimit"], stage["DefaultRouteSettings"]["ThrottlingRateLimit"]) == (100, 50.0)
    log_group = "/%s/%s/apigateway/access" % (PLATFORM, env)
    assert stage["AccessLogSettings"]["DestinationArn"].endswith(":log-group:" + log_group)
    assert stage["AccessLogSettings"]["Format"].startswith('{"requestId":"$context.requestId"')
    logs = ep.client("logs").describe_log_groups(logGroupNamePrefix=log_group)["logGroups"][0]
    logs_key = ep.client("kms").describe_key(KeyId="alias/%s-logs" % prefix)["KeyMetadata"]["Arn"]
    assert logs.get("kmsKeyId") == logs_key and logs.get("retentionInDays") == 14
    domains = gw.get_domain_names()["Items"]
    if domain:
        assert [d["DomainName"] for d in domains] == ["demo.example.test"]
        config = domains[0]["DomainNameConfigurations"][0]
        assert config["SecurityPolicy"] == "TLS_1_2" and config["EndpointType"] == "REGIONAL"
        assert config["CertificateArn"] == edge_certificate(ep, env)
        mappings = gw.get_api_mappings(DomainName="demo.example.test")["Items"]
        assert [(m["ApiId"], m["Stage"]) for m in mappings] == [(api["ApiId"], "$default")]
    else:
        assert not [d for d in domains if api["ApiId"] in str(gw.get_api_mappings(DomainName=d["DomainName"])["Items"])]
    return api
