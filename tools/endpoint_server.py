#!/usr/bin/env python
"""moto's server with corrections where moto departs from AWS, each naming the AWS behaviour it restores.

tools/endpoint.py starts the embedded endpoint through this file, and the unit tests import it so
that in-process moto answers as the endpoint does. A correction belongs here only when the
platform's code does what AWS documents and moto does something else; it never makes the
endpoint more lenient than AWS.
"""

import json
import sys
import time
import urllib.parse

from moto.acm import models as acm_models
from moto.apigatewayv2 import responses as apigatewayv2_responses
from moto.applicationautoscaling import models as applicationautoscaling_models
from moto.backup import exceptions as backup_exceptions
from moto.backup import models as backup_models
from moto.backup import responses as backup_responses
from moto.backup import urls as backup_urls
from moto.moto_api._internal import mock_random as moto_random
from moto.core.responses import ActionResult
from moto.cloudtrail import models as cloudtrail_models
from moto.cloudtrail import responses as cloudtrail_responses
from moto.ec2 import exceptions as ec2_exceptions
from moto.ec2 import models as ec2_models
from moto.ec2.responses import network_acls as ec2_network_acl_responses
from moto.ecs import models as ecs_models
from moto.guardduty import models as guardduty_models
from moto.guardduty import responses as guardduty_responses
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import ECSException
from moto.logs import exceptions as logs_exceptions
from moto.logs import responses as logs_responses
from moto.rds import models as rds_models
from moto.rds import responses as rds_responses
from moto.core.exceptions import JsonRESTError
from moto.server import main
from moto.route53 import models as route53_models
from moto.servicediscovery import models as servicediscovery_models
from moto.utilities.utils import get_partition
from moto.wafv2 import exceptions as wafv2_exceptions
from moto.wafv2 import responses as wafv2_responses

import endpoint_lambda  # pylint: disable=wrong-import-order
import endpoint_rules  # pylint: disable=wrong-import-order


def _trail_by_name_or_arn(original):
    """DeleteTrail takes the trail's name or its ARN (AWS API reference); moto ignores an ARN
    silently, so amazon.aws.cloudtrail (which deletes by ARN) would leave the trail behind."""

    def delete_trail(self, name):
        for key, trail in list(self.trails.items()):
            if trail.arn == name:
                name = key
        return original(self, name)

    return delete_trail


def _describe_named_trails(original):
    """DescribeTrails with trailNameList describes those trails only, each named by its name or its ARN (AWS CloudTrail
    API Reference, DescribeTrails); moto answered every trail of the account, so amazon.aws.cloudtrail took another
    environment's trail for its own and then failed to update it (TrailNotFoundException)."""

    def describe_trails(self):
        answer = original(self)
        wanted = self._get_param("trailNameList") or []  # pylint: disable=protected-access
        if not wanted:
            return answer
        trails = json.loads(answer)["trailList"]
        return json.dumps({"trailList": [t for t in trails if t.get("Name") in wanted or t.get("TrailARN") in wanted]})

    return describe_trails


def _associate_kms_key(self):
    """AssociateKmsKey / DisassociateKmsKey of CloudWatch Logs (AWS API reference): moto has neither,
    so a log group whose key was taken off could not be keyed again (the platform's log_groups module
    does it; verify.yml reports a group without the key). Same errors as AWS for a missing group, and
    the key is checked as CloudWatch Logs checks it (endpoint_rules.check_log_group_key): a symmetric
    key's ARN whose policy lets the service use it for this group."""
    name = self._get_param("logGroupName")
    if name not in self.logs_backend.groups:
        raise logs_exceptions.ResourceNotFoundException("The specified log group does not exist.")
    key = self._get_param("kmsKeyId")
    endpoint_rules.check_log_group_key(self.logs_backend.account_id, self.logs_backend.region_name, name, key)
    self.logs_backend.groups[name].kms_key_id = key
    return ""


def _disassociate_kms_key(self):
    """DisassociateKmsKey (AWS API reference): the group's key is taken off."""
    name = self._get_param("logGroupName")
    if name not in self.logs_backend.groups:
        raise logs_exceptions.ResourceNotFoundException("The specified log group does not exist.")
    self.logs_backend.groups[name].kms_key_id = None
    return ""


def _get_authorizers(self):
    """GetAuthorizers of API Gateway v2 (AWS API reference): moto has GetAuthorizer but not the
    listing, and answers 500. The http_api module lists authorizers to adopt one whose create
    answer was lost. Same error as AWS for a missing API; pages of maxResults items, the next one
    named by nextToken (absent on the last page), as the reference documents."""
    api_id = self.path.split("/")[-2]
    api = self.apigatewayv2_backend.get_api(api_id)  # NotFoundException as AWS
    items = [a.to_json() for a in api.authorizers.values()]
    start = int((self.querystring.get("nextToken") or ["0"])[0])
    size = int((self.querystring.get("maxResults") or [str(len(items) or 1)])[0])
    page = {"items": items[start:start + size]}
    if start + size < len(items):
        page["nextToken"] = str(start + size)
    return 200, {}, json.dumps(page)


