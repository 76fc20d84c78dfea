"""The endpoint refuses what AWS refuses: resource policies read as the AWS service will read them, and time.

moto accepts a trail whose key CloudTrail may not use, a log group whose key CloudWatch Logs may not
use, an alarm or rule that can never publish to its encrypted topic, a role handed to a service the
instant it is made. AWS refuses each of these (or, for the publishers, accepts the put and then drops
every message). tools/endpoint_server.py loads these rules into the endpoint (and the unit tests load
them with it), so the rehearsal fails where a first deploy on a real account would.

Each rule names the AWS document it follows. A rule only ever refuses; it never makes moto accept
something it refused. The timing rules read their windows from the environment when they apply:

  ENDPOINT_IAM_PROPAGATION_SECONDS  a role younger than this is refused by the services it is handed to
  ENDPOINT_LB_PROVISIONING_SECONDS  a load balancer stays 'provisioning' (and refuses WAF) this long
  ENDPOINT_TAGGING_LAG_SECONDS      the Resource Groups Tagging API sees a new resource this late
  ENDPOINT_ECS_ROLLOUT_SECONDS      an ECS deployment completes (or, for an image that cannot start, is rolled back) this late

All default to 0 (off), which is what in-process unit tests get unless they set them; tools/endpoint.py
turns them on for every endpoint it starts (make demo, make test; ENDPOINT_TIMING there).
"""

import fnmatch
import functools
import inspect
import json
import os
import re
import sys
import threading
import time
import urllib.parse

from moto.acm import models as acm_models
from moto.awslambda import models as lambda_models
from moto.budgets import models as budgets_models
from moto.cloudtrail import models as cloudtrail_models
from moto.cloudwatch import models as cloudwatch_models
from moto.core import authorization as moto_authorization
from moto.core.exceptions import JsonRESTError
from moto.ecs import models as ecs_models
from moto.elbv2 import exceptions as elbv2_exceptions
from moto.elbv2 import models as elbv2_models
from moto.events import models as events_models
from moto.iam import access_control as iam_access_control
from moto.iam import models as iam_models
from moto.kms import models as kms_models
from moto.logs import models as logs_models
from moto.rds import exceptions as rds_exceptions
from moto.rds import models as rds_models
from moto.resourcegroupstaggingapi import models as tagging_models
from moto.s3 import models as s3_models
from moto.sns import models as sns_models
from moto.wafv2 import models as wafv2_models


def window(name):
    try:
        return float(os.environ.get(name, "0") or 0)
    except ValueError:
        return 0.0


class RuleError(JsonRESTError):
    """An AWS error answered by one of these rules (JSON protocols)."""

    def __init__(self, code, message, status=400):
        super().__init__(code, message)
        self.code = status


class QueryRuleError(elbv2_exceptions.ELBClientError):
    """The same in Elastic Load Balancing's query (XML) protocol."""


