# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the observability role watches, derived from what is deployed (one discovery call):
the alarm set, the dashboard's rows and the CloudTrail metric filters. Pure data, no AWS call."""

from __future__ import annotations

DEFAULT_THRESHOLDS = {
    "service_cpu_percent": 85,
    "service_memory_percent": 85,
    "service_minutes": 5,
    "tasks_missing_minutes": 5,
    "unhealthy_hosts": 0,
    "db_cpu_percent": 80,
    "db_freeable_memory_mib": 256,
    "db_connections": 200,
    "db_replica_lag_ms": 1000,
    "api_5xx_percent": 5,
    "api_p99_latency_ms": 2000,
}


def _events(*names):
    """A metric filter clause true for any of the CloudTrail event names."""
    return " || ".join("($.eventName = %s)" % name for name in names)


# CloudTrail events worth waking someone for: the metric filters of the CIS AWS Foundations Benchmark
# (v3.0.0, section 4 "Monitoring", controls 4.1 to 4.15), with the patterns the benchmark gives, in its order,
# so that the scanners that look for them (Security Hub's CIS checks CloudWatch.1-14, prowler) recognise them.
# Key: filter and alarm name suffix; value: (pattern, what the alarm says, CIS control).
TRAIL_FILTERS = {
    "unauthorized-calls": (
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
        "API calls were refused for lack of permission", "4.1"),
    "console-signin-without-mfa": (
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        "Someone signed in to the console without MFA", "4.2"),
    "root-use": (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        "The root user of the account was used", "4.3"),
    "iam-policy-changes": (
        "{ %s }" % _events("DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
                           "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
                           "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
                           "DetachGroupPolicy"),
        "An IAM policy was created, changed, attached or detached", "4.4"),
    "cloudtrail-changes": (
        "{ %s }" % _events("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
        "A CloudTrail trail was created, changed, stopped or deleted", "4.5"),
    "console-auth-failures": (
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        "Console sign-in failed", "4.6"),
    "kms-key-disabled-or-deleted": (
        "{ ($.eventSource = kms.amazonaws.com) && (%s) }" % _events("DisableKey", "ScheduleKeyDeletion"),
        "A KMS key was disabled or scheduled for deletion", "4.7"),
    "s3-bucket-policy-changes": (
        "{ ($.eventSource = s3.amazonaws.com) && (%s) }" % _events(
            "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
            "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"),
        "An S3 bucket policy, ACL, CORS, lifecycle or replication changed", "4.8"),
    "config-changes": (
        "{ ($.eventSource = config.amazonaws.com) && (%s) }" % _events(
            "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"),
        "AWS Config recording or delivery changed", "4.9"),
    "security-group-changes": (
        "{ %s }" % _events("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
                           "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"),
        "A security group was created, changed or deleted", "4.10"),
    "network-acl-changes": (
        "{ %s }" % _events("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
                           "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"),
        "A network ACL was created, changed or deleted", "4.11"),
    "network-gateway-changes": (
        "{ %s }" % _events("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
                           "DeleteInternetGateway", "DetachInternetGateway"),
        "A network gateway was created, attached, detached or deleted", "4.12"),
    "route-table-changes": (
        "{ ($.eventSource = ec2.amazonaws.com) && (%s) }" % _events(
            "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
            "DeleteRoute", "DisassociateRouteTable"),
        "A route table or route changed", "4.13"),
    "vpc-changes": (
        "{ %s }" % _events("CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
                           "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
                           "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"),
        "A VPC or VPC peering changed", "4.14"),
    "organizations-changes": (
        "{ ($.eventSource = organizations.amazonaws.com) && (%s) }" % _events(
            "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
            "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
            "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
            "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
            # Besides the benchmark's eighteen, three more that change the organization (Prowler's check of 4.15 asks for them).
            "CancelHandshake", "CreateOrganization", "EnableAllFeatures"),
        "The AWS Organization changed", "4.15"),
}


def trail_namespace(prefix):
    return "CloudDesign/%s/CloudTrail" % prefix


def trail_metric(key):
    return "".join(part.capitalize() for part in key.split("-"))


def trail_filters(prefix, log_group):
    """The metric filters of the trail's log group, in the shape of cloud_design.platform.log_groups."""
    return [{"log_group": log_group, "name": "%s-%s" % (prefix, key), "pattern": pattern, "metric_name": trail_metric(key),
             "metric_namespace": trail_namespace(prefix), "metric_value": "1", "default_value": 0}
            for key, (pattern, _what, _control) in sorted(TRAIL_FILTERS.items())]


def _kind(service):
    if service.endswith("-db"):
        return "database"
    if service == "rabbitmq":
        return "queue"
    return "app"


def _dimension(arn, marker):
    """The ELB metric dimension of a load balancer or target group ARN (e.g. net/name/id, targetgroup/name/id)."""
    return arn.split(":" + marker + "/", 1)[-1] if marker == "loadbalancer" else arn.split(":", 5)[-1]


def observability_plan(found, prefix, cluster, thresholds=None, trail=True, trail_log_group=None):
    """Alarms, dashboard rows and databases for what platform_info found.

    ``found`` holds the families workloads, databases and edge (load balancers, target groups,
    http_api). Nothing is planned for what is not deployed.
    """
    limits = dict(DEFAULT_THRESHOLDS, **(thresholds or {}))
    alarms, services, databases = [], [], []
    workloads = found.get("workloads") or {}
    edge = found.get("edge") or {}
    balancers = edge.get("load_balancers") or {}
    groups = edge.get("target_groups") or {}
    group_by_arn = {g["arn"]: name for name, g in groups.items()}
    minutes = int(limits["service_minutes"])

    def ecs_metric(name, metric, what, limit):
        return {"name": "%s-%s-%s-high" % (prefix, name, what), "namespace": "AWS/ECS", "metric_name": metric,
                "description": "%s of %s above %s %% for %d minutes" % (metric, name, limit, minutes),
                "dimensions": {"ClusterName": cluster, "ServiceName": name}, "statistic": "Average",
                "threshold": limit, "period": 60, "evaluation_periods": minutes}

    for name in sorted(workloads):
        service = workloads[name]
        alarms.append(ecs_metric(name, "CPUUtilization", "cpu", limits["service_cpu_percent"]))
        alarms.append(ecs_metric(name, "MemoryUtilization", "memory", limits["service_memory_percent"]))
        stat = {"Namespace": "ECS/ContainerInsights",
                "Dimensions": [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": name}]}
        alarms.append({
            "name": "%s-%s-tasks-missing" % (prefix, name),
            "description": "%s runs fewer tasks than desired for %s minutes (Container Insights)" % (name, limits["tasks_missing_minutes"]),
            "threshold": 0, "evaluation_periods": int(limits["tasks_missing_minutes"]), "comparison": "GreaterThanThreshold",
            "metrics": [
                {"Id": "running", "ReturnData": False,
                 "MetricStat": {"Metric": dict(stat, MetricName="RunningTaskCount"), "Period": 60, "Stat": "Average"}},
                {"Id": "desired", "ReturnData": False,
                 "MetricStat": {"Metric": dict(stat, MetricName="DesiredTaskCount"), "Period": 60, "Stat": "Average"}},
                {"Id": "missing", "Expression": "desired - running", "Label": "Tasks missing", "ReturnData": True},
            ],
        })
        row = {"name": name, "role": "queue" if _kind(name) == "queue" else "app"}
        for tg_arn in service.get("load_balancers") or []:
            tg_name = group_by_arn.get(tg_arn)
            lb = balancers.get(tg_name or "")
            if lb:
                row.update({"load_balancer_arn": lb["arn"], "target_group_arn": tg_arn,
                            "load_balancer_type": "application" if lb.get("type") == "application" else "network"})
                break
        if _kind(name) == "database":
            databases.append({"identifier": name, "kind": "container"})
        else:
            services.append(row)

    for lb_name in sorted(balancers):
        lb = balancers[lb_name]
        group = groups.get(lb_name)
        if not group:
            continue
        namespace = "AWS/ApplicationELB" if lb.get("type") == "application" else "AWS/NetworkELB"
        alarms.append({
            "name": "%s-%s-unhealthy-hosts" % (prefix, lb_name[len(prefix) + 1:] if lb_name.startswith(prefix + "-") else lb_name),
            "description": "Targets of %s fail their health checks" % lb_name,
            "namespace": namespace, "metric_name": "UnHealthyHostCount", "statistic": "Maximum",
            "dimensions": {"LoadBalancer": _dimension(lb["arn"], "loadbalancer"), "TargetGroup": _dimension(group["arn"], "targetgroup")},
            "threshold": limits["unhealthy_hosts"], "period": 60, "evaluation_periods": 3,
        })

    for ident in sorted(found.get("databases") or {}):
        db = found["databases"][ident]
        dims = {"DBClusterIdentifier": ident}
        short = ident[len(prefix) + 1:] if ident.startswith(prefix + "-") else ident
        databases.append({"identifier": ident, "kind": "aurora"})
        alarms += [
            {"name": "%s-%s-cpu-high" % (prefix, short), "description": "CPU of %s above %s %%" % (ident, limits["db_cpu_percent"]),
             "namespace": "AWS/RDS", "metric_name": "CPUUtilization", "dimensions": dims, "statistic": "Average",
             "threshold": limits["db_cpu_percent"], "period": 60, "evaluation_periods": 10},
            {"name": "%s-%s-memory-low" % (prefix, short),
             "description": "Freeable memory of %s below %s MiB" % (ident, limits["db_freeable_memory_mib"]),
             "namespace": "AWS/RDS", "metric_name": "FreeableMemory", "dimensions": dims, "statistic": "Minimum",
             "threshold": int(limits["db_freeable_memory_mib"]) * 1024 * 1024, "comparison": "LessThanThreshold",
             "period": 60, "evaluation_periods": 10},
            {"name": "%s-%s-connections-high" % (prefix, short),
             "description": "Connections to %s above %s" % (ident, limits["db_connections"]),
             "namespace": "AWS/RDS", "metric_name": "DatabaseConnections", "dimensions": dims, "statistic": "Maximum",
             "threshold": limits["db_connections"], "period": 60, "evaluation_periods": 5},
        ]
        if len(db.get("members") or []) > 1:
            alarms.append({"name": "%s-%s-replica-lag" % (prefix, short),
                           "description": "Replica lag of %s above %s ms" % (ident, limits["db_replica_lag_ms"]),
                           "namespace": "AWS/RDS", "metric_name": "AuroraReplicaLagMaximum", "dimensions": dims,
                           "statistic": "Maximum", "threshold": limits["db_replica_lag_ms"], "period": 60, "evaluation_periods": 5})

    api = (edge.get("http_api") or {}).get("id")
    if api:
        dims = [{"Name": "ApiId", "Value": api}, {"Name": "Stage", "Value": "$default"}]
        alarms += [
            {"name": "%s-api-5xx-rate" % prefix,
             "description": "More than %s %% of the API's requests answered 5xx over 5 minutes" % limits["api_5xx_percent"],
             "threshold": limits["api_5xx_percent"], "evaluation_periods": 1, "treat_missing_data": "notBreaching",
             "metrics": [
                 {"Id": "errors", "ReturnData": False,
                  "MetricStat": {"Metric": {"Namespace": "AWS/ApiGateway", "MetricName": "5xx", "Dimensions": dims},
                                 "Period": 300, "Stat": "Sum"}},
                 {"Id": "requests", "ReturnData": False,
                  "MetricStat": {"Metric": {"Namespace": "AWS/ApiGateway", "MetricName": "Count", "Dimensions": dims},
                                 "Period": 300, "Stat": "Sum"}},
                 {"Id": "rate", "Expression": "100 * errors / requests", "Label": "5xx %", "ReturnData": True},
             ]},
            {"name": "%s-api-latency-p99" % prefix,
             "description": "p99 latency of the API above %s ms over 5 minutes" % limits["api_p99_latency_ms"],
             "namespace": "AWS/ApiGateway", "metric_name": "Latency", "statistic": "p99",
             "dimensions": {"ApiId": api, "Stage": "$default"}, "threshold": limits["api_p99_latency_ms"],
             "period": 300, "evaluation_periods": 1, "treat_missing_data": "notBreaching"},
        ]

    if trail:
        for key, (_pattern, what, control) in sorted(TRAIL_FILTERS.items()):
            alarms.append({"name": "%s-trail-%s" % (prefix, key), "description": "CloudTrail: %s (CIS %s)" % (what, control),
                           "namespace": trail_namespace(prefix), "metric_name": trail_metric(key), "statistic": "Sum",
                           "threshold": 1, "comparison": "GreaterThanOrEqualToThreshold", "period": 300,
                           "evaluation_periods": 1, "treat_missing_data": "notBreaching"})
    return {"alarms": alarms, "services": services, "databases": databases, "http_api_id": api,
            "trail_filters": trail_filters(prefix, trail_log_group) if trail else []}