def _subscription(self):
    return self.backend.describe_event_subscriptions(self.params.get("SubscriptionName"))[0]  # SubscriptionNotFound as AWS


def _modify_event_subscription(self):
    """ModifyEventSubscription of RDS (AWS API reference): moto has no such call. The topic, source type, categories
    and switch of a subscription change; its sources do not (AddSourceIdentifierToSubscription). The new topic is
    checked as CreateEventSubscription checks it (endpoint_rules.check_rds_subscription)."""
    subscription = _subscription(self)
    source_type = self.params.get("SourceType") or subscription.source_type
    endpoint_rules.check_rds_subscription(self.backend, source_type, subscription.source_ids, self.params.get("SnsTopicArn"))
    subscription.source_type = source_type
    subscription.sns_topic_arn = self.params.get("SnsTopicArn") or subscription.sns_topic_arn
    if self.params.get("EventCategories") is not None:
        subscription.event_categories = list(self.params.get("EventCategories"))
    if self.params.get("Enabled") is not None:
        subscription.enabled = self.params.get("Enabled")
    return ActionResult({"EventSubscription": subscription})


def _add_source_identifier(self):
    """AddSourceIdentifierToSubscription of RDS (AWS API reference): moto has no such call. A source that does not
    exist is refused (SourceNotFound), and the topic must accept the new source's events as at create."""
    subscription = _subscription(self)
    source = self.params.get("SourceIdentifier")
    endpoint_rules.check_rds_subscription(self.backend, subscription.source_type, [source], subscription.sns_topic_arn)
    if source not in subscription.source_ids:
        subscription.source_ids = list(subscription.source_ids) + [source]
    return ActionResult({"EventSubscription": subscription})


def _remove_source_identifier(self):
    """RemoveSourceIdentifierFromSubscription of RDS (AWS API reference): moto has no such call. A source the
    subscription does not have is refused (SourceNotFound), as AWS does."""
    subscription = _subscription(self)
    source = self.params.get("SourceIdentifier")
    if source not in subscription.source_ids:
        raise endpoint_rules.rds_exceptions.RDSClientError("SourceNotFound", "Source %s is not in subscription %s." % (
            source, subscription.subscription_name))
    subscription.source_ids = [s for s in subscription.source_ids if s != source]
    return ActionResult({"EventSubscription": subscription})


# --------------------------------------------------------------------------------------------------
# AWS Backup (AWS Backup Developer Guide, API reference). moto has plans and vaults but no resource
# assignments (selections), no UpdateBackupPlan, no backup jobs or recovery points. They are added from
# moto's own state, with AWS's refusals: a plan is deleted only once its selections are (DeleteBackupPlan),
# a vault only when it holds no recovery point (DeleteBackupVault: "A vault can be deleted only if it is
# empty"). moto also refused the name of a deleted plan to a new one; only live plans hold their names.
# StartBackupJob makes its recovery point at once (AWS makes it when the job completes).
# --------------------------------------------------------------------------------------------------
def _backup_state(backend):
    if not hasattr(backend, "_endpoint_selections"):
        backend._endpoint_selections = {}  # plan id -> {selection id: record}  # pylint: disable=protected-access
        backend._endpoint_points = {}  # vault name -> {recovery point ARN: record}  # pylint: disable=protected-access
    return backend._endpoint_selections, backend._endpoint_points  # pylint: disable=protected-access


def _live_plan(backend, plan_id):
    plan = backend.plans.get(plan_id)
    if plan is None or plan.deletion_date is not None:
        raise backup_exceptions.ResourceNotFoundException(msg="Failed reading Backup plan with provided version")
    return plan


def _create_backup_plan(original):
    def create_backup_plan(self, backup_plan, backup_plan_tags, creator_request_id):
        name = backup_plan["BackupPlanName"]
        if any(p.backup_plan["BackupPlanName"] == name and p.deletion_date is None for p in self.plans.values()):
            raise backup_exceptions.AlreadyExistsException(msg="Backup plan with the same plan document already exists")
        deleted = {k: p for k, p in self.plans.items() if p.backup_plan["BackupPlanName"] == name}
        for key in deleted:
            del self.plans[key]
        try:
            return original(self, backup_plan, backup_plan_tags, creator_request_id)
        finally:
            self.plans.update(deleted)

    return create_backup_plan