# --------------------------------------------------------------------------------------------------
# Policy evaluation (IAM User Guide: "Policy evaluation logic", "IAM JSON policy elements: Condition
# operators"): an explicit Deny wins, then any Allow; a condition key missing from the request context
# fails a positive operator and satisfies a negated one (...IfExists makes a missing key pass).
# --------------------------------------------------------------------------------------------------
def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principal_matches(principal, service):
    """service is a service principal (logs.amazonaws.com) or an account's root ARN (arn:aws:iam::<account>:root)."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if "*" in _as_list(principal.get("AWS")):
        return True  # {"AWS": "*"} is every principal, services included
    if service and service.startswith("arn:"):
        account = service.split(":")[4]
        return any(p in (service, account) for p in _as_list(principal.get("AWS")))
    return service in _as_list(principal.get("Service"))


def _like(pattern, value, case=True):
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _condition_holds(operator, key, expected, context):
    """One condition operator over one key, as the IAM User Guide defines it."""
    ctx = {k.lower(): v for k, v in context.items()}
    if_exists = operator.endswith("IfExists")
    op = operator[: -len("IfExists")] if if_exists else operator
    if ":" in op:  # ForAnyValue: / ForAllValues: over single-valued keys behave as the plain operator here
        op = op.split(":", 1)[1]
    expected = [str(e) for e in _as_list(expected)]
    present = key.lower() in ctx
    if op == "Null":
        return (not present) == (expected[0].lower() == "true")
    negated = op in ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike")
    if not present:
        return True if (if_exists or negated) else False
    actual = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(ctx[key.lower()])]
    if op in ("StringEquals", "StringNotEquals"):
        hit = any(a == e for a in actual for e in expected)
    elif op in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        hit = any(a.lower() == e.lower() for a in actual for e in expected)
    elif op in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"):
        hit = any(_like(e, a) for a in actual for e in expected)
    elif op == "Bool":
        hit = any(a.lower() == e.lower() for a in actual for e in expected)
    else:
        return False  # an operator these rules do not read never grants
    return not hit if negated else hit


def _statement_matches(statement, service, action, resource, context):
    if "Principal" in statement and not _principal_matches(statement["Principal"], service):
        return False
    if "NotPrincipal" in statement:
        return False
    if "Action" in statement:
        if not any(_like(a, action, case=False) for a in _as_list(statement["Action"])):
            return False
    elif any(_like(a, action, case=False) for a in _as_list(statement.get("NotAction"))):
        return False
    if "Resource" in statement:
        if not any(_like(r, resource) for r in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement and any(_like(r, resource) for r in _as_list(statement["NotResource"])):
        return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


def policy_allows(document, service, action, resource, context):
    """Whether a resource policy lets the service principal do the action on the resource."""
    if isinstance(document, (bytes, bytearray)):
        document = document.decode("utf-8")
    if isinstance(document, str):
        document = json.loads(document) if document else {}
    statements = _as_list((document or {}).get("Statement"))
    if any(s.get("Effect") == "Deny" and _statement_matches(s, service, action, resource, context) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and _statement_matches(s, service, action, resource, context) for s in statements)


def _partition(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


# --------------------------------------------------------------------------------------------------
# KMS keys used by a service on the platform's behalf.
# --------------------------------------------------------------------------------------------------
def find_key(account, region, key_id):
    """The moto key for an id, ARN, alias name or alias ARN; None when there is none."""
    backend = kms_models.kms_backends[account][region]
    try:
        return backend.keys[backend.any_id_to_key_id(key_id)]
    except Exception:  # pylint: disable=broad-except
        return None


def key_refusal(key, service, actions, context):
    """None when the key policy lets the service make every call, else the first refused action."""
    if key is None:
        return "the key does not exist"
    if key.key_state != "Enabled":
        return "the key is %s" % key.key_state
    for action in actions:
        if not policy_allows(key.policy, service, action, key.arn, context):
            return "its key policy does not allow %s to call %s (request context %s)" % (
                service, action, json.dumps(context, sort_keys=True))
    return None


# --------------------------------------------------------------------------------------------------
# CloudTrail (AWS CloudTrail User Guide: "Amazon S3 bucket policy for CloudTrail", "Configure AWS KMS key
# policies for CloudTrail" - required elements: encrypt (kms:GenerateDataKey* with the trail's encryption
# context), describe (kms:DescribeKey), and kms:Decrypt "to create or update a trail with SSE-KMS
# encryption enabled" when the bucket uses an S3 Bucket Key; "Sending events to CloudWatch Logs" - the
# role CloudTrail assumes). CreateTrail / UpdateTrail answer InsufficientS3BucketPolicyException,
# InsufficientEncryptionPolicyException, InvalidCloudWatchLogsRoleArnException.
# --------------------------------------------------------------------------------------------------
def role_age(account, arn):
    """Seconds since the role was made, or None when there is no such role."""
    try:
        role = iam_models.iam_backends[account]["global"].get_role_by_arn(arn)
    except Exception:  # pylint: disable=broad-except
        return None, None
    created = getattr(role, "_endpoint_created", None)
    return role, (time.time() - created) if created else float("inf")


def check_trail(backend, name, bucket_name, prefix, kms_key_id, cw_group_arn, cw_role_arn):
    account, region = backend.account_id, backend.region_name
    partition = _partition(region)
    trail_arn = "arn:%s:cloudtrail:%s:%s:trail/%s" % (partition, region, account, name)
    source = {"aws:SourceArn": trail_arn, "aws:SourceAccount": account}
    service = "cloudtrail.amazonaws.com"
    bucket = None
    if bucket_name:
        try:
            bucket = s3_models.s3_backends[account][partition].get_bucket(bucket_name)
        except Exception:  # pylint: disable=broad-except
            bucket = None  # moto's own check answers S3BucketDoesNotExistException
    key = find_key(account, region, kms_key_id) if kms_key_id else None
    if bucket is not None:
        bucket_arn = "arn:%s:s3:::%s" % (partition, bucket_name)
        objects = "%s/%sAWSLogs/%s/CloudTrail/%s/2026/01/01/object.json.gz" % (
            bucket_arn, (prefix.rstrip("/") + "/") if prefix else "", account, region)
        put_context = dict(source, **{"s3:x-amz-acl": "bucket-owner-full-control", "aws:SecureTransport": "true"})
        if key is not None:
            put_context["s3:x-amz-server-side-encryption"] = "aws:kms"
            put_context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = key.arn
        acl_context = dict(source, **{"aws:SecureTransport": "true"})
        if not (bucket.policy and policy_allows(bucket.policy, service, "s3:GetBucketAcl", bucket_arn, acl_context)
                and policy_allows(bucket.policy, service, "s3:PutObject", objects, put_context)):
            raise RuleError("InsufficientS3BucketPolicyException",
                            "Incorrect S3 bucket policy is detected for bucket: %s" % bucket_name)
    if kms_key_id:
        actions = [("kms:GenerateDataKey", dict(source, **{"kms:EncryptionContext:aws:cloudtrail:arn": trail_arn})),
                   ("kms:DescribeKey", source)]
        encryption = (getattr(bucket, "encryption", None) or {}).get("Rule") or {}
        if str(encryption.get("BucketKeyEnabled", "")).lower() == "true":
            actions.append(("kms:Decrypt", source))
        for action, context in actions:
            refused = key_refusal(key, service, [action], context)
            if refused:
                raise RuleError("InsufficientEncryptionPolicyException",
                                "Insufficient permissions to access S3 bucket %s or KMS key %s: %s." % (
                                    bucket_name, kms_key_id, refused))
    if cw_role_arn:
        role, age = role_age(account, cw_role_arn)
        message = "Access denied. Verify in IAM that the role has adequate permissions."
        if role is None or age < window("ENDPOINT_IAM_PROPAGATION_SECONDS"):
            # IAM User Guide, "Troubleshoot IAM: changes I make are not always immediately visible".
            raise RuleError("InvalidCloudWatchLogsRoleArnException", message)
        if not policy_allows(role.assume_role_policy_document, service, "sts:AssumeRole", "*", source):
            raise RuleError("InvalidCloudWatchLogsRoleArnException", message)
        stream = "%s:log-stream:%s_CloudTrail_%s" % (cw_group_arn.rstrip("*").rstrip(":"), account, region)
        documents = list(role.policies.values()) + [p.document for p in role.managed_policies.values()]
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            if not any(_identity_allows(doc, action, stream) for doc in documents):
                raise RuleError("InvalidCloudWatchLogsRoleArnException", message)


# --------------------------------------------------------------------------------------------------
# A function's execution role (AWS Lambda Developer Guide, "Defining Lambda function permissions with an
# execution role"): Lambda assumes it, so its trust policy must admit lambda.amazonaws.com. CreateFunction and
# UpdateFunctionConfiguration answer InvalidParameterValueException, "The role defined for the function cannot
# be assumed by Lambda.", for a role that does not trust Lambda, does not exist, or is too new for IAM to have
# propagated it (IAM User Guide, "Troubleshoot IAM: changes I make are not always immediately visible"); no
# function is made or changed then.
# --------------------------------------------------------------------------------------------------
def check_function_role(account, role_arn):
    role, age = role_age(account, role_arn)
    if role is None or age < window("ENDPOINT_IAM_PROPAGATION_SECONDS") or not policy_allows(
            role.assume_role_policy_document, "lambda.amazonaws.com", "sts:AssumeRole", "*", {}):
        raise RuleError("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.")


def _create_function(original):
    @functools.wraps(original)
    def create_function(self, spec):
        check_function_role(self.account_id, spec.get("Role") or "")
        return original(self, spec)
    return create_function


def _update_function_configuration(original):
    @functools.wraps(original)
    def update_function_configuration(self, function_name, qualifier, body):
        if body.get("Role"):
            check_function_role(self.account_id, body["Role"])
        return original(self, function_name, qualifier, body)
    return update_function_configuration


def _identity_allows(document, action, resource):
    if isinstance(document, str):
        document = json.loads(document)
    statements = _as_list(document.get("Statement"))
    if any(s.get("Effect") == "Deny" and _statement_matches(s, None, action, resource, {}) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and _statement_matches(s, None, action, resource, {}) for s in statements)


def _trail_rule(original, name_arg):
    signature = inspect.signature(original)

    @functools.wraps(original)
    def wrapper(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs).arguments
        name = bound[name_arg]
        if name_arg == "name" and name.startswith("arn:"):
            name = name.rsplit("/", 1)[-1]
        bucket = bound.get("bucket_name") or bound.get("s3_bucket_name")
        prefix = bound.get("s3_key_prefix")
        kms = bound.get("kms_key_id")
        group, role = bound.get("cw_log_group_arn"), bound.get("cw_role_arn")
        if name_arg == "name" and name in self.trails:  # UpdateTrail: what it leaves alone stays as it is
            trail = self.trails[name]
            bucket = bucket or trail.bucket_name
            prefix = prefix if prefix is not None else trail.s3_key_prefix
            kms = kms if kms is not None else trail.kms_key_id
            group = group if group is not None else trail.cw_log_group_arn
            role = role if role is not None else trail.cw_role_arn
        check_trail(self, name, bucket, prefix, kms, group, role)
        return original(self, *args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------------------
# CloudWatch Logs (Amazon CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS
# KMS": the key must be a symmetric key whose policy lets logs.<region>.amazonaws.com use it with the
# encryption context kms:EncryptionContext:aws:logs:arn of the group; otherwise CreateLogGroup and
# AssociateKmsKey answer AccessDeniedException / InvalidParameterException).
# --------------------------------------------------------------------------------------------------
def check_log_group_key(account, region, group_name, kms_key_id):
    if not kms_key_id:
        return
    partition = _partition(region)
    key_arn_form = kms_key_id.startswith("arn:%s:kms:" % partition) and ":key/" in kms_key_id
    key = find_key(account, region, kms_key_id) if key_arn_form else None
    if key is None or key.key_spec != "SYMMETRIC_DEFAULT":
        raise RuleError("InvalidParameterException",
                        "Specified KMS key %s is not a symmetric key's ARN in this account and region" % kms_key_id)
    arn = "arn:%s:logs:%s:%s:log-group:%s" % (partition, region, account, group_name)
    context = {"kms:EncryptionContext:aws:logs:arn": arn, "aws:SourceAccount": account}
    refused = key_refusal(key, "logs.%s.amazonaws.com" % region, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], context)
    if refused:
        raise RuleError("AccessDeniedException",
                        "The specified KMS key does not exist or is not allowed to be used with Arn '%s' (%s)" % (arn, refused))


def _create_log_group(original):
    @functools.wraps(original)
    def create_log_group(self, log_group_name, tags, **kwargs):
        check_log_group_key(self.account_id, self.region_name, log_group_name, kwargs.get("kms_key_id") or kwargs.get("kmsKeyId"))
        return original(self, log_group_name, tags, **kwargs)

    return create_log_group


# --------------------------------------------------------------------------------------------------
# Publishers to an encrypted SNS topic (Amazon SNS Developer Guide, "Key management": the topic policy
# must allow sns:Publish to the service and the key policy kms:GenerateDataKey* and kms:Decrypt;
# EventBridge's calls to KMS carry neither aws:SourceAccount nor aws:SourceArn, so a key statement that
# requires them never matches for it). SNS encrypts with the encryption context aws:sns:topicArn (the
# SNS key policies of the AWS service guides, e.g. GameLift's "Set up an SNS topic with server-side
# encryption", condition on kms:EncryptionContext:aws:sns:topicArn). AWS accepts the alarm, rule or budget and then fails every
# delivery in silence; the endpoint refuses the put instead, naming what would fail.
# --------------------------------------------------------------------------------------------------
PUBLISHER_KMS_CONTEXT = {"events.amazonaws.com": False, "cloudwatch.amazonaws.com": True, "budgets.amazonaws.com": True,
                         "events.rds.amazonaws.com": False}


def check_publisher(account, region, service, source_arn, topic_arn, error):
    if ":sns:" not in topic_arn:
        return
    try:
        topic = sns_models.sns_backends[account][region].get_topic(topic_arn)
    except Exception:  # pylint: disable=broad-except
        return  # another account's or region's topic: not this endpoint's to judge
    # aws:SourceOwner too: the topic's default policy admits the account's own services by it (Amazon SNS Developer
    # Guide, "Example cases for Amazon SNS access control"; the RDS User Guide says RDS may publish to a default topic).
    source = {"aws:SourceArn": source_arn, "aws:SourceAccount": account, "aws:SourceOwner": account}
    why = None
    if not policy_allows(topic.policy, service, "sns:Publish", topic_arn, source):
        why = "the topic policy of %s does not allow %s to publish (request context %s)" % (
            topic_arn, service, json.dumps(source, sort_keys=True))
    elif topic.kms_master_key_id:
        context = dict(source) if PUBLISHER_KMS_CONTEXT.get(service) else {}
        context["kms:EncryptionContext:aws:sns:topicArn"] = topic_arn
        refused = key_refusal(find_key(account, region, topic.kms_master_key_id), service,
                              ["kms:GenerateDataKey", "kms:Decrypt"], context)
        if refused:
            why = "the topic %s is encrypted with %s and %s" % (topic_arn, topic.kms_master_key_id, refused)
    if why:
        raise error("%s could never deliver to its topic: %s. (AWS accepts this and drops every message; the "
                    "endpoint refuses it.)" % (source_arn, why))


# --------------------------------------------------------------------------------------------------
# RDS event subscriptions (Amazon RDS API Reference, CreateEventSubscription, ModifyEventSubscription and
# AddSourceIdentifierToSubscription, "Errors"): a source that does not exist is refused (SourceNotFound), a topic of
# the account and region that does not exist too (SNSTopicArnNotFound), and a topic RDS may not publish to
# (SNSNoAuthorization; RDS publishes as events.rds.amazonaws.com with the source's ARN, Amazon RDS User Guide,
# "Granting permissions to publish notifications to an Amazon SNS topic"). moto accepts all three.
# --------------------------------------------------------------------------------------------------
RDS_SOURCE_ARN = {"db-cluster": ("clusters", "cluster"), "db-instance": ("databases", "db")}


def _rds_error(code):
    def make(message):
        return rds_exceptions.RDSClientError(code, message)
    return make


def check_rds_subscription(backend, source_type, source_ids, topic_arn):
    """Refuse an RDS event subscription as RDS does; ``topic_arn`` None leaves the topic unchecked (not changed)."""
    table, kind = RDS_SOURCE_ARN.get(source_type, (None, None))
    for source in source_ids or []:
        if table and source not in getattr(backend, table):
            raise _rds_error("SourceNotFound")("Source %s of type %s not found." % (source, source_type))
    if not topic_arn:
        return
    parts = topic_arn.split(":")
    if len(parts) == 6 and parts[2] == "sns" and parts[3] == backend.region_name and parts[4] == backend.account_id:
        try:
            sns_models.sns_backends[backend.account_id][backend.region_name].get_topic(topic_arn)
        except Exception:  # pylint: disable=broad-except
            raise _rds_error("SNSTopicArnNotFound")("The SNS topic %s does not exist." % topic_arn) from None
    for source in source_ids or []:
        source_arn = "arn:%s:rds:%s:%s:%s:%s" % (_partition(backend.region_name), backend.region_name, backend.account_id,
                                                 kind or source_type, source)
        check_publisher(backend.account_id, backend.region_name, "events.rds.amazonaws.com", source_arn, topic_arn,
                        _rds_error("SNSNoAuthorization"))


def _create_event_subscription(original):
    @functools.wraps(original)
    def create_event_subscription(self, kwargs):
        check_rds_subscription(self, kwargs.get("source_type"), kwargs.get("source_ids"), kwargs.get("sns_topic_arn"))
        return original(self, kwargs)

    return create_event_subscription


# --------------------------------------------------------------------------------------------------
# S3 bucket policies on requests (Amazon S3 User Guide, "How Amazon S3 authorizes a request for an object
# operation"; IAM User Guide, "Policy evaluation logic"). moto evaluates a bucket policy without its
# conditions or principals, so the platform's "deny every request without TLS" statement denied every object
# read and delete, and an Allow for a service principal admitted everyone. The endpoint evaluates them as S3
# does for the account's own caller over TLS (it stands for AWS's HTTPS endpoints; a client of AWS uses TLS).
# --------------------------------------------------------------------------------------------------
def _bucket_permission(original):
    @functools.wraps(original)
    def get_permission(self, action, resource):
        if self.policy is None:
            return original(self, action, resource)
        caller = "arn:%s:iam::%s:root" % (_partition(self.region_name), self.account_id)
        context = {"aws:SecureTransport": "true", "aws:SourceAccount": self.account_id}
        document = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy)
        statements = _as_list(document.get("Statement"))
        result = iam_access_control.PermissionResult
        if any(st.get("Effect") == "Deny" and _statement_matches(st, caller, action, resource, context) for st in statements):
            return result.DENIED
        if any(st.get("Effect") == "Allow" and _statement_matches(st, caller, action, resource, context) for st in statements):
            return result.PERMITTED
        return result.NEUTRAL

    return get_permission


def _validation(code):
    def make(message):
        return RuleError(code, message)
    return make


def _put_targets(original):
    @functools.wraps(original)
    def put_targets(self, name, event_bus_arn, targets):
        bus = self._normalize_event_bus_arn(event_bus_arn)  # pylint: disable=protected-access
        rule = ("" if bus == "default" else bus + "/") + name
        rule_arn = "arn:%s:events:%s:%s:rule/%s" % (_partition(self.region_name), self.region_name, self.account_id, rule)
        for target in targets:
            check_publisher(self.account_id, self.region_name, "events.amazonaws.com", rule_arn, target["Arn"],
                            _validation("ValidationException"))
        return original(self, name, event_bus_arn, targets)

    return put_targets


def _put_metric_alarm(original):
    signature = inspect.signature(original)

    @functools.wraps(original)
    def put_metric_alarm(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs).arguments
        alarm_arn = "arn:%s:cloudwatch:%s:%s:alarm:%s" % (_partition(self.region_name), self.region_name, self.account_id,
                                                          bound["name"])
        for key in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
            for action in bound.get(key) or []:
                check_publisher(self.account_id, self.region_name, "cloudwatch.amazonaws.com", alarm_arn, action,
                                _validation("ValidationError"))
        return original(self, *args, **kwargs)

    return put_metric_alarm


def _budget_subscribers(notifications):
    for entry in notifications or []:
        for subscriber in entry.get("Subscribers") or []:
            if subscriber.get("SubscriptionType") == "SNS":
                yield subscriber["Address"]


def _budget_check(backend, account, name, addresses):
    region = "us-east-1"  # Budgets is global; the topic is the platform's, found in its own region
    for address in addresses:
        parts = address.split(":")
        region = parts[3] if len(parts) > 5 else region
        arn = "arn:%s:budgets::%s:budget/%s" % (_partition(region), account, name)
        check_publisher(account, region, "budgets.amazonaws.com", arn, address, _validation("InvalidParameterException"))


def _create_budget(original):
    @functools.wraps(original)
    def create_budget(self, account_id, budget, notifications):
        _budget_check(self, account_id, budget["BudgetName"], _budget_subscribers(notifications))
        return original(self, account_id, budget, notifications)

    return create_budget


def _create_notification(original):
    @functools.wraps(original)
    def create_notification(self, account_id, budget_name, notification, subscribers):
        _budget_check(self, account_id, budget_name, _budget_subscribers([{"Subscribers": subscribers}]))
        return original(self, account_id, budget_name, notification, subscribers)

    return create_notification


# --------------------------------------------------------------------------------------------------
# Load balancer access logs (Elastic Load Balancing User Guide, "Access logs for your Application Load
# Balancer": the bucket must be in the region, encrypted with SSE-S3 only, and its policy must let the
# region's Elastic Load Balancing account or logdelivery.elasticloadbalancing.amazonaws.com put objects
# under <prefix>/AWSLogs/<account>/; "Access logs for your Network Load Balancer": delivery.logs.amazonaws.com
# puts them with bucket-owner-full-control and reads the bucket ACL). ModifyLoadBalancerAttributes answers
# InvalidConfigurationRequest otherwise.
# --------------------------------------------------------------------------------------------------
ELB_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
    "af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-southeast-3": "589379963580", "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266", "ap-northeast-1": "582318560864", "ca-central-1": "985666609251",
    "eu-central-1": "054676820928", "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
    "eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225", "sa-east-1": "507241528517",
}


def check_access_logs(backend, balancer, attrs):
    if str(attrs.get("access_logs.s3.enabled", "")).lower() != "true":
        return
    account, region = backend.account_id, backend.region_name
    partition = _partition(region)
    name = attrs.get("access_logs.s3.bucket") or balancer.attrs.get("access_logs.s3.bucket") or ""
    prefix = attrs.get("access_logs.s3.prefix", balancer.attrs.get("access_logs.s3.prefix")) or ""
    try:
        bucket = s3_models.s3_backends[account][partition].get_bucket(name)
    except Exception:  # pylint: disable=broad-except
        raise QueryRuleError("InvalidConfigurationRequest", "The specified bucket does not exist: %s" % name)
    denied = QueryRuleError("InvalidConfigurationRequest", "Access Denied for bucket: %s. Please check S3bucket permission" % name)
    objects = "arn:%s:s3:::%s/%sAWSLogs/%s/elasticloadbalancing/%s/2026/01/01/log.gz" % (
        partition, name, (prefix.rstrip("/") + "/") if prefix else "", account, region)
    secure = {"aws:SecureTransport": "true"}
    if balancer.type == "network":
        put = dict(secure, **{"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"})
        if not (bucket.policy and policy_allows(bucket.policy, "delivery.logs.amazonaws.com", "s3:PutObject", objects, put)
                and policy_allows(bucket.policy, "delivery.logs.amazonaws.com", "s3:GetBucketAcl", "arn:%s:s3:::%s" % (partition, name),
                                  dict(secure, **{"aws:SourceAccount": account}))):
            raise denied
        return
    algorithm = (((bucket.encryption or {}).get("Rule") or {}).get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
    if algorithm and algorithm != "AES256":
        raise QueryRuleError("InvalidConfigurationRequest", "Access logs of an Application Load Balancer need SSE-S3 on bucket %s" % name)
    writers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    if region in ELB_ACCOUNTS:
        writers.append("arn:%s:iam::%s:root" % (partition, ELB_ACCOUNTS[region]))
    if not (bucket.policy and any(policy_allows(bucket.policy, writer, "s3:PutObject", objects, secure) for writer in writers)):
        raise denied


def _modify_lb_attributes(original):
    @functools.wraps(original)
    def modify(self, arn, attrs):
        balancer = self.load_balancers.get(arn)
        if balancer is not None:
            check_access_logs(self, balancer, attrs)
        return original(self, arn, attrs)

    return modify


# --------------------------------------------------------------------------------------------------
# Aurora log exports (Amazon Aurora User Guide, "Publishing Aurora PostgreSQL logs to Amazon CloudWatch
# Logs": RDS creates /aws/rds/cluster/<cluster>/<log type> when it is missing, without a KMS key and
# with events kept forever). moto creates nothing; the endpoint does what RDS does.
# --------------------------------------------------------------------------------------------------
def rds_log_groups(account, region, cluster_id, exports):
    backend = logs_models.logs_backends[account][region]
    for log_type in exports or []:
        name = "/aws/rds/cluster/%s/%s" % (cluster_id, log_type)
        if name not in backend.groups:
            backend.groups[name] = logs_models.LogGroup(account, region, name)


def _exports_make_groups(original):
    """CreateDBCluster and ModifyDBCluster: the export groups appear as RDS makes them."""
    @functools.wraps(original)
    def call(self, kwargs):
        cluster = original(self, kwargs)
        rds_log_groups(self.account_id, self.region_name, cluster.db_cluster_identifier,
                       cluster.enabled_cloudwatch_logs_exports)
        return cluster

    return call


# --------------------------------------------------------------------------------------------------
# Cluster parameter groups (Amazon RDS API reference: CreateDBCluster and ModifyDBCluster answer
# DBClusterParameterGroupNotFound for a group that does not exist; DeleteDBClusterParameterGroup answers
# InvalidDBParameterGroupState for a group a cluster uses; Amazon Aurora User Guide, "Parameter groups for
# Amazon Aurora": a cluster takes only a group of its engine's family, aurora-postgresql<major> for Aurora
# PostgreSQL). moto takes any name on a cluster, any family, and deletes a group in use; a cluster made without a
# group gets default.aurora8.0 whatever its engine, where AWS gives its family's default group. Its ModifyDBCluster
# also drops EnableIAMDatabaseAuthentication, which AWS applies (ModifyDBCluster).
# --------------------------------------------------------------------------------------------------
def cluster_family(engine, version):
    """The parameter group family of an Aurora PostgreSQL version (16.6 -> aurora-postgresql16); None otherwise."""
    if engine != "aurora-postgresql" or not version:
        return None
    return "aurora-postgresql" + str(version).split(".", maxsplit=1)[0]


def check_cluster_parameter_group(backend, name, engine, version):
    if not name:
        return
    group = backend.db_cluster_parameter_groups.get(name)
    if group is not None:
        group_family = group.db_parameter_group_family
    elif name.startswith("default."):
        group_family = name[len("default."):]  # AWS's own group of each family (moto lists none)
    else:
        raise _rds_error("DBClusterParameterGroupNotFound")("DBClusterParameterGroup not found: %s" % name)
    family = cluster_family(engine, version)
    if family and group_family != family:
        raise _rds_error("InvalidParameterCombination")(
            "The parameter group %s with DBParameterGroupFamily %s can't be used for this instance. Use a parameter "
            "group with DBParameterGroupFamily %s." % (name, group_family, family))


def _cluster_parameter_group_rule(original, creating):
    @functools.wraps(original)
    def call(self, kwargs):
        name = kwargs.get("db_cluster_parameter_group_name")
        if creating:
            check_cluster_parameter_group(self, name, kwargs.get("engine"), kwargs.get("engine_version"))
        elif name:
            cluster = self.clusters.get(kwargs.get("db_cluster_identifier"))
            if cluster is not None:
                check_cluster_parameter_group(self, name, cluster.engine,
                                              kwargs.get("engine_version") or cluster.engine_version)
        iam_auth = kwargs.get("enable_iam_database_authentication")
        cluster = original(self, kwargs)
        family = cluster_family(cluster.engine, cluster.engine_version)
        if creating and not name and family:
            cluster.parameter_group = "default." + family  # moto names default.aurora8.0 whatever the engine
        if not creating and iam_auth is not None:
            live = self.clusters.get(cluster.db_cluster_identifier)
            for each in (cluster, live):
                if each is not None:
                    each.iam_auth = bool(iam_auth)
        return cluster

    return call


def _delete_cluster_parameter_group(original):
    @functools.wraps(original)
    def delete(self, db_cluster_parameter_group_name):
        users = sorted(c.db_cluster_identifier for c in self.clusters.values()
                       if getattr(c, "parameter_group", None) == db_cluster_parameter_group_name)
        if users:
            raise _rds_error("InvalidDBParameterGroupState")(
                "One or more database clusters (%s) are still members of this parameter group %s, so the group "
                "cannot be deleted." % (", ".join(users), db_cluster_parameter_group_name))
        return original(self, db_cluster_parameter_group_name)

    return delete


# --------------------------------------------------------------------------------------------------
# AWS WAF logging: the destination's name (a CloudWatch Logs group, an S3 bucket or a Data Firehose stream)
# must start with aws-waf-logs- (AWS WAF API Reference, PutLoggingConfiguration: "The name that you give the
# destination must start with aws-waf-logs-"); moto takes any ARN.
# --------------------------------------------------------------------------------------------------
WAF_LOG_PREFIX = "aws-waf-logs-"


def _waf_log_destination_name(arn):
    if ":log-group:" in arn:
        return arn.split(":log-group:", 1)[1].split(":", 1)[0]
    if arn.startswith("arn:") and ":s3:::" in arn:
        return arn.split(":s3:::", 1)[1].split("/", 1)[0]
    if ":deliverystream/" in arn:
        return arn.split(":deliverystream/", 1)[1]
    return ""


def _put_logging_configuration(original):
    @functools.wraps(original)
    def put_logging_configuration(self, arn, log_destination_configs, *args, **kwargs):
        for destination in log_destination_configs or []:
            if not _waf_log_destination_name(destination).startswith(WAF_LOG_PREFIX):
                raise RuleError("WAFInvalidParameterException",
                                "Error reason: The logging destination name must start with %s., field: LOG_DESTINATION,"
                                " parameter: %s" % (WAF_LOG_PREFIX, destination))
        return original(self, arn, log_destination_configs, *args, **kwargs)

    return put_logging_configuration


# --------------------------------------------------------------------------------------------------
# Time. IAM is eventually consistent (IAM User Guide, "Troubleshoot IAM": a new role may not be usable at
# once); a new load balancer is 'provisioning' for minutes and AWS WAF answers
# WAFUnavailableEntityException for it until it is active (AWS WAF API reference, AssociateWebACL:
# "it can take a few minutes for a newly created resource to become available for association"); the
# Resource Groups Tagging API is fed asynchronously and lags behind new resources and tags (its API
# reference: "data might not be up to date").
# --------------------------------------------------------------------------------------------------
def _stamped(original):
    """The object's creation time, for the timing rules (a role, a load balancer, a certificate)."""
    @functools.wraps(original)
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._endpoint_created = time.time()  # pylint: disable=protected-access

    return init


