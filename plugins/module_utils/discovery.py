# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the platform has in an account, read through the AWS API family by family (network, ecs, kms, edge,
observability, ...): the reads behind cloud_design.platform.platform_info."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils import inspector2 as i2
from ansible_collections.cloud_design.platform.plugins.module_utils.certificates import certificates_named
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    all_pages,
    concurrently,
    pick_one,
    resource_names,
    tag_list_to_dict,
)


class Discovery:
    """One client per service, made lazily; every lookup read-only."""

    def __init__(self, module):
        self.module = module
        self.clients = {}
        self.name = module.params["platform_name"]
        self.env = module.params["platform_env"]
        self.names = resource_names(self.name, self.env)

    def client(self, service):
        if service not in self.clients:
            self.clients[service] = self.module.client(service)
        return self.clients[service]

    def platform_filters(self, component=None):
        filters = [
            {"Name": "tag:Project", "Values": [self.name]},
            {"Name": "tag:Environment", "Values": [self.env]},
        ]
        if component:
            filters.append({"Name": "tag:Component", "Values": [component]})
        return filters

    def account(self):
        ec2 = self.client("ec2")
        zones = ec2.describe_availability_zones(
            Filters=[{"Name": "state", "Values": ["available"]}, {"Name": "zone-type", "Values": ["availability-zone"]}],
        )["AvailabilityZones"]
        identity = self.module.caller_identity()
        return {
            "account_id": identity["Account"],
            # aws, aws-cn or aws-us-gov: every ARN the platform writes is built with it.
            "partition": identity["Arn"].split(":")[1],
            "region": self.module.region,
            "availability_zones": sorted(z["ZoneName"] for z in zones),
        }

    def network(self):
        ec2 = self.client("ec2")
        vpcs = ec2.describe_vpcs(Filters=self.platform_filters("network"))["Vpcs"]
        vpc = pick_one(vpcs, "VPCs tagged Project=%s Environment=%s" % (self.name, self.env), ident=lambda v: v["VpcId"])
        empty = {"vpc": {}, "subnets": {"public": [], "private": []}, "route_tables": {}, "internet_gateway_id": None,
                 "nat_gateways": [], "security_groups": {}, "vpc_endpoints": [], "flow_logs": []}
        if vpc is None:
            return empty
        vpc_id = vpc["VpcId"]
        in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
        out = dict(empty)
        out["vpc"] = {
            "id": vpc_id,
            "cidr": vpc["CidrBlock"],
            "dhcp_options_id": vpc.get("DhcpOptionsId"),
            "tags": tag_list_to_dict(vpc.get("Tags")),
        }
        (subnet_list, tables, igws, nats, groups, endpoints, flow_logs) = concurrently(
            lambda: ec2.describe_subnets(Filters=in_vpc)["Subnets"],
            lambda: ec2.describe_route_tables(Filters=in_vpc)["RouteTables"],
            lambda: ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"],
            lambda: ec2.describe_nat_gateways(Filters=in_vpc + [{"Name": "state", "Values": ["pending", "available"]}])["NatGateways"],
            lambda: ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"],
            lambda: ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"],
            lambda: ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"])
        subnets = {"public": [], "private": []}
        for subnet in subnet_list:
            tags = tag_list_to_dict(subnet.get("Tags"))
            tier = tags.get("Tier")
            if tier in subnets:
                subnets[tier].append({"id": subnet["SubnetId"], "az": subnet["AvailabilityZone"],
                                      "cidr": subnet["CidrBlock"], "name": tags.get("Name")})
        for tier in subnets:
            subnets[tier].sort(key=lambda s: s["az"])
        out["subnets"] = subnets
        out["route_tables"] = {
            tag_list_to_dict(rt.get("Tags")).get("Name", rt["RouteTableId"]): rt["RouteTableId"]
            for rt in tables
            if tag_list_to_dict(rt.get("Tags")).get("Project") == self.name
        }
        igw = pick_one(igws, "internet gateways attached to %s" % vpc_id, ident=lambda g: g["InternetGatewayId"])
        out["internet_gateway_id"] = igw["InternetGatewayId"] if igw else None
        out["nat_gateways"] = sorted(
            (
                {
                    "id": n["NatGatewayId"],
                    "subnet_id": n["SubnetId"],
                    "state": n["State"],
                    "public_ip": (n.get("NatGatewayAddresses") or [{}])[0].get("PublicIp"),
                    "allocation_id": (n.get("NatGatewayAddresses") or [{}])[0].get("AllocationId"),
                }
                for n in nats
            ),
            key=lambda n: n["subnet_id"],
        )
        out["security_groups"] = {
            sg["GroupName"]: sg["GroupId"]
            for sg in groups
            if sg["GroupName"] != "default"
        }
        out["vpc_endpoints"] = [
            {"id": e["VpcEndpointId"], "service": e["ServiceName"], "type": e["VpcEndpointType"], "state": e.get("State")}
            for e in endpoints
            if e.get("State", "").lower() not in ("deleted", "deleting")
        ]
        out["flow_logs"] = [
            {"id": f["FlowLogId"], "log_group_name": f.get("LogGroupName"), "traffic_type": f.get("TrafficType"),
             "status": f.get("FlowLogStatus")}
            for f in flow_logs
        ]
        return out

    def ecs(self, vpc_id=None):
        ecs = self.client("ecs")
        out = {"cluster": {}, "namespace": {}}
        clusters = ecs.describe_clusters(clusters=[self.names["cluster"]], include=["SETTINGS"])["clusters"]
        for cluster in clusters:
            if cluster.get("status") in ("ACTIVE", "PROVISIONING"):
                out["cluster"] = {
                    "name": cluster["clusterName"],
                    "arn": cluster["clusterArn"],
                    "status": cluster["status"],
                    "capacity_providers": cluster.get("capacityProviders", []),
                    "container_insights": {s["name"]: s["value"] for s in cluster.get("settings") or []}.get("containerInsights"),
                    "active_services": cluster.get("activeServicesCount", 0),
                }
        sd = self.client("servicediscovery")
        found = []
        for page in sd.get_paginator("list_namespaces").paginate(Filters=[{"Name": "TYPE", "Values": ["DNS_PRIVATE"]}]):
            found.extend(n for n in page["Namespaces"] if n["Name"].rstrip(".") == self.names["private_domain"])
        if vpc_id and len(found) > 1:
            route53 = self.client("route53")
            found = [
                n for n in found
                if vpc_id in [v.get("VPCId") for v in route53.get_hosted_zone(
                    Id=n["Properties"]["DnsProperties"]["HostedZoneId"]).get("VPCs", [])]
            ]
        ns = pick_one(found, "Cloud Map namespaces named %s" % self.names["private_domain"], ident=lambda n: n["Id"])
        if ns:
            out["namespace"] = {
                "id": ns["Id"],
                "arn": ns["Arn"],
                "name": ns["Name"],
                "hosted_zone_id": ns.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId", "").split("/")[-1],
            }
        return out

    def ecr(self):
        ecr = self.client("ecr")
        out = {}
        for page in ecr.get_paginator("describe_repositories").paginate():
            for repo in page["repositories"]:
                if repo["repositoryName"].startswith(self.names["ecr_prefix"]):
                    out[repo["repositoryName"]] = {"uri": repo["repositoryUri"], "arn": repo["repositoryArn"]}
        return out

    def iam(self):
        iam = self.client("iam")
        out = {}
        for page in iam.get_paginator("list_roles").paginate():
            for role in page["Roles"]:
                if role["RoleName"].startswith(self.names["prefix"] + "-"):
                    out[role["RoleName"]] = role["Arn"]
        return out

    def access_logs(self, account):
        """The bucket of the environment's S3 server access logs, by its name (HeadBucket: 404 when there is none)."""
        bucket = "%s-%s-%s" % (self.names["s3_access_logs"], account["account_id"], account["region"])
        try:
            self.client("s3").head_bucket(Bucket=bucket)
        except is_boto3_error_code(("404", "NoSuchBucket", "NotFound")):
            return {"bucket": None}
        return {"bucket": bucket}

    def kms(self):
        kms = self.client("kms")
        out = {}
        prefix = self.names["kms_alias_prefix"]
        aliases = [alias for page in kms.get_paginator("list_aliases").paginate() for alias in page["Aliases"]
                   if alias["AliasName"].startswith(prefix) and alias.get("TargetKeyId")]
        rotations = concurrently(*[lambda key=alias["TargetKeyId"]: kms.get_key_rotation_status(KeyId=key).get("KeyRotationEnabled")
                                   for alias in aliases])
        for alias, rotation in zip(aliases, rotations):
            out[alias["AliasName"][len(prefix):]] = {
                "alias": alias["AliasName"],
                "key_id": alias["TargetKeyId"],
                "arn": alias["AliasArn"].replace(":" + alias["AliasName"], ":key/" + alias["TargetKeyId"]),
                "rotation": rotation,
            }
        return out

    def logs(self):
        logs = self.client("logs")
        out = {}
        # The platform's own groups, and those of its Aurora clusters' log exports (named by RDS).
        prefixes = [self.names["log_group_prefix"], "/aws/rds/cluster/%s-" % self.names["prefix"]]
        pages = [page for prefix in prefixes for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix)]
        for page in pages:
            for group in page["logGroups"]:
                out[group["logGroupName"]] = {
                    "arn": group.get("arn"),
                    "retention_days": group.get("retentionInDays"),
                    "kms_key_id": group.get("kmsKeyId"),
                }
        return out

    def secrets(self):
        sm = self.client("secretsmanager")
        out = {}
        prefix = self.names["prefix"] + "/"
        for page in sm.get_paginator("list_secrets").paginate(Filters=[{"Key": "name", "Values": [prefix]}]):
            for secret in page["SecretList"]:
                if secret["Name"].startswith(prefix) and not secret.get("DeletedDate"):
                    out[secret["Name"]] = {"arn": secret["ARN"], "kms_key_id": secret.get("KmsKeyId")}
        return out

    def workloads(self):
        ecs = self.client("ecs")
        cluster = self.names["cluster"]
        arns = []
        try:
            for page in ecs.get_paginator("list_services").paginate(cluster=cluster):
                arns.extend(page["serviceArns"])
        except is_boto3_error_code("ClusterNotFoundException"):
            return {}
        out = {}
        for start in range(0, len(arns), 10):
            for svc in ecs.describe_services(cluster=cluster, services=arns[start:start + 10])["services"]:
                if svc.get("status") != "ACTIVE":
                    continue
                net = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
                out[svc["serviceName"]] = {
                    "arn": svc["serviceArn"],
                    "status": svc["status"],
                    "desired_count": svc.get("desiredCount"),
                    "running_count": svc.get("runningCount"),
                    "task_definition": svc.get("taskDefinition"),
                    "security_groups": sorted(net.get("securityGroups") or []),
                    "subnets": sorted(net.get("subnets") or []),
                    "registries": [r.get("registryArn") for r in svc.get("serviceRegistries") or []],
                    "load_balancers": [lb.get("targetGroupArn") for lb in svc.get("loadBalancers") or []],
                }
        return out

    def databases(self):
        rds = self.client("rds")
        out = {}
        prefix = self.names["prefix"] + "-"
        for page in rds.get_paginator("describe_db_clusters").paginate():
            for cluster in page["DBClusters"]:
                if not cluster["DBClusterIdentifier"].startswith(prefix):
                    continue
                out[cluster["DBClusterIdentifier"]] = {
                    "arn": cluster.get("DBClusterArn"),
                    "status": cluster.get("Status"),
                    "engine": cluster.get("Engine"),
                    "engine_version": cluster.get("EngineVersion"),
                    "parameter_group": cluster.get("DBClusterParameterGroup"),
                    "iam_authentication": bool(cluster.get("IAMDatabaseAuthenticationEnabled")),
                    "master_username": cluster.get("MasterUsername"),
                    # Set once RDS keeps (and rotates) the master password in Secrets Manager.
                    "master_secret_arn": (cluster.get("MasterUserSecret") or {}).get("SecretArn"),
                    "endpoint": cluster.get("Endpoint"),
                    "reader_endpoint": cluster.get("ReaderEndpoint"),
                    "port": cluster.get("Port"),
                    "encrypted": cluster.get("StorageEncrypted"),
                    "kms_key_id": cluster.get("KmsKeyId"),
                    "deletion_protection": cluster.get("DeletionProtection"),
                    "security_groups": sorted(g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups") or []),
                    "members": [{"id": m["DBInstanceIdentifier"], "writer": m.get("IsClusterWriter", False)}
                                for m in cluster.get("DBClusterMembers") or []],
                }
        return out

    def storage(self):
        efs = self.client("efs")
        out = {}
        prefix = self.names["prefix"] + "-"
        systems = [fs for page in efs.get_paginator("describe_file_systems").paginate() for fs in page["FileSystems"]
                   if (fs.get("CreationToken") or "").startswith(prefix) and fs.get("LifeCycleState") not in ("deleting", "deleted")]
        points = concurrently(*[lambda fs_id=fs["FileSystemId"]: efs.describe_access_points(FileSystemId=fs_id).get("AccessPoints", [])
                                for fs in systems])
        for fs, found in zip(systems, points):
            out[fs["CreationToken"]] = {
                "id": fs["FileSystemId"],
                "encrypted": fs.get("Encrypted"),
                "kms_key_id": fs.get("KmsKeyId"),
                "access_points": [p["AccessPointId"] for p in found],
            }
        return out

    def edge(self, balancers_only=False):
        """Load balancers and target groups; unless balancers_only, the edge certificate, web ACL, HTTP API and user pool."""
        parts = [self.balancers] + ([] if balancers_only else [self.certificate, self.web_acl, self.http_api, self.user_pool])
        out = {}
        for part in concurrently(*parts):
            out.update(part)
        return out

    def balancers(self):
        prefix = self.names["prefix"] + "-"
        elb = self.client("elbv2")
        out = {"load_balancers": {}, "target_groups": {}}
        balancers, groups = concurrently(
            lambda: [lb for page in elb.get_paginator("describe_load_balancers").paginate() for lb in page["LoadBalancers"]
                     if lb["LoadBalancerName"].startswith(prefix)],
            lambda: [tg for page in elb.get_paginator("describe_target_groups").paginate() for tg in page["TargetGroups"]
                     if tg["TargetGroupName"].startswith(prefix)])
        listeners = concurrently(*[
            lambda arn=lb["LoadBalancerArn"]: elb.get_paginator("describe_listeners").paginate(LoadBalancerArn=arn).build_full_result()
            for lb in balancers])
        for lb, found in zip(balancers, listeners):
            out["load_balancers"][lb["LoadBalancerName"]] = {
                "arn": lb["LoadBalancerArn"], "dns_name": lb.get("DNSName"), "zone_id": lb.get("CanonicalHostedZoneId"),
                "type": lb.get("Type"), "scheme": lb.get("Scheme"), "security_groups": sorted(lb.get("SecurityGroups") or []),
                "listeners": {str(li["Port"]): {"arn": li["ListenerArn"], "protocol": li["Protocol"]} for li in found.get("Listeners", [])},
            }
        for tg in groups:
            out["target_groups"][tg["TargetGroupName"]] = {"arn": tg["TargetGroupArn"], "port": tg.get("Port"), "protocol": tg.get("Protocol")}
        return out

    def certificate(self):
        # Through ACM itself: the tagging API lags behind a certificate made moments ago.
        certs = [arn for arn, _tags in certificates_named(self.client("acm"), self.names["edge_certificate"],
                                                          self.module.params["domain_name"])]
        cert = pick_one(certs, "edge certificates tagged Name=%s" % self.names["edge_certificate"])
        if not cert:
            return {"certificate": {}}
        described = self.client("acm").describe_certificate(CertificateArn=cert)["Certificate"]
        return {"certificate": {"arn": cert, "domain_name": described.get("DomainName"), "status": described.get("Status"),
                                "type": described.get("Type")}}

    def web_acl(self):
        acls = [a for a in all_pages(self.client("wafv2").list_web_acls, "WebACLs", token="NextMarker", Scope="REGIONAL", Limit=100)
                if a["Name"] == self.names["web_acl"]]
        acl = pick_one(acls, "web ACLs named %s" % self.names["web_acl"], ident=lambda a: a["Id"])
        return {"web_acl": {"arn": acl["ARN"], "id": acl["Id"], "name": acl["Name"]} if acl else {}}

    def http_api(self):
        gw = self.client("apigatewayv2")
        apis = [a for a in all_pages(gw.get_apis, "Items") if a["Name"] == self.names["http_api"]]
        api = pick_one(apis, "HTTP APIs named %s" % self.names["http_api"], ident=lambda a: a["ApiId"])
        if not api:
            return {"http_api": {}}
        names = all_pages(gw.get_domain_names, "Items")
        mappings = concurrently(*[lambda d=d: all_pages(gw.get_api_mappings, "Items", DomainName=d["DomainName"]) for d in names])
        domains = [d for d, found in zip(names, mappings) if any(m.get("ApiId") == api["ApiId"] for m in found)]
        return {"http_api": {
            "id": api["ApiId"], "endpoint": api.get("ApiEndpoint"),
            "domains": {d["DomainName"]: {"target": (d.get("DomainNameConfigurations") or [{}])[0].get("ApiGatewayDomainName"),
                                          "security_policy": (d.get("DomainNameConfigurations") or [{}])[0].get("SecurityPolicy")}
                        for d in domains}}}

    def user_pool(self):
        idp = self.client("cognito-idp")
        pools = [p for p in all_pages(idp.list_user_pools, "UserPools", MaxResults=60) if p["Name"] == self.names["user_pool"]]
        pool = pick_one(pools, "Cognito user pools named %s" % self.names["user_pool"], ident=lambda p: p["Id"])
        if not pool:
            return {"user_pool": {}}
        clients = [c for c in all_pages(idp.list_user_pool_clients, "UserPoolClients", UserPoolId=pool["Id"], MaxResults=60)
                   if c["ClientName"] == self.names["user_pool"]]
        return {"user_pool": {"id": pool["Id"], "client_id": clients[0]["ClientId"] if clients else None,
                              "issuer": "https://cognito-idp.%s.amazonaws.com/%s" % (self.module.region, pool["Id"])}}

    def observability(self):
        """What the observability role made, by name (its resources share the platform's prefix)."""
        out = {}
        for part in concurrently(self.topic, self.dashboard_and_alarms, self.trail, self.budget, self.rules):
            out.update(part)
        return out

    def topic(self):
        name = self.names["prefix"] + "-alerts"
        sns = self.client("sns")
        topics = [t["TopicArn"] for t in all_pages(sns.list_topics, "Topics") if t["TopicArn"].rsplit(":", 1)[-1] == name]
        if not topics:
            return {"topic": {}}
        attributes, subscriptions = concurrently(
            lambda: sns.get_topic_attributes(TopicArn=topics[0])["Attributes"],
            lambda: all_pages(sns.list_subscriptions_by_topic, "Subscriptions", TopicArn=topics[0]))
        policy = json.loads(attributes.get("Policy") or "{}")
        return {"topic": {
            "arn": topics[0], "kms_key_id": attributes.get("KmsMasterKeyId"),
            "publishers": sorted(set(svc for st in policy.get("Statement", []) if st.get("Effect") == "Allow"
                                     for svc in to_list((st.get("Principal") or {}).get("Service")))),
            "denies_insecure_transport": any(st.get("Effect") == "Deny" and st.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
                                             for st in policy.get("Statement", [])),
            "subscriptions": sorted("%s:%s" % (x["Protocol"], x["Endpoint"]) for x in subscriptions),
        }}

    def dashboard_and_alarms(self):
        prefix = self.names["prefix"]
        cw = self.client("cloudwatch")
        dashboards, alarms = concurrently(
            lambda: [d for d in all_pages(cw.list_dashboards, "DashboardEntries", DashboardNamePrefix=prefix) if d["DashboardName"] == prefix],
            lambda: sorted(a["AlarmName"] for page in cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix + "-")
                           for a in page["MetricAlarms"]))
        return {"dashboard": {"name": prefix, "arn": dashboards[0].get("DashboardArn")} if dashboards else {}, "alarms": alarms}

    def trail(self):
        ct = self.client("cloudtrail")
        for trail in ct.describe_trails(includeShadowTrails=False).get("trailList", []):
            if trail["Name"] == self.names["prefix"] + "-trail":
                status = ct.get_trail_status(Name=trail["TrailARN"])
                return {"trail": {"name": trail["Name"], "arn": trail["TrailARN"], "bucket": trail.get("S3BucketName"),
                                  "multi_region": trail.get("IsMultiRegionTrail"), "kms_key_id": trail.get("KmsKeyId"),
                                  "log_file_validation": trail.get("LogFileValidationEnabled"), "logging": status.get("IsLogging")}}
        return {"trail": {}}

    def budget(self):
        account = self.module.caller_identity()["Account"]
        try:
            budget = self.client("budgets").describe_budget(AccountId=account, BudgetName=self.names["prefix"] + "-monthly")["Budget"]
        except is_boto3_error_code("NotFoundException"):
            return {"budget": {}}
        return {"budget": {"name": budget["BudgetName"], "amount": float(budget["BudgetLimit"]["Amount"]), "unit": budget["BudgetLimit"]["Unit"]}}

    def rules(self):
        return {"rules": sorted(r["Name"] for r in all_pages(self.client("events").list_rules, "Rules", NamePrefix=self.names["prefix"] + "-"))}

    def audit(self, network, edge, observability):
        """What verify.yml checks that the other families do not read."""
        out = {"open_ingress": [], "group_rules": [], "target_health": {}, "ecr_encryption": {}, "trail_bucket_encryption": {}, "inspector2": {}}
        vpc_id = (network or {}).get("vpc", {}).get("id")
        if vpc_id:
            groups = self.client("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
            for sg in groups["SecurityGroups"]:
                for perm in sg.get("IpPermissions") or []:
                    for pair in perm.get("UserIdGroupPairs") or []:
                        out["group_rules"].append({"to": sg["GroupId"], "from": pair.get("GroupId"), "protocol": perm.get("IpProtocol"),
                                                   "from_port": perm.get("FromPort"), "to_port": perm.get("ToPort")})
                    cidrs = [r.get("CidrIp") for r in perm.get("IpRanges") or []] + [r.get("CidrIpv6") for r in perm.get("Ipv6Ranges") or []]
                    for cidr in cidrs:
                        if cidr in ("0.0.0.0/0", "::/0"):
                            out["open_ingress"].append({"group_id": sg["GroupId"], "group_name": sg["GroupName"],
                                                        "protocol": perm.get("IpProtocol"), "from_port": perm.get("FromPort"),
                                                        "to_port": perm.get("ToPort"), "cidr": cidr})
        elb = self.client("elbv2")
        for name, tg in sorted(((edge or {}).get("target_groups") or {}).items()):
            states = [d.get("TargetHealth", {}).get("State") for d in
                      elb.describe_target_health(TargetGroupArn=tg["arn"]).get("TargetHealthDescriptions", [])]
            out["target_health"][name] = {"total": len(states), "healthy": states.count("healthy"),
                                          "states": {s: states.count(s) for s in sorted(set(states))}}
        ecr = self.client("ecr")
        for page in ecr.get_paginator("describe_repositories").paginate():
            for repo in page["repositories"]:
                if repo["repositoryName"].startswith(self.names["ecr_prefix"]):
                    enc = repo.get("encryptionConfiguration") or {}
                    out["ecr_encryption"][repo["repositoryName"]] = {"type": enc.get("encryptionType", "AES256"), "kms_key": enc.get("kmsKey")}
        bucket = ((observability or {}).get("trail") or {}).get("bucket")
        if bucket:
            try:
                rules = self.client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
                default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
                out["trail_bucket_encryption"] = {"algorithm": default.get("SSEAlgorithm"), "kms_key": default.get("KMSMasterKeyID")}
            except is_boto3_error_code(["ServerSideEncryptionConfigurationNotFoundError", "NoSuchBucket", "AccessDenied"]):
                out["trail_bucket_encryption"] = {"algorithm": None, "kms_key": None}
        inspector = self.client("inspector2")
        try:
            out["inspector2"] = i2.status(inspector, self.module.caller_identity()["Account"])
        except is_boto3_error_code(["AccessDeniedException", "AccessDenied"]):
            out["inspector2"] = {"account": "UNKNOWN (access denied)", "resources": {}}
        return out

    def discovery(self, namespace_id):
        if not namespace_id:
            return {}
        sd = self.client("servicediscovery")
        out = {}
        for page in sd.get_paginator("list_services").paginate(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id]}]):
            for service in page["Services"]:
                records = (service.get("DnsConfig") or {}).get("DnsRecords") or [{}]
                entry = {"id": service["Id"], "arn": service["Arn"], "record_type": records[0].get("Type")}
                if entry["record_type"] is None:
                    detail = sd.get_service(Id=service["Id"])["Service"]
                    entry["record_type"] = ((detail.get("DnsConfig") or {}).get("DnsRecords") or [{}])[0].get("Type")
                if entry["record_type"] == "CNAME":
                    instances = sd.list_instances(ServiceId=service["Id"])["Instances"]
                    entry["cname"] = next((i["Attributes"].get("AWS_INSTANCE_CNAME") for i in instances), None)
                out[service["Name"]] = entry
        return out