def _update_backup_plan(self):
    plan = _live_plan(self.backup_backend, self.uri_match["backupPlanId"])
    body = json.loads(self.body)
    plan.backup_plan = body["BackupPlan"]
    plan.version_id = moto_random.get_random_string(length=48)
    return json.dumps({"BackupPlanId": plan.backup_plan_id, "BackupPlanArn": plan.backup_plan_arn,
                       "CreationDate": plan.creation_date, "VersionId": plan.version_id})


def _delete_backup_plan(original):
    def delete_backup_plan(self, backup_plan_id):
        if _backup_state(self)[0].get(backup_plan_id):
            raise backup_exceptions.InvalidRequestException(msg="Related backup plan selections must be deleted prior to backup plan deletion")
        return original(self, backup_plan_id)

    return delete_backup_plan


def _create_backup_selection(self):
    plan = _live_plan(self.backup_backend, self.uri_match["backupPlanId"])
    body = json.loads(self.body)
    selections = _backup_state(self.backup_backend)[0].setdefault(plan.backup_plan_id, {})
    selection_id = str(moto_random.uuid4())
    selections[selection_id] = {"SelectionId": selection_id, "BackupPlanId": plan.backup_plan_id, "CreationDate": time.time(),
                                "CreatorRequestId": body.get("CreatorRequestId"), "BackupSelection": body["BackupSelection"]}
    return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan.backup_plan_id, "CreationDate": selections[selection_id]["CreationDate"]})


def _selection(self):
    plan = _live_plan(self.backup_backend, self.uri_match["backupPlanId"])
    selection = _backup_state(self.backup_backend)[0].get(plan.backup_plan_id, {}).get(self.uri_match["selectionId"])
    if selection is None:
        raise backup_exceptions.ResourceNotFoundException(msg="Failed reading backup selection")
    return plan, selection


def _get_backup_selection(self):
    return json.dumps({k: v for k, v in _selection(self)[1].items() if v is not None})


def _delete_backup_selection(self):
    plan, selection = _selection(self)
    del _backup_state(self.backup_backend)[0][plan.backup_plan_id][selection["SelectionId"]]
    return "{}"


def _list_backup_selections(self):
    plan = _live_plan(self.backup_backend, self.uri_match["backupPlanId"])
    listed = [{"SelectionId": s["SelectionId"], "SelectionName": s["BackupSelection"]["SelectionName"], "BackupPlanId": s["BackupPlanId"],
               "CreationDate": s["CreationDate"], "IamRoleArn": s["BackupSelection"]["IamRoleArn"]}
              for s in _backup_state(self.backup_backend)[0].get(plan.backup_plan_id, {}).values()]
    return json.dumps({"BackupSelectionsList": listed})


def _vault(backend, name):
    vault = backend.vaults.get(name)
    if vault is None:
        raise backup_exceptions.ResourceNotFoundException(msg="Backup vault %s does not exist" % name)
    return vault


def _start_backup_job(self):
    backend = self.backup_backend
    body = json.loads(self.body)
    vault = _vault(backend, body["BackupVaultName"])
    job_id = str(moto_random.uuid4()).upper()
    resource = body["ResourceArn"]
    service = resource.split(":")[2]
    if service == "rds":
        point = "arn:%s:rds:%s:%s:cluster-snapshot:awsbackup:job-%s" % (resource.split(":")[1], backend.region_name, backend.account_id, job_id.lower())
    else:
        point = "arn:%s:backup:%s:%s:recovery-point:%s" % (resource.split(":")[1], backend.region_name, backend.account_id, job_id)
    now = time.time()
    _backup_state(backend)[1].setdefault(vault.backup_vault_name, {})[point] = {
        "RecoveryPointArn": point, "BackupVaultName": vault.backup_vault_name, "BackupVaultArn": vault.backup_vault_arn,
        "ResourceArn": resource, "ResourceType": {"rds": "Aurora", "elasticfilesystem": "EFS"}.get(service, service),
        "IamRoleArn": body["IamRoleArn"], "Status": "COMPLETED", "CreationDate": now, "CompletionDate": now,
        "EncryptionKeyArn": vault.encryption_key_arn, "IsEncrypted": True}
    vault.num_of_recovery_points = len(_backup_state(backend)[1][vault.backup_vault_name])
    return json.dumps({"BackupJobId": job_id, "RecoveryPointArn": point, "CreationDate": now})


def _list_recovery_points(self):
    vault = _vault(self.backup_backend, self.uri_match["backupVaultName"])
    return json.dumps({"RecoveryPoints": list(_backup_state(self.backup_backend)[1].get(vault.backup_vault_name, {}).values())})