def _balancer_activate(original):
    @functools.wraps(original)
    def activate(self):
        created = getattr(self, "_endpoint_created", 0)
        if time.time() - created >= window("ENDPOINT_LB_PROVISIONING_SECONDS"):
            original(self)

    return activate


def _associate_web_acl(original):
    @functools.wraps(original)
    def associate_web_acl(self, web_acl_arn, resource_arn):
        if ":elasticloadbalancing:" in resource_arn:
            balancers = elbv2_models.elbv2_backends[self.account_id][self.region_name].load_balancers
            balancer = balancers.get(resource_arn)
            if balancer is not None:
                balancer.activate()
                if balancer.state != "active":
                    raise RuleError("WAFUnavailableEntityException",
                                    "AWS WAF couldn't retrieve the resource that you requested. Retry your request.")
        return original(self, web_acl_arn, resource_arn)

    return associate_web_acl


def _tagging_lags(original):
    @functools.wraps(original)
    def get_resources(self, *args, **kwargs):
        lag = window("ENDPOINT_TAGGING_LAG_SECONDS")
        certificates = acm_models.acm_backends[self.account_id][self.region_name]
        for resource in original(self, *args, **kwargs):
            if lag and ":acm:" in resource.arn:
                try:
                    created = getattr(certificates.get_certificate(resource.arn), "_endpoint_created", 0)
                except Exception:  # pylint: disable=broad-except
                    created = 0
                if time.time() - created < lag:
                    continue  # not indexed yet
            yield resource

    return get_resources