def to_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def found(discovery, include, result):
    """What the families in ``include`` hold, into ``result``. The families are read at once (``concurrently``), those
    that build on others after them: ecs on the VPC, access_logs on the account, audit on the network, edge and
    observability, discovery on the namespace."""
    first = {}
    if "account" in include or "access_logs" in include:
        first["account"] = discovery.account
    if "network" in include:
        first["network"] = discovery.network
    elif "ecs" in include or "discovery" in include:
        first["ecs"] = lambda: discovery.ecs(discovery.module.params.get("vpc_id"))
    for family in ("ecr", "iam", "kms", "logs", "secrets", "workloads", "databases", "storage", "edge", "observability"):
        if family in include:
            first[family] = getattr(discovery, family)
    if "balancers" in include and "edge" not in include:
        # Only the load balancers and target groups (what the service roles join), under the same key.
        first["edge"] = lambda: discovery.edge(balancers_only=True)
    read = dict(zip(first, concurrently(*first.values())))
    vpc_id = ((read.get("network") or {}).get("vpc") or {}).get("id")
    then = {}
    if "network" in include and ("ecs" in include or "discovery" in include):
        then["ecs"] = lambda: discovery.ecs(vpc_id)
    if "access_logs" in include:
        then["access_logs"] = lambda: discovery.access_logs(read["account"])
    if "audit" in include:
        then["audit"] = lambda: discovery.audit(read.get("network"), read.get("edge"), read.get("observability"))
    read.update(zip(then, concurrently(*then.values())))
    if "discovery" in include:
        read["discovery"] = discovery.discovery(read["ecs"]["namespace"].get("id"))
    result.update((family, value) for family, value in read.items()
                  if family in include or (family == "edge" and "balancers" in include))
    return result