def _delete_recovery_point(self):
    vault = _vault(self.backup_backend, self.uri_match["backupVaultName"])
    points = _backup_state(self.backup_backend)[1].get(vault.backup_vault_name, {})
    arn = urllib.parse.unquote(self.uri_match["recoveryPointArn"])
    if arn not in points:
        raise backup_exceptions.ResourceNotFoundException(msg="Recovery point %s not found" % arn)
    del points[arn]
    vault.num_of_recovery_points = len(points)
    return "{}"


def _delete_backup_vault(original):
    def delete_backup_vault(self, backup_vault_name):
        _vault(self, backup_vault_name)
        if _backup_state(self)[1].get(backup_vault_name):
            raise backup_exceptions.InvalidRequestException(msg="Backup vault cannot be deleted because it contains recovery points")
        return original(self, backup_vault_name)

    return delete_backup_vault


# RunTask's clientToken: AWS starts one task per token in a cluster for 24 hours, answers a retry with the same parameters
# with the first call's tasks, and refuses the token with other parameters (ConflictException) (Amazon ECS API Reference,
# "Ensuring idempotency"). moto ignores the token and starts a task per call.
_RUN_TASK_TOKEN_SECONDS = 24 * 3600


def _run_task(original):
    def run_task(self):
        token = self._get_param("clientToken")
        if not token:
            return original(self)
        cluster = self._get_param("cluster", "default").split("/")[-1]
        tokens = self.ecs_backend.__dict__.setdefault("_run_task_tokens", {})  # reset with the backend
        key = (cluster, token)
        asked = json.dumps({k: v for k, v in self._get_params().items() if k != "clientToken"}, sort_keys=True, default=str)
        seen = tokens.get(key)
        if seen and time.time() - seen[0] < _RUN_TASK_TOKEN_SECONDS:
            if seen[1] != asked:
                raise ECSException("ConflictException", "The client token %s was used before with other parameters" % token)
            return ActionResult({"tasks": self.ecs_backend.describe_tasks(cluster, seen[2]), "failures": []})
        answer = original(self)
        tasks = answer.result.get("tasks") or []
        tokens[key] = (time.time(), asked, [t.task_arn for t in tasks])
        return answer

    return run_task


# A service keeps what CreateService was given and DescribeServices reports it (Amazon ECS API Reference, CreateService,
# DescribeServices): its deploymentConfiguration (DeploymentConfiguration: maximumPercent 200 and minimumHealthyPercent 100
# for a replica service when not given; the circuit breaker off), its capacity provider strategy and its health check
# grace period. moto dropped the three.
_DEFAULT_DEPLOYMENT = {"maximumPercent": 200, "minimumHealthyPercent": 100, "deploymentCircuitBreaker": {"enable": False, "rollback": False}}


def _create_service_keeps_its_settings(original):
    def create_service(self):
        answer = original(self)
        service = answer.result["service"]
        given = self._get_param("deploymentConfiguration") or {}
        service.deployment_configuration = dict(_DEFAULT_DEPLOYMENT, **given)
        if self._get_param("capacityProviderStrategy"):
            service.capacity_provider_strategy = self._get_param("capacityProviderStrategy")
            service.launch_type = None  # one or the other (CreateService: launchType)
        if self._get_param("healthCheckGracePeriodSeconds") is not None:
            service.health_check_grace_period_seconds = self._get_int_param("healthCheckGracePeriodSeconds")
        return answer

    return create_service


# A Fargate task definition may size memory for the task only (Amazon ECS Developer Guide, "Task definition parameters":
# container memory is optional when the task sets it). moto's RunTask adds up the containers' memory and fails (500) on
# one without: it is counted from the task's.
def _task_resource_requirements(original):
    def requirements(task_definition):
        containers = task_definition.container_definitions
        if any(not (c.get("memory") or c.get("memoryReservation") or c.get("Memory") or c.get("MemoryReservation"))
               for c in containers) and task_definition.memory:
            share = int(task_definition.memory) // max(len(containers), 1)
            for container in containers:
                container.setdefault("memoryReservation", share)
            try:
                return original(task_definition)
            finally:
                for container in containers:
                    if container.get("memoryReservation") == share:
                        del container["memoryReservation"]
        return original(task_definition)

    return staticmethod(requirements)


# A Fargate task's network interface is deleted when the task stops (Amazon ECS Developer Guide, "Amazon ECS task
# networking options for Fargate": the ENI is detached and deleted). moto keeps it for ever, so that the task's security
# group and subnet could never be deleted.
def _task_last_status(original):
    def last_status(self):
        status = original.fget(self)
        if status == "STOPPED":
            for attachment in getattr(self, "attachments", []):
                if attachment.get("type") == "ElasticNetworkInterface" and attachment.get("status") != "DELETED":
                    eni = next((d["value"] for d in attachment.get("details", []) if d["name"] == "networkInterfaceId"), None)
                    backend = ec2_models.ec2_backends[self._account_id][self.region_name]  # pylint: disable=protected-access
                    if eni and eni in backend.enis:
                        backend.delete_network_interface(eni)
                    attachment["status"] = "DELETED"
        return status

    return property(last_status, original.fset)