# --------------------------------------------------------------------------------------------------
# ECS deployments (Amazon ECS Developer Guide, "Deployment circuit breaker"): a new task definition starts
# a new PRIMARY deployment, IN_PROGRESS until its tasks run, then COMPLETED; when its tasks cannot start,
# the circuit breaker marks it FAILED and, with rollback on, starts a new PRIMARY deployment of the last
# completed task definition, which completes. moto keeps one deployment that never moves. Here a deployment
# completes after ENDPOINT_ECS_ROLLOUT_SECONDS, and an image whose tag starts with "endpoint-cannot-start"
# plays the task that cannot start.
# --------------------------------------------------------------------------------------------------
FAILING_TAG = "endpoint-cannot-start"
_DEPLOYMENTS = {}  # deployment id -> (started, previous task definition)


def _cannot_start(backend, task_definition):
    try:
        definition = backend.describe_task_definition(task_definition)
    except Exception:  # pylint: disable=broad-except
        return False
    return any((c.get("image") or "").rsplit(":", 1)[-1].startswith(FAILING_TAG) for c in definition.container_definitions)


def _deployment(service, task_definition, state="IN_PROGRESS", reason=None):
    now = ecs_models.utcnow()
    deployment_id = "ecs-svc/%d" % int(time.time() * 1000000)
    return {"id": deployment_id, "status": "PRIMARY", "taskDefinition": task_definition, "desiredCount": service.desired_count,
            "pendingCount": service.desired_count, "runningCount": 0, "failedTasks": 0, "createdAt": now, "updatedAt": now,
            "launchType": service.launch_type, "rolloutState": state,
            "rolloutStateReason": reason or "ECS deployment %s in progress." % deployment_id}


