"""The CIS AWS Foundations Benchmark's monitoring controls (v3.0.0, 4.1 to 4.15), written out by hand from the
benchmark, and a check of a deployment against them through the AWS API, the way the scanners make it: a metric
filter on the log group of a trail whose pattern holds every clause the control names, in the benchmark's order,
and an alarm on the filter's metric that notifies someone. The project's own filter definitions are not read here."""

import re

NAMES = {
    "4.4": ["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
            "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy",
            "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"],
    "4.5": ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"],
    "4.7": ["DisableKey", "ScheduleKeyDeletion"],
    "4.8": ["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
            "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"],
    "4.9": ["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"],
    "4.10": ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
             "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"],
    "4.11": ["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry",
             "ReplaceNetworkAclAssociation"],
    "4.12": ["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
             "DeleteInternetGateway", "DetachInternetGateway"],
    "4.13": ["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
             "DeleteRoute", "DisassociateRouteTable"],
    "4.14": ["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
             "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
             "DisableVpcClassicLink", "EnableVpcClassicLink"],
    "4.15": ["AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake",
             "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType",
             "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
             "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit"],
}

SOURCES = {"4.7": "kms.amazonaws.com", "4.8": "s3.amazonaws.com", "4.9": "config.amazonaws.com", "4.13": "ec2.amazonaws.com",
           "4.15": "organizations.amazonaws.com"}


def _clause(field, value, op="="):
    """One comparison of a filter pattern, the value quoted or not; a name is not satisfied by a longer one."""
    return r"\$\.%s\s*%s\s*\"?%s\"?(?![A-Za-z])" % (re.escape(field), re.escape(op), re.escape(value))


OTHER = {
    "4.1": [_clause("errorCode", "*UnauthorizedOperation"), _clause("errorCode", "AccessDenied*")],
    "4.2": [_clause("eventName", "ConsoleLogin"), _clause("additionalEventData.MFAUsed", "Yes", "!=")],
    "4.3": [_clause("userIdentity.type", "Root"), r"\$\.userIdentity\.invokedBy\s+NOT\s+EXISTS",
            _clause("eventType", "AwsServiceEvent", "!=")],
    "4.6": [_clause("eventName", "ConsoleLogin"), _clause("errorMessage", "Failed authentication")],
}

CONTROLS = sorted(set(NAMES) | set(OTHER), key=lambda c: [int(p) for p in c.split(".")])


def clauses(control):
    found = [_clause("eventSource", SOURCES[control])] if control in SOURCES else []
    return found + OTHER.get(control, []) + [_clause("eventName", name) for name in NAMES.get(control, [])]


def recognises(control, pattern):
    """Whether a filter pattern holds every clause of the control, in the benchmark's order."""
    return re.search(".+".join(clauses(control)), pattern, flags=re.DOTALL) is not None


def unmet_controls(ep, topic):
    """The monitoring controls this account does not meet: for each, no trail sends its events to a log group that has
    a recognising filter whose metric an alarm watches and reports to the topic. Read through the AWS API."""
    logs, cloudwatch = ep.client("logs"), ep.client("cloudwatch")
    groups = [t["CloudWatchLogsLogGroupArn"].split(":")[6] for t in ep.client("cloudtrail").describe_trails()["trailList"]
              if t.get("CloudWatchLogsLogGroupArn")]
    filters = [f for group in groups for page in logs.get_paginator("describe_metric_filters").paginate(logGroupName=group)
               for f in page["metricFilters"]]
    watched = {(a.get("Namespace"), a.get("MetricName"))
               for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
               for a in page["MetricAlarms"] if topic in a.get("AlarmActions", []) and a.get("ActionsEnabled", True)}
    unmet = []
    for control in CONTROLS:
        if not any(recognises(control, f["filterPattern"]) and
                   any((m["metricNamespace"], m["metricName"]) in watched for m in f["metricTransformations"])
                   for f in filters):
            unmet.append(control)
    return unmet