# ListTaskDefinitions sorts by family and revision, ASC unless sort=DESC, and pages by maxResults and nextToken (Amazon ECS
# API Reference, ListTaskDefinitions). moto ignores all three: sort=DESC with maxResults=1, how a client finds a family's
# latest revision, answered the oldest.
def _list_task_definitions(self):
    def revision_key(arn):
        family, dummy, revision = arn.rsplit("/", 1)[-1].rpartition(":")
        return family, int(revision)

    arns = sorted(self.ecs_backend.list_task_definitions(self._get_param("familyPrefix"), self._get_param("status", "ACTIVE")),
                  key=revision_key, reverse=self._get_param("sort", "ASC") == "DESC")
    start = int(self._get_param("nextToken") or 0)
    size = int(self._get_param("maxResults") or 100)
    answer = {"taskDefinitionArns": arns[start:start + size]}
    if start + size < len(arns):
        answer["nextToken"] = str(start + size)
    return ActionResult(answer)


# Amazon EC2 API Reference, CreateNetworkAclEntry and ReplaceNetworkAclEntry: IcmpTypeCode (sent as Icmp.Type and
# Icmp.Code) is required with protocol 1, and DescribeNetworkAcls answers it. moto looks the two up under their wire names,
# which its request parser no longer keeps, so every ICMP rule lost its type and code.
def _network_acl_icmp(original):
    def call(self):
        icmp = self._get_param("IcmpTypeCode") or {}
        get = self._get_param
        self._get_param = lambda name, *args, **kwargs: (  # pylint: disable=protected-access
            icmp.get(name.split(".", 1)[1]) if name in ("Icmp.Type", "Icmp.Code") else get(name, *args, **kwargs))
        try:
            return original(self)
        finally:
            del self._get_param
    return call


# Amazon RDS User Guide and Amazon Aurora User Guide, "Password management with ... AWS Secrets Manager": "RDS manages the
# settings for the secret and rotates the secret every seven days by default." moto made the secret with rotation off,
# so DescribeSecret said the RDS-managed master was never rotated.
def _master_secret_rotates(original):
    def create_secret(self, kms_key_id):
        secret = original(self, kms_key_id)
        secret.rotation_requested = secret.rotation_enabled = True
        secret.auto_rotate_after_days = 7
        return secret
    return create_secret


# AWS WAF API Reference, ListResourcesForWebACL: the ARNs of the resources of one type (ResourceType, by default
# APPLICATION_LOAD_BALANCER) associated with a web ACL; WAFNonexistentItemException for a web ACL that does not exist.
# moto does not implement it (500), so a scanner reading the associations found none.
WAF_RESOURCE_TYPES = {"APPLICATION_LOAD_BALANCER": ":loadbalancer/app/", "API_GATEWAY": "/restapis/", "COGNITO_USER_POOL": ":userpool/",
                      "APP_RUNNER_SERVICE": ":service/", "VERIFIED_ACCESS_INSTANCE": ":verified-access-instance/",
                      "AMPLIFY": ":apps/"}


def _list_resources_for_web_acl(self):
    body = json.loads(self.body)
    acl = self.wafv2_backend.wacls.get(body.get("WebACLArn"))
    if acl is None:
        raise wafv2_exceptions.WAFNonexistentItemException()
    marker = WAF_RESOURCE_TYPES.get(body.get("ResourceType") or "APPLICATION_LOAD_BALANCER", "\0")
    arns = [arn for arn in acl.associated_resources if marker in arn]
    return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})


# Amazon GuardDuty API Reference, GetAdministratorAccount: the answer is {"administrator": {"accountId", "relationshipStatus",
# ...}} on the wire (REST-JSON, camelCase). moto wrote "Administrator"/"AccountId", which the SDKs drop, so a member account
# read as one that no administrator manages.
def _guardduty_administrator(self):
    found = self.guardduty_backend.get_administrator_account(self.path.split("/")[-2]).get("Administrator")
    answer = {"administrator": {"accountId": found["AccountId"], "relationshipStatus": found.get("RelationshipStatus")}} if found else {}
    return json.dumps(answer)