def _start_deployment(service, previous):
    for deployment in service.deployments:
        if deployment["status"] == "PRIMARY":
            deployment["status"] = "ACTIVE"
    new = _deployment(service, service.task_definition)
    _DEPLOYMENTS[new["id"]] = (time.time(), previous)
    service.deployments.insert(0, new)


def _advance(backend, service):
    """Move the service's deployments on as ECS would have by now."""
    for deployment in list(service.deployments):
        started, previous = _DEPLOYMENTS.get(deployment["id"], (None, None))
        if started is None or deployment["rolloutState"] != "IN_PROGRESS":
            continue
        if time.time() - started < window("ENDPOINT_ECS_ROLLOUT_SECONDS"):
            continue
        if _cannot_start(backend, deployment["taskDefinition"]):
            deployment.update(status="ACTIVE", rolloutState="FAILED", failedTasks=service.desired_count,
                              rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.")
            if previous:
                service.task_definition = previous
                back = _deployment(service, previous, "COMPLETED", "ECS deployment rolled back to %s and completed." % previous)
                back.update(runningCount=service.desired_count, pendingCount=0)
                service.deployments[:] = [back] + [d for d in service.deployments if d["rolloutState"] == "FAILED"]
        else:
            deployment.update(rolloutState="COMPLETED", runningCount=deployment["desiredCount"], pendingCount=0,
                              rolloutStateReason="ECS deployment %s completed." % deployment["id"])
            service.deployments[:] = [d for d in service.deployments if d is deployment or d["rolloutState"] == "FAILED"]


def _create_service(original):
    @functools.wraps(original)
    def create_service(self, *args, **kwargs):
        service = original(self, *args, **kwargs)
        if service.deployments and service.deployments[0].get("rolloutState") == "IN_PROGRESS":
            _DEPLOYMENTS[service.deployments[0]["id"]] = (time.time(), None)
        return service

    return create_service


def _update_service(original):
    @functools.wraps(original)
    def update_service(self, service_properties):
        cluster = service_properties.get("cluster", "default")
        name = service_properties["service"].split("/")[-1]
        before = self._get_service(cluster, name).task_definition  # pylint: disable=protected-access
        forced = service_properties.get("force_new_deployment")
        service = original(self, service_properties)
        if service.deployments and (service.task_definition != before or forced):
            completed = [d["taskDefinition"] for d in service.deployments if d.get("rolloutState") == "COMPLETED"]
            _start_deployment(service, completed[0] if completed else before)
        return service

    return update_service


def _describe_services(original):
    @functools.wraps(original)
    def describe_services(self, cluster_str, service_names_or_arns):
        result, failures = original(self, cluster_str, service_names_or_arns)
        for service in result:
            _advance(self, service)
        return result, failures

    return describe_services


# --------------------------------------------------------------------------------------------------
# IAM authorization (on once /moto-api/reset-auth sets the count of unauthenticated requests): moto names
# the action of a request <signing name>:<operation>, which is not always the action AWS authorizes it as
# (API Gateway authorizes HTTP methods, CloudWatch's signing name is monitoring, S3 Control's account
# public access block is s3:*AccountPublicAccessBlock). The action is taken from the Service
# Authorization Reference instead, as tools/iam_actions.py maps it for the deployer policy check.
# --------------------------------------------------------------------------------------------------
_REQUEST = threading.local()
# moto's service names that botocore spells otherwise.
BOTOCORE_NAMES = {"awslambda": "lambda"}


def _remember_service(original):
    @functools.wraps(original)
    def authorize(self, iam_request_cls, resource="*"):
        _REQUEST.service = BOTOCORE_NAMES.get(getattr(self, "service_name", None), getattr(self, "service_name", None))
        try:
            return original(self, iam_request_cls, resource)
        finally:
            _REQUEST.service = None

    return authorize


def _authorized_action(original):
    @functools.wraps(original)
    def init(self, account_id, method, path, data, body, headers, action):
        original(self, account_id, method, path, data, body, headers, action)
        if not body and method in ("GET", "HEAD", "DELETE"):
            # moto signs a request without a body over its parsed parameters (data=self._body or self._data),
            # so a signed GET of a REST-JSON service (GuardDuty's ListDetectors, Security Hub's DescribeHub)
            # never matches: SigV4 signs an empty payload (AWS General Reference, "Create a canonical request").
            self._data = {}  # pylint: disable=protected-access
        service = getattr(_REQUEST, "service", None)
        operation = action[0] if isinstance(action, list) else action
        if service and operation:
            try:
                import iam_actions  # pylint: disable=import-outside-toplevel,import-error
                mapped = iam_actions.action_of(service, operation)
            except Exception:  # pylint: disable=broad-except
                mapped = None
            if mapped:
                self._action = mapped  # pylint: disable=protected-access

    return init


# --------------------------------------------------------------------------------------------------
# Identity policies on resources and conditions. moto authorizes every request but S3's against the
# resource "*" and reads no condition, so a policy scoped to the environment's ARNs would be refused
# everything and one scoped wrongly would pass. AWS authorizes each action against the ARN of every
# resource type the Service Authorization Reference lists for it, with the condition keys of the
# request (IAM User Guide, "Policy evaluation logic"), and a call that hands a role to a service needs
# iam:PassRole on that role with iam:PassedToService ("Granting a user permissions to pass a role to an
# AWS service"). The endpoint does the same for the calls the platform makes: the ARN of each resource
# type is read from the request (an ARN it carries, or a name put into the type's ARN format); a name or
# id it cannot read stays a placeholder that only a wildcard matches.
# --------------------------------------------------------------------------------------------------
# Request fields that hold the name a resource type's ARN format asks for, by placeholder.
NAME_FIELDS = {
    "RoleNameWithPath": ("RoleName",),
    "LogGroupName": ("logGroupName", "logGroupIdentifier"),
    "SecretId": ("SecretId", "Name"),
    "TopicName": ("Name",),
    "RepositoryName": ("repositoryName",),
    "ClusterName": ("cluster", "clusterName"),
    "ServiceName": ("service", "serviceName", "services"),
    "TaskDefinitionFamilyName": ("family", "taskDefinition"),
    "DbClusterInstanceName": ("DBClusterIdentifier", "NewDBClusterIdentifier"),
    "DbInstanceName": ("DBInstanceIdentifier",),
    "SubnetGroupName": ("DBSubnetGroupName",),
    "ClusterSnapshotName": ("DBClusterSnapshotIdentifier", "TargetDBClusterSnapshotIdentifier",
                            "SourceDBClusterSnapshotIdentifier", "SnapshotIdentifier"),
    "ClusterParameterGroupName": ("DBClusterParameterGroupName",),
    "SubscriptionName": ("SubscriptionName",),
    "LoadBalancerName": ("Name",),
    "TargetGroupName": ("Name",),
    "AlarmName": ("AlarmName", "AlarmNames"),
    "DashboardName": ("DashboardName", "DashboardNames"),
    "RuleName": ("Name", "Rule"),
    "TrailName": ("Name", "TrailName"),
    "BudgetName": ("BudgetName",),
    "Alias": ("AliasName",),
    "Name": ("Name",),
    "Scope": ("Scope",),
    "BackupVaultName": ("BackupVaultName", "backupVaultName"),
    "FunctionName": ("FunctionName",),
}
# The service a call hands a role to (iam:PassedToService), by the field that carries the role.
PASSED_ROLE_FIELDS = {
    ("ecs", "taskRoleArn"): "ecs-tasks.amazonaws.com",
    ("ecs", "executionRoleArn"): "ecs-tasks.amazonaws.com",
    ("ec2", "DeliverLogsPermissionArn"): "vpc-flow-logs.amazonaws.com",
    ("cloudtrail", "CloudWatchLogsRoleArn"): "cloudtrail.amazonaws.com",
    ("rds", "MonitoringRoleArn"): "monitoring.rds.amazonaws.com",
    ("events", "RoleArn"): "events.amazonaws.com",
    ("backup", "IamRoleArn"): "backup.amazonaws.com",
    ("lambda", "Role"): "lambda.amazonaws.com",
}
UNRESOLVED = "(unread)"
# Calls that make the service's service-linked role when the account has none: the caller needs
# iam:CreateServiceLinkedRole on it, with iam:AWSServiceName (IAM User Guide, "Using service-linked roles";
# each service's guide names its role).
SERVICE_LINKED = {
    "elasticloadbalancing:CreateLoadBalancer": ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"),
    "ecs:CreateCluster": ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
    "rds:CreateDBCluster": ("rds.amazonaws.com", "AWSServiceRoleForRDS"),
    "elasticfilesystem:CreateFileSystem": ("elasticfilesystem.amazonaws.com", "AWSServiceRoleForAmazonElasticFileSystem"),
    "application-autoscaling:RegisterScalableTarget": ("ecs.application-autoscaling.amazonaws.com",
                                                       "AWSServiceRoleForApplicationAutoScaling_ECSService"),
    "inspector2:Enable": ("inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2"),
    "guardduty:CreateDetector": ("guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty"),
    "securityhub:EnableSecurityHub": ("securityhub.amazonaws.com", "AWSServiceRoleForSecurityHub"),
}
# EC2 names its resources by id: the id's prefix gives the resource type of its ARN.
EC2_ID_TYPES = {"vpc": "vpc", "subnet": "subnet", "rtb": "route-table", "igw": "internet-gateway", "nat": "natgateway",
                "eipalloc": "elastic-ip", "sg": "security-group", "sgr": "security-group-rule", "dopt": "dhcp-options",
                "vpce": "vpc-endpoint", "fl": "vpc-flow-log", "eni": "network-interface", "acl": "network-acl",
                "vpce-svc": "vpc-endpoint-service"}
EC2_ID = re.compile(r"^(vpce-svc|[a-z]+)-[0-9a-f]{8,17}$")


def _fields(data, body):
    """{field: [values]} of a request: query or form fields, then a JSON body's fields at any depth."""
    out = {}

    def add(key, value):
        if isinstance(value, dict):
            for k, v in value.items():
                add(k, v)
        elif isinstance(value, list):
            for v in value:
                add(key, v)
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            out.setdefault(key.split(".")[0], []).append(str(value))

    for key, value in (data or {}).items():
        add(key, value)
    if body:
        try:
            add("", json.loads(body))
        except (TypeError, ValueError):
            pass
    return out


def _last(value, marker):
    """A name from a field that may hold an ARN (arn:...:cluster/NAME) or a family:revision."""
    if value.startswith("arn:"):
        value = value.split(marker, 1)[-1] if marker in value else value.rsplit("/", 1)[-1]
    return value


def request_resources(action, fields, path, partition, account, region):
    """The ARNs AWS authorizes the action against, read from the request; ["*"] for an action of no resource type."""
    import iam_actions  # pylint: disable=import-outside-toplevel,import-error
    prefix, name = action.split(":", 1)
    privilege = iam_actions.database().get(prefix.lower(), {}).get(name.lower()) or {}
    types = {t: r for t, r in (privilege.get("resource_types") or {}).items() if t}
    if not types:
        return ["*"]
    formats = iam_actions.resource_formats().get(prefix.lower(), {})
    arns = sorted({v for values in fields.values() for v in values if v.startswith("arn:")})
    if prefix == "ec2":
        for value in sorted({v for values in fields.values() for v in values}):
            match = EC2_ID.match(value)
            if match and match.group(1) in EC2_ID_TYPES:
                arns.append("arn:%s:ec2:%s:%s:%s/%s" % (partition, region, account, EC2_ID_TYPES[match.group(1)], value))
            elif value.startswith("rtbassoc-"):  # an association: authorized on its route table and subnet
                from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel
                for table in ec2_backends[account][region].route_tables.values():
                    if value in table._associations:  # pylint: disable=protected-access
                        arns.append("arn:%s:ec2:%s:%s:route-table/%s" % (partition, region, account, table.id))
                        arns.append("arn:%s:ec2:%s:%s:subnet/%s" % (partition, region, account, table._associations[value]))  # pylint: disable=protected-access
    if action == "wafv2:GetWebACLForResource":  # authorized on the web ACL the resource is associated with
        for resource_arn in fields.get("ResourceArn", []):
            acl = wafv2_models.wafv2_backends[account][region].get_web_acl_for_resource(resource_arn)
            arns.append(acl.arn if acl else "*")
    if prefix == "backup":  # AWS Backup names the vault, the plan, the recovery point and a tagged ARN in the request's path
        parts = [urllib.parse.unquote(p) for p in path.split("?")[0].strip("/").split("/")]
        if len(parts) >= 2 and parts[0] in ("tags", "untag"):
            arns.append("/".join(parts[1:]))
        if len(parts) >= 2 and parts[0] == "backup-vaults":
            fields = dict(fields, BackupVaultName=[parts[1]])
            if len(parts) >= 4 and parts[2] == "recovery-points":
                arns.append(parts[3])
        if len(parts) >= 3 and parts[:2] == ["backup", "plans"]:
            arns.append("arn:%s:backup:%s:%s:backup-plan:%s" % (partition, region, account, parts[2]))
    if prefix == "lambda":  # Lambda names the function in the request's path (/2015-03-31/functions/NAME/...)
        parts = [urllib.parse.unquote(p) for p in path.split("?")[0].strip("/").split("/")]
        if len(parts) >= 3 and parts[1] == "functions":
            if parts[2].startswith("arn:"):
                arns.append(":".join(parts[2].split(":")[:7]))
            else:
                fields = dict(fields, FunctionName=[parts[2]])
        elif len(parts) >= 3 and parts[1] == "tags":
            arns.append(":".join(parts[2].split(":")[:7]))
    if prefix == "apigateway":  # API Gateway authorizes its HTTP methods on the resource path (/v2/apis/ID -> /apis/ID)
        return ["arn:%s:apigateway:%s::%s" % (partition, region, urllib.parse.unquote(path.split("?")[0]).replace("/v2/", "/", 1))]
    out = []
    for kind, resource in sorted(types.items()):
        arn_format = formats.get(kind)
        if not arn_format:
            continue
        regex = iam_actions._arn_regex(arn_format)  # pylint: disable=protected-access
        carried = [a for a in arns if regex.match(a)]
        if "*" in arns and kind == "webacl":
            carried = carried or ["*"]
        if carried:
            out += [a for a in carried if a not in out]
            continue
        values = {"Partition": partition, "Account": account, "Region": region}
        for placeholder in set(re.findall(r"\$\{([^}]+)\}", arn_format)) - set(values):
            found = [v for f in NAME_FIELDS.get(placeholder, ()) for v in fields.get(f, [])]
            value = found[0] if found else UNRESOLVED
            if placeholder == "ClusterName":
                value = _last(value, "cluster/")
            elif placeholder == "ServiceName":
                value = _last(value, "/")
            elif placeholder == "TaskDefinitionFamilyName":
                value = _last(value, "task-definition/").split(":")[0]
            elif placeholder == "Scope":
                value = value.lower()
            elif placeholder == "Alias":
                value = value[len("alias/"):] if value.startswith("alias/") else value
            values[placeholder] = value
        names = [k for k in values if k not in ("Partition", "Account", "Region") and not k.endswith(("Id", "Number"))]
        if any(values[k] == UNRESOLVED for k in names) or (not names and not resource.get("required")):
            # A type the request does not name (DeleteDBCluster's final snapshot when there is none, a listing's
            # optional types): not authorized on; an id AWS has yet to give (a new VPC) is read as any id.
            continue
        if prefix == "elasticloadbalancing" and kind.startswith("loadbalancer/"):  # its type says which ARN it gets
            wanted = {"application": "app", "network": "net", "gateway": "gwy"}.get((fields.get("Type") or ["application"])[0])
            if kind.split("/")[1] != wanted:
                continue
        out.append(re.sub(r"\$\{([^}]+)\}", lambda m, v=values: v.get(m.group(1), UNRESOLVED), arn_format))
    return out or ["*"]


def _documents(access_key):
    out = []
    for policy in access_key.collect_policies():
        if isinstance(policy, iam_models.Policy):
            policy = next(v.document for v in policy.versions if v.is_default)
        elif isinstance(policy, dict):
            policy = policy["policy_document"]
        out.append(json.loads(policy) if isinstance(policy, str) else policy)
    return out


def identity_allows(documents, action, resource, context):
    """Identity-based policies only (IAM User Guide, "Policy evaluation logic"): an explicit Deny wins, then any Allow."""
    statements = [s for doc in documents for s in _as_list(doc.get("Statement"))]
    if any(s.get("Effect") == "Deny" and _statement_matches(s, None, action, resource, context) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and _statement_matches(s, None, action, resource, context) for s in statements)


def request_context(iam_backend, action, fields, where=None):
    """The condition keys of an IAM request the platform's policies read: iam:PermissionsBoundary (the request's, or
    the role's own when the request changes a role), iam:PolicyARN, and ecs:cluster (the ARN of the cluster an ECS
    request names; Service Authorization Reference, Amazon ECS: RunTask, StartTask, ... take it). where: (partition,
    account, region)."""
    context = {}
    if action.startswith("ecs:") and fields.get("cluster") and where:
        cluster = fields["cluster"][0]
        context["ecs:cluster"] = cluster if cluster.startswith("arn:") else "arn:%s:ecs:%s:%s:cluster/%s" % (
            where[0], where[2], where[1], cluster)
    if action.startswith("iam:"):
        if fields.get("PermissionsBoundary"):
            context["iam:PermissionsBoundary"] = fields["PermissionsBoundary"][0]
        elif fields.get("RoleName") and action != "iam:CreateRole":
            try:
                boundary = iam_backend.get_role(fields["RoleName"][0]).permissions_boundary_arn
            except Exception:  # pylint: disable=broad-except
                boundary = None
            if boundary:
                context["iam:PermissionsBoundary"] = boundary
        if fields.get("PolicyArn"):
            context["iam:PolicyARN"] = fields["PolicyArn"][0]
    return context


def multi_delete_objects(service, method, path, body):
    """The (key, version id) pairs of an S3 DeleteObjects request (POST /<bucket>?delete), or None for another request."""
    if service != "s3" or (method or "").upper() != "POST" or "delete" not in urllib.parse.parse_qs(
            urllib.parse.urlsplit(path or "").query, keep_blank_values=True):
        return None
    from xml.etree import ElementTree  # pylint: disable=import-outside-toplevel
    root = ElementTree.fromstring(body or b"<Delete/>")
    found = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Object":
            values = {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in element}
            found.append((values.get("Key", ""), values.get("VersionId") or None))
    return found


def _authorize_resources(original):
    @functools.wraps(original)
    def check(self, resource):
        if self._action == "sts:GetCallerIdentity":  # pylint: disable=protected-access
            return None
        # pylint: disable=protected-access
        account, region = self.account_id, self._region
        partition = _partition(region)
        fields = _fields(self._data, self._body)
        documents = _documents(self._access_key)
        service = getattr(_REQUEST, "service", None)
        if service == "s3":
            resources = [resource]
        else:
            resources = request_resources(self._action, fields, self._path or "", partition, account, region)
        context = request_context(self.backend, self._action, fields, (partition, account, region))
        needed = [(self._action, arn, context) for arn in resources]
        deleted = multi_delete_objects(service, self._method, self._path, self._body)
        if deleted is not None:
            # DeleteObjects is authorized per object: s3:DeleteObject, or s3:DeleteObjectVersion for a version (Amazon
            # S3 API Reference, DeleteObjects: "Permissions"); moto names only the bucket.
            needed = [("s3:DeleteObjectVersion" if version else "s3:DeleteObject", "%s/%s" % (resource, key), context)
                      for key, version in deleted]
        for (prefix, field), passed_to in PASSED_ROLE_FIELDS.items():
            if prefix == service:
                needed += [("iam:PassRole", arn, {"iam:PassedToService": passed_to}) for arn in fields.get(field, [])
                           if arn.startswith("arn:")]
        linked = SERVICE_LINKED.get(self._action)
        if self._action == "apigateway:POST" and (self._path or "").rstrip("/").endswith("/vpclinks"):
            linked = ("ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway")
        if linked and not any(r.path == "/aws-service-role/%s/" % linked[0] for r in self.backend.roles.values()):
            needed.append(("iam:CreateServiceLinkedRole", "arn:%s:iam::%s:role/aws-service-role/%s/%s" % (partition, account, *linked),
                           {"iam:AWSServiceName": linked[0]}))
        for action, arn, ctx in needed:
            if not identity_allows(documents, action, arn, ctx):
                print("endpoint: access denied: %s on %s (%s %s)" % (action, arn, self._method, self._path), file=sys.stderr, flush=True)
                self._raise_access_denied()
        if linked and not any(r.path == "/aws-service-role/%s/" % linked[0] for r in self.backend.roles.values()):
            self.backend.create_service_linked_role(service_name=linked[0], description="", suffix="")
        return None

    return check


def install():
    """Load every rule into moto (idempotent)."""
    if getattr(cloudtrail_models, "_endpoint_rules", False):
        return
    cloudtrail_models._endpoint_rules = True  # pylint: disable=protected-access
    backend = cloudtrail_models.CloudTrailBackend
    backend.create_trail = _trail_rule(backend.create_trail, "name")
    backend.update_trail = _trail_rule(backend.update_trail, "name")
    logs_models.LogsBackend.create_log_group = _create_log_group(logs_models.LogsBackend.create_log_group)
    events_models.EventsBackend.put_targets = _put_targets(events_models.EventsBackend.put_targets)
    cloudwatch_models.CloudWatchBackend.put_metric_alarm = _put_metric_alarm(cloudwatch_models.CloudWatchBackend.put_metric_alarm)
    budgets_models.BudgetsBackend.create_budget = _create_budget(budgets_models.BudgetsBackend.create_budget)
    budgets_models.BudgetsBackend.create_notification = _create_notification(budgets_models.BudgetsBackend.create_notification)
    s3_models.FakeBucket.get_permission = _bucket_permission(s3_models.FakeBucket.get_permission)
    rds_models.RDSBackend.create_event_subscription = _create_event_subscription(rds_models.RDSBackend.create_event_subscription)
    rds_models.RDSBackend.create_db_cluster = _exports_make_groups(rds_models.RDSBackend.create_db_cluster)
    rds_models.RDSBackend.modify_db_cluster = _exports_make_groups(rds_models.RDSBackend.modify_db_cluster)
    rds = rds_models.RDSBackend
    rds.create_db_cluster = _cluster_parameter_group_rule(rds.create_db_cluster, creating=True)
    rds.modify_db_cluster = _cluster_parameter_group_rule(rds.modify_db_cluster, creating=False)
    rds.delete_db_cluster_parameter_group = _delete_cluster_parameter_group(rds.delete_db_cluster_parameter_group)
    lambda_models.LambdaBackend.create_function = _create_function(lambda_models.LambdaBackend.create_function)
    lambda_models.LambdaBackend.update_function_configuration = _update_function_configuration(
        lambda_models.LambdaBackend.update_function_configuration)
    iam_models.Role.__init__ = _stamped(iam_models.Role.__init__)
    elbv2_models.FakeLoadBalancer.__init__ = _stamped(elbv2_models.FakeLoadBalancer.__init__)
    elbv2_models.FakeLoadBalancer.activate = _balancer_activate(elbv2_models.FakeLoadBalancer.activate)
    backend = elbv2_models.ELBv2Backend
    backend.modify_load_balancer_attributes = _modify_lb_attributes(backend.modify_load_balancer_attributes)
    wafv2_models.WAFV2Backend.associate_web_acl = _associate_web_acl(wafv2_models.WAFV2Backend.associate_web_acl)
    wafv2_models.WAFV2Backend.put_logging_configuration = _put_logging_configuration(wafv2_models.WAFV2Backend.put_logging_configuration)
    acm_models.CertBundle.__init__ = _stamped(acm_models.CertBundle.__init__)
    ecs = ecs_models.EC2ContainerServiceBackend
    ecs.create_service = _create_service(ecs.create_service)
    ecs.update_service = _update_service(ecs.update_service)
    ecs.describe_services = _describe_services(ecs.describe_services)
    mixin = moto_authorization.ActionAuthenticatorMixin
    mixin._authenticate_and_authorize_action = _remember_service(mixin._authenticate_and_authorize_action)  # pylint: disable=protected-access
    iam_access_control.IAMRequestBase.__init__ = _authorized_action(iam_access_control.IAMRequestBase.__init__)
    iam_access_control.IAMRequestBase.check_action_permitted = _authorize_resources(iam_access_control.IAMRequestBase.check_action_permitted)
    tagging = tagging_models.ResourceGroupsTaggingAPIBackend
    tagging._get_resources_generator = _tagging_lags(tagging._get_resources_generator)  # pylint: disable=protected-access