# Amazon GuardDuty User Guide, "Feature names for protection plans in GuardDuty API": the protection plans configured as
# features since March 2023 are still reported through the older dataSources, S3 Protection (S3_DATA_EVENTS) as s3Logs
# and EKS Audit Log Monitoring (EKS_AUDIT_LOGS) as kubernetes.auditLogs. moto reported only what dataSources set.
def _detector_json(original):
    def to_json(self):
        out = original(self)
        features = {f.get("name") or f.get("Name"): f.get("status") or f.get("Status") for f in self.features or []}
        if features.get("S3_DATA_EVENTS") == "ENABLED":
            out["dataSources"]["s3Logs"] = {"status": "ENABLED"}
        if features.get("EKS_AUDIT_LOGS") == "ENABLED":
            out["dataSources"]["kubernetes"] = {"auditLogs": {"status": "ENABLED"}}
        return out
    return to_json


# Amazon RDS API Reference, CreateDBInstance / ModifyDBInstance and the DBInstance data type: EnablePerformanceInsights,
# PerformanceInsightsKMSKeyId (the key's ARN is reported) and PerformanceInsightsRetentionPeriod (7 days unless given) are
# kept and described. moto dropped all three, so an instance with Performance Insights read as one without.
def _pi_key_arn(instance, key):
    if not key or key.startswith("arn:"):
        return key
    try:
        return instance.backend.kms.describe_key(key).arn
    except Exception:  # pylint: disable=broad-except
        return key


def _pi_init(original):
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.enable_performance_insights = kwargs.get("enable_performance_insights")
        self._pi_key = _pi_key_arn(self, kwargs.get("performance_insights_kms_key_id"))
        self._pi_retention = kwargs.get("performance_insights_retention_period")
    return init


# Amazon RDS API Reference, DBInstance data type: EnhancedMonitoringResourceArn, the CloudWatch Logs stream that receives
# an instance's Enhanced Monitoring metrics (RDSOSMetrics, named by the instance's resource id), is described while
# MonitoringInterval is above 0. moto kept the interval and the role but never described the stream.
def _monitoring_stream(self):
    if not int(getattr(self, "monitoring_interval", 0) or 0):
        return None
    return "arn:%s:logs:%s:%s:log-group:RDSOSMetrics:log-stream:%s" % (
        self.arn.split(":")[1], self.region, self.account_id, self.dbi_resource_id)


def _pi_enabled(self):
    return bool(getattr(self, "enable_performance_insights", None))


def _pi_key(self):
    return self.__dict__.get("_pi_key") if _pi_enabled(self) else None


def _set_pi_key(self, value):
    self.__dict__["_pi_key"] = _pi_key_arn(self, value)


def _pi_retention(self):
    return (self.__dict__.get("_pi_retention") or 7) if _pi_enabled(self) else None


def _set_pi_retention(self, value):
    self.__dict__["_pi_retention"] = value


# Amazon EC2 API Reference, ReplaceNetworkAclAssociation, and "Error codes for the Amazon EC2 API": an association id that
# does not exist (one a retried call already replaced) is refused with InvalidAssociationID.NotFound (400). moto failed
# with an internal error (500), which clients retry as a server fault until they give up.
def _replace_network_acl_association(original):
    def replace(self, association_id, network_acl_id):
        if not any(association_id in acl._associations for acl in self.network_acls.values()):  # pylint: disable=protected-access
            raise ec2_exceptions.InvalidAssociationIdError(association_id)
        return original(self, association_id, network_acl_id)
    return replace


# A Cloud Map service's name is unique in its namespace (AWS Cloud Map API Reference, CreateService: ServiceAlreadyExists,
# "a service with the same name already exists", with the existing service's ServiceId and CreatorRequestId). moto made a
# second service of the same name: a create retried after its answer was lost made two.
class _ServiceAlreadyExists(JsonRESTError):
    def __init__(self, service):
        super().__init__("ServiceAlreadyExists", "Service already exists: %s" % service.name)
        self.description = json.dumps({"__type": "ServiceAlreadyExists", "message": "Service already exists: %s" % service.name,
                                       "ServiceId": service.id, "CreatorRequestId": service.creator_request_id})


def _create_service_once_per_name(original):
    def create_service(self, name, namespace_id, *args, **kwargs):
        for service in self.services.values():
            if service.name == name and service.namespace_id == namespace_id:
                raise _ServiceAlreadyExists(service)
        return original(self, name, namespace_id, *args, **kwargs)

    return create_service


# A private DNS namespace's hosted zone is made for the VPC given (AWS Cloud Map API Reference,
# CreatePrivateDnsNamespace: "visible only inside a specified Amazon VPC"), and Route 53 lists that VPC on the zone
# (Route 53 API Reference, GetHostedZone: VPCs; ListHostedZonesByVPC). moto made the zone with no VPC.
def _private_namespace_zone_in_its_vpc(original):
    def create_private_dns_namespace(self, name, creator_request_id, description, vpc, *args, **kwargs):
        operation = original(self, name, creator_request_id, description, vpc, *args, **kwargs)
        zones = route53_models.route53_backends[self.account_id][get_partition(self.region_name)]
        for namespace in self.namespaces.values():
            if namespace.name == name and namespace.vpc == vpc:
                zones.associate_vpc_with_hosted_zone(namespace.dns_properties["HostedZoneId"], vpc, self.region_name)
        return operation

    return create_private_dns_namespace


# Application Auto Scaling makes and manages a target tracking policy's CloudWatch alarms and deletes them with the
# policy (Application Auto Scaling User Guide, "Delete a target tracking scaling policy"): a policy put again has its own
# alarms and no other. moto made a new pair on each put and kept the old ones: a put retried after its answer was lost
# left two pairs.
def _put_scaling_policy_replaces_its_alarms(original):
    def put_scaling_policy(self, policy_name, service_namespace, resource_id, scalable_dimension, *args, **kwargs):
        key = applicationautoscaling_models.FakeApplicationAutoscalingPolicy.formulate_key(
            service_namespace, resource_id, scalable_dimension, policy_name)
        old = self.policies.get(key)
        policy = original(self, policy_name, service_namespace, resource_id, scalable_dimension, *args, **kwargs)
        if old is not None and old is not policy:
            kept = {a.name for a in policy.alarms}
            stale = [a for a in old.alarms if a.name not in kept]
            if stale:
                old.alarms = stale
                old.delete_alarms(self.account_id, self.region_name)
        return policy

    return put_scaling_policy


# Amazon EC2 API Reference, DeleteVpc: "You must detach or delete all gateways and resources that are associated with the
# VPC before you can delete it ... delete all security groups associated with the VPC (except the default one)"
# (DependencyViolation); the default network ACL, which DeleteNetworkAcl refuses to delete, goes with the VPC. moto
# deleted a VPC with its internet gateway attached or a group of its own in it, and kept its default ACL.
def _delete_vpc_with_its_defaults(original):
    def delete_vpc(self, vpc_id):
        held = [g.id for g in self.internet_gateways.values() if g.vpc is not None and g.vpc.id == vpc_id]
        held += ["%s (%s)" % (g.id, g.name) for g in self.groups.get(vpc_id, {}).values() if g.name != "default"]
        if held:
            raise ec2_exceptions.DependencyViolationError(
                "The vpc '%s' has dependencies and cannot be deleted (%s)." % (vpc_id, ", ".join(sorted(held))))
        vpc = original(self, vpc_id)
        for acl_id in [a.id for a in self.network_acls.values() if a.vpc_id == vpc_id and str(a.default).lower() == "true"]:
            self.network_acls.pop(acl_id, None)
        return vpc
    return delete_vpc


# A requested certificate is PENDING_VALIDATION until ACM finds, for each of its names, the CNAME record of its
# DomainValidationOptions in the name's public DNS; then it is ISSUED (AWS Certificate Manager API Reference,
# CertificateDetail Status: "A certificate enters status PENDING_VALIDATION upon being requested ... If validation
# succeeds, the certificate enters status ISSUED"; DomainValidation ResourceRecord: the record "you add to your DNS
# database for domain validation"). moto issued every requested certificate 60 seconds after the request, records or
# not. Here a public hosted zone of the endpoint's account stands for the public DNS.
def _validation_records(bundle):
    return [o["ResourceRecord"] for o in bundle.describe()["Certificate"].get("DomainValidationOptions", [])]


def _record_published(account_id, partition, record):
    wanted = record["Value"].rstrip(".")
    for zone in route53_models.route53_backends[account_id][partition].zones.values():
        if zone.private_zone:
            continue
        for rrset in zone.rrsets:
            values = [r.get("Value", "") if isinstance(r, dict) else str(r) for r in rrset.records or []]
            if (rrset.name.rstrip(".") == record["Name"].rstrip(".") and rrset.type == "CNAME"
                    and wanted in [v.rstrip(".") for v in values]):
                return True
    return False


def _certificate_issued_once_validated(original):
    def check(self):
        if self.type == "AMAZON_ISSUED" and self.status == "PENDING_VALIDATION":
            arn = self.arn.split(":")
            if all(_record_published(arn[4], arn[1], r) for r in _validation_records(self)):
                self.status = "ISSUED"
            return None
        return original(self)

    return check


# Flask routes drop a pattern's optional trailing slash: each form is routed as the SDK sends it.
backup_urls.url_paths.update({
    "{0}/backup-jobs$": backup_responses.BackupResponse.dispatch,
    "{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/$": backup_responses.BackupResponse.dispatch,
    "{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/(?P<arn>.+)$": backup_responses.BackupResponse.dispatch,
})
for _name, _call in (("update_backup_plan", _update_backup_plan), ("create_backup_selection", _create_backup_selection),
                     ("get_backup_selection", _get_backup_selection), ("delete_backup_selection", _delete_backup_selection),
                     ("list_backup_selections", _list_backup_selections), ("start_backup_job", _start_backup_job),
                     ("list_recovery_points_by_backup_vault", _list_recovery_points), ("delete_recovery_point", _delete_recovery_point)):
    setattr(backup_responses.BackupResponse, _name, _call)
backup_models.BackupBackend.create_backup_plan = _create_backup_plan(backup_models.BackupBackend.create_backup_plan)
backup_models.BackupBackend.delete_backup_plan = _delete_backup_plan(backup_models.BackupBackend.delete_backup_plan)
backup_models.BackupBackend.delete_backup_vault = _delete_backup_vault(backup_models.BackupBackend.delete_backup_vault)
apigatewayv2_responses.ApiGatewayV2Response.get_authorizers = _get_authorizers
acm_models.CertBundle.check = _certificate_issued_once_validated(acm_models.CertBundle.check)
guardduty_responses.GuardDutyResponse.get_administrator_account = _guardduty_administrator
guardduty_models.Detector.to_json = _detector_json(guardduty_models.Detector.to_json)
wafv2_responses.WAFV2Response.list_resources_for_web_acl = _list_resources_for_web_acl
ecs_responses.EC2ContainerServiceResponse.list_task_definitions = _list_task_definitions
ec2_models.vpcs.VPCBackend.delete_vpc = _delete_vpc_with_its_defaults(ec2_models.vpcs.VPCBackend.delete_vpc)
ec2_models.network_acls.NetworkAclBackend.replace_network_acl_association = _replace_network_acl_association(
    ec2_models.network_acls.NetworkAclBackend.replace_network_acl_association)
for _name in ("create_network_acl_entry", "replace_network_acl_entry"):
    setattr(ec2_network_acl_responses.NetworkACLs, _name, _network_acl_icmp(getattr(ec2_network_acl_responses.NetworkACLs, _name)))
ecs_responses.EC2ContainerServiceResponse.run_task = _run_task(ecs_responses.EC2ContainerServiceResponse.run_task)
ecs_responses.EC2ContainerServiceResponse.create_service = _create_service_keeps_its_settings(
    ecs_responses.EC2ContainerServiceResponse.create_service)
ecs_models.Task.last_status = _task_last_status(ecs_models.Task.last_status)
ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements = _task_resource_requirements(  # pylint: disable=protected-access
    ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements)  # pylint: disable=protected-access
rds_responses.RDSResponse.modify_event_subscription = _modify_event_subscription
rds_models.MasterUserSecret._create_secret = _master_secret_rotates(rds_models.MasterUserSecret._create_secret)  # pylint: disable=protected-access
rds_models.DBInstance.__init__ = _pi_init(rds_models.DBInstance.__init__)
rds_models.DBInstance.performance_insights_enabled = property(_pi_enabled)
rds_models.DBInstance.enhanced_monitoring_resource_arn = property(_monitoring_stream)
rds_models.DBInstance.performance_insights_kms_key_id = property(_pi_key, _set_pi_key)
rds_models.DBInstance.performance_insights_retention_period = property(_pi_retention, _set_pi_retention)
rds_responses.RDSResponse.add_source_identifier_to_subscription = _add_source_identifier
rds_responses.RDSResponse.remove_source_identifier_from_subscription = _remove_source_identifier
logs_responses.LogsResponse.associate_kms_key = _associate_kms_key
logs_responses.LogsResponse.disassociate_kms_key = _disassociate_kms_key
cloudtrail_models.CloudTrailBackend.delete_trail = _trail_by_name_or_arn(cloudtrail_models.CloudTrailBackend.delete_trail)
cloudtrail_responses.CloudTrailResponse.describe_trails = _describe_named_trails(cloudtrail_responses.CloudTrailResponse.describe_trails)
applicationautoscaling_models.ApplicationAutoscalingBackend.put_scaling_policy = _put_scaling_policy_replaces_its_alarms(
    applicationautoscaling_models.ApplicationAutoscalingBackend.put_scaling_policy)
servicediscovery_models.ServiceDiscoveryBackend.create_service = _create_service_once_per_name(
    servicediscovery_models.ServiceDiscoveryBackend.create_service)
servicediscovery_models.ServiceDiscoveryBackend.create_private_dns_namespace = _private_namespace_zone_in_its_vpc(
    servicediscovery_models.ServiceDiscoveryBackend.create_private_dns_namespace)
# Python Lambda functions run, and Secrets Manager rotation through them stops where a step fails (endpoint_lambda.py).
endpoint_lambda.install()
# The endpoint refuses what AWS refuses: resource policies as the services read them, and time.
endpoint_rules.install()

if __name__ == "__main__":
    sys.exit(main())
