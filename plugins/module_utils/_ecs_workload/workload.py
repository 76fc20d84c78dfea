# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS workload on the AWS side: its log group, execution and task roles, task definition, service, one-off job
and autoscaling, converged or removed (cloud_design.platform.ecs_workload)."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils import cloud_map
from ansible_collections.cloud_design.platform.plugins.module_utils.iam_roles import Roles
from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload.scaling import Autoscaling
from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload.spec import (
    RAN_TAG,
    execution_statements,
    job_outcome,
    normal_task_definition,
    policy_document,
    service_differences,
    service_request,
    task_definition_differences,
    task_definition_request,
    task_statements,
    trust_policy,
)
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    apply_tags,
    client_token,
    create_once,
    dict_to_tag_list,
    tag_list_to_dict,
    wait_for,
    workload_names,
)


class Workload(Roles, Autoscaling):
    def __init__(self, module):
        super().__init__(module)
        self.names = workload_names(self.params["platform_name"], self.params["platform_env"], self.params["name"])
        self.region = module.region
        self.clients = {}
        self.tags = dict(self.params.get("tags") or {})

    def prefetch(self):
        """The first reads of the converge, made at once before any change, in two rounds: the log group, both roles, the
        family's latest revision, and (a service) the service and its autoscaling; then what each found one holds."""
        service = not self.params.get("run_once")
        first = {("log_group",): self._log_group, ("td_arns",): self._latest_revision,
                 ("role", self.names["execution_role"]): lambda: self._get_role(self.names["execution_role"]),
                 ("role", self.names["task_role"]): lambda: self._get_role(self.names["task_role"])}
        if service:
            first.update({("service",): self._find_service, ("scaling",): self._scaling})
            if self.params.get("discovery"):
                disc = self.params["discovery"]
                first[("cloud_map",)] = lambda: cloud_map.find_service(self.client("servicediscovery"), disc["namespace_id"], disc["name"])

        def held(found):
            calls = {}
            if found[("log_group",)]:
                calls[("log_group_tags",)] = self._log_group_tags
            if found[("td_arns",)]:
                calls[("td",)] = lambda: self._describe_revision(found[("td_arns",)])
            calls.update(self.role_parts_calls(found))
            return calls

        self.reads.fetch(first, then=held)

    def client(self, service):
        if service not in self.clients:
            self.clients[service] = self.module.client(service)
        return self.clients[service]

    # -- log group
    def log_group(self):
        logs = self.client("logs")
        name = self.names["log_group"]
        found = self.reads.take(("log_group",), self._log_group)
        account, partition = self.identity
        arn = "arn:%s:logs:%s:%s:log-group:%s" % (partition, self.region, account, name)
        retention = self.params["log_retention_days"]
        kms = self.params.get("log_kms_key_arn")
        if not found:
            self.changes.append("create log group %s" % name)
            if not self.check:
                request = {"logGroupName": name, "tags": {k: str(v) for k, v in self.tags.items()}}
                if kms:
                    request["kmsKeyId"] = kms
                try:
                    logs.create_log_group(**request)
                except is_boto3_error_code("ResourceAlreadyExistsException"):
                    pass
                logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
            return arn
        group = found[0]
        if group.get("retentionInDays") != retention:
            self.change("log group %s: retention %s -> %d days" % (name, group.get("retentionInDays"), retention),
                        logs.put_retention_policy, logGroupName=name, retentionInDays=retention)
        if kms and group.get("kmsKeyId") != kms:
            self.change("log group %s: encrypt with %s" % (name, kms), logs.associate_kms_key, logGroupName=name, kmsKeyId=kms)
        current = self.reads.take(("log_group_tags",), self._log_group_tags)
        if apply_tags(self.check, current, self.tags, self.params["purge_tags"],
                      lambda add: logs.tag_log_group(logGroupName=name, tags=add),
                      lambda keys: logs.untag_log_group(logGroupName=name, tags=keys))[0]:
            self.changes.append("log group %s: tags" % name)
        return arn

    def _log_group(self):
        name = self.names["log_group"]
        return [g for g in self.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]

    def _log_group_tags(self):
        return self.client("logs").list_tags_log_group(logGroupName=self.names["log_group"]).get("tags", {})

    # -- task definition
    def latest_task_definition(self):
        arns = self.reads.take(("td_arns",), self._latest_revision)
        if not arns:
            return None
        return self.reads.take(("td",), lambda: self._describe_revision(arns))

    def _latest_revision(self):
        return self.client("ecs").list_task_definitions(familyPrefix=self.names["family"], status="ACTIVE", sort="DESC",
                                                        maxResults=1).get("taskDefinitionArns", [])

    def _describe_revision(self, arns):
        found = self.client("ecs").describe_task_definition(taskDefinition=arns[0], include=["TAGS"])
        return dict(found["taskDefinition"], tags=found.get("tags", []))

    def task_definition(self, execution_role_arn, task_role_arn):
        wanted = task_definition_request(self.params, self.names, self.region, execution_role_arn, task_role_arn)
        current = self.latest_task_definition()
        diffs = task_definition_differences(current, wanted)
        if not diffs:
            # The job's run marker is the module's own record, not one of the tags asked for.
            have = {k: v for k, v in tag_list_to_dict(current.get("tags"), "key", "value").items() if k != RAN_TAG}
            if apply_tags(self.check, have, self.tags, self.params["purge_tags"],
                          lambda add: self.client("ecs").tag_resource(resourceArn=current["taskDefinitionArn"],
                                                                      tags=dict_to_tag_list(add, "key", "value")),
                          lambda keys: self.client("ecs").untag_resource(resourceArn=current["taskDefinitionArn"],
                                                                         tagKeys=keys))[0]:
                self.changes.append("task definition %s: tags" % current["taskDefinitionArn"].split("/")[-1])
            return current, current
        self.changes.append("register task definition %s (%s)" % (self.names["family"], ", ".join(diffs)))
        if self.check:
            return current, dict(wanted, taskDefinitionArn="(new revision of %s)" % self.names["family"])
        # A revision has no idempotency token: after a failure that may have come after the write, the
        # family's latest revision is looked at first and adopted when it is already the wanted one.
        once = self.module.client("ecs", retries=False)

        def made():
            latest = self.latest_task_definition()
            fresh = latest and latest["taskDefinitionArn"] != (current or {}).get("taskDefinitionArn")
            return [latest] if fresh and not task_definition_differences(latest, wanted) else []

        registered = create_once(lambda: once.register_task_definition(tags=dict_to_tag_list(self.tags, "key", "value"), **wanted)["taskDefinition"],
                                 made, "new revisions of %s" % self.names["family"])[0]
        return current, registered

    # -- service
    def find_service(self):
        return self.reads.take(("service",), self._find_service)

    def _find_service(self):
        try:
            found = self.client("ecs").describe_services(cluster=self.params["cluster"], services=[self.names["service"]],
                                                         include=["TAGS"])["services"]
        except is_boto3_error_code("ClusterNotFoundException"):
            if self.check:
                return None  # check mode before the cluster exists: everything would be created
            raise PlatformError("ECS cluster %s does not exist; make it first (the ecs_cluster role)" % self.params["cluster"])
        return next((s for s in found if s.get("status") in ("ACTIVE", "DRAINING")), None)

    def service(self, task_definition_arn, registry_arn):
        ecs = self.client("ecs")
        wanted = service_request(self.params, self.names, task_definition_arn, registry_arn)
        current = self.find_service()
        if current is not None and current["status"] == "DRAINING":
            raise PlatformError("ECS service %s is still draining from an earlier delete; run again in a few minutes"
                                % self.names["service"])
        if current is None:
            self.changes.append("create service %s" % self.names["service"])
            if self.check:
                return None, {"serviceName": self.names["service"], "desiredCount": wanted["desiredCount"],
                              "taskDefinition": task_definition_arn}
            request = dict(wanted, tags=dict_to_tag_list(self.tags, "key", "value"),
                           clientToken=client_token("ecs-service", self.params["cluster"], self.names["service"], length=36))
            try:
                created = ecs.create_service(**request)["service"]
            except is_boto3_error_code("InvalidParameterException") as exc:
                if "idempot" not in str(exc).lower() and "already exists" not in str(exc).lower():
                    raise
                created = self.find_service()
            return None, created
        update = service_differences(current, wanted, self.params["autoscaling"])
        after = dict(current)
        if update:
            self.changes.append("update service %s: %s" % (self.names["service"], ", ".join(sorted(k for k in update if k != "forceNewDeployment"))))
            after.update(update)
            if not self.check:
                after = ecs.update_service(cluster=self.params["cluster"], service=self.names["service"], **update)["service"]
        if apply_tags(self.check, tag_list_to_dict(current.get("tags"), "key", "value"), self.tags, self.params["purge_tags"],
                      lambda add: ecs.tag_resource(resourceArn=current["serviceArn"], tags=dict_to_tag_list(add, "key", "value")),
                      lambda keys: ecs.untag_resource(resourceArn=current["serviceArn"], tagKeys=keys))[0]:
            self.changes.append("service %s: tags" % self.names["service"])
        return current, after

    def wait_deployment(self, task_definition_arn):
        """Wait for the deployment of the task definition just registered. With the circuit breaker's rollback, ECS
        marks that deployment FAILED and starts a new PRIMARY deployment of the previous task definition, which ends
        COMPLETED: success is the PRIMARY deployment running task_definition_arn, COMPLETED (Amazon ECS Developer Guide,
        "How the Amazon ECS deployment circuit breaker detects failures")."""
        def probe():
            return self.find_service() or {}

        def deployments(service):
            return service.get("deployments") or []

        def primary_of(service):
            return next((d for d in deployments(service) if d.get("status") == "PRIMARY"), None)

        def failed_of(service):
            return next((d for d in deployments(service)
                         if d.get("taskDefinition") == task_definition_arn and d.get("rolloutState") == "FAILED"), None)

        def settled(service):
            primary = primary_of(service)
            if primary is None or failed_of(service) or primary.get("taskDefinition") != task_definition_arn:
                return True
            state = primary.get("rolloutState")
            if state:
                return state in ("COMPLETED", "FAILED")
            return primary.get("runningCount") == primary.get("desiredCount")

        service = wait_for(probe, settled, timeout=self.params["wait_timeout"], delay=5,
                           what="the deployment of ECS service %s" % self.names["service"])
        primary = primary_of(service) or {}
        failed = failed_of(service)
        if failed is None and primary.get("rolloutState") == "FAILED":
            failed = primary
        if failed is None and primary and primary.get("taskDefinition") != task_definition_arn:
            failed = {"rolloutStateReason": "the service runs %s, not %s" % (primary.get("taskDefinition"), task_definition_arn)}
        if failed is not None:
            events = "; ".join(e.get("message", "") for e in (service.get("events") or [])[:3])
            raise PlatformError("deployment of %s failed and the circuit breaker rolled it back: %s. Recent events: %s"
                                % (self.names["service"], failed.get("rolloutStateReason"), events))

    # -- one-off job
    def run_job(self, task_definition):
        """Run the job's task once for this key and revision (option run_once); wait for it to stop with exit 0."""
        job = self.params["run_once"]
        arn = task_definition["taskDefinitionArn"]
        marked = tag_list_to_dict(task_definition.get("tags"), "key", "value").get(RAN_TAG)
        if marked == job["key"] or not job["start"]:
            return {"key": job["key"], "ran": False}
        self.changes.append("run %s once (for %s)" % (self.names["family"], job["key"]))
        if self.check:
            return {"key": job["key"], "ran": True}
        ecs = self.client("ecs")
        request = {
            "cluster": self.params["cluster"],
            "taskDefinition": arn,
            "count": 1,
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": self.params["subnets"], "securityGroups": self.params["security_group_ids"],
                "assignPublicIp": "DISABLED"}},
            "startedBy": self.names["family"][-36:],
            "tags": dict_to_tag_list(self.tags, "key", "value"),
            "propagateTags": "TASK_DEFINITION",
            # One task for one token (Amazon ECS API Reference, "Ensuring idempotency": RunTask, up to 64 characters,
            # kept 24 hours): a retry, or the next run after a stop in the wait below, finds the same task.
            "clientToken": client_token("ecs-run-once", self.params["cluster"], arn, job["key"], length=64),
        }
        started = ecs.run_task(**request)
        if started.get("failures") or not started.get("tasks"):
            raise PlatformError("%s did not start: %s" % (self.names["family"], "; ".join(
                "%s %s" % (f.get("reason"), f.get("detail") or "") for f in started.get("failures") or []) or "no task"))
        task_arn = started["tasks"][0]["taskArn"]

        def probe():
            found = ecs.describe_tasks(cluster=self.params["cluster"], tasks=[task_arn]).get("tasks") or []
            return found[0] if found else {}

        task = wait_for(probe, lambda t: t.get("lastStatus") == "STOPPED", timeout=job["timeout"], delay=0.5,
                        what="the one-off task %s of %s to stop" % (task_arn.split("/")[-1], self.names["family"]))
        ok, why = job_outcome(task, self.names["container"])
        if not ok:
            raise PlatformError("the one-off task %s of %s failed: %s. Its output is in the log group %s, stream ecs/%s/%s"
                                % (task_arn.split("/")[-1], self.names["family"], why, self.names["log_group"],
                                   self.names["container"], task_arn.split("/")[-1]))
        ecs.tag_resource(resourceArn=arn, tags=[{"key": RAN_TAG, "value": job["key"]}])
        return {"key": job["key"], "ran": True, "task_arn": task_arn, "exit_code": 0}

    # -- autoscaling
    # -- whole
    def present(self):
        params = self.params
        account, partition = self.identity
        self.prefetch()
        log_group_arn = self.log_group()
        trust, boundary = trust_policy(account, self.region, partition), params["permissions_boundary"] or ""
        # Each role has one inline policy, or none when it may do nothing (policy_document None).
        execution = policy_document(execution_statements(params, log_group_arn, self.region, account, partition))
        execution_arn = self.role(
            self.names["execution_role"], "Starts %s tasks: pulls images, writes their logs, reads their secrets" % self.names["family"],
            trust, boundary, self.tags, params["purge_tags"], managed=[], inline={"start-tasks": execution} if execution else {})
        task = policy_document(task_statements(params, self.region, account, partition))
        task_arn = self.role(
            self.names["task_role"], "What %s itself may do in AWS" % self.names["family"], trust, boundary, self.tags,
            params["purge_tags"], managed=[], inline={"workload": task} if task else {})
        registry = {}
        if params.get("run_once"):
            td_before, td_after = self.task_definition(execution_arn, task_arn)
            run = self.run_job(td_after)
            workload = {
                "task_definition": {"arn": td_after["taskDefinitionArn"], "revision": td_after.get("revision")},
                "log_group": self.names["log_group"],
                "execution_role_arn": execution_arn,
                "task_role_arn": task_arn,
                "run": run,
            }
            return ({"task_definition": normal_task_definition(td_before)},
                    {"task_definition": normal_task_definition(td_after), "run": run}, workload)
        if params.get("discovery"):
            disc = params["discovery"]
            sd = self.client("servicediscovery")
            changed, dummy, registry = cloud_map.ensure_service(
                sd, self.check, disc["namespace_id"], disc["name"], "A", disc["ttl"], self.tags, params["purge_tags"],
                current=self.reads.take(("cloud_map",), lambda: cloud_map.find_service(sd, disc["namespace_id"], disc["name"])))
            if changed:
                self.changes.append("Cloud Map name %s" % disc["name"])
        td_before, td_after = self.task_definition(execution_arn, task_arn)
        svc_before, svc_after = self.service(td_after["taskDefinitionArn"], registry.get("arn") or (
            "(new Cloud Map service)" if params.get("discovery") else None))
        scaling = self.autoscaling()
        if params["wait"] and not self.check and self.changes:
            self.wait_deployment(td_after["taskDefinitionArn"])
        before = {
            "task_definition": normal_task_definition(td_before),
            "service": brief_service(svc_before),
        }
        after = {
            "task_definition": normal_task_definition(td_after),
            "service": brief_service(svc_after),
        }
        workload = {
            "service": brief_service(svc_after),
            "task_definition": {"arn": td_after["taskDefinitionArn"], "revision": td_after.get("revision")},
            "log_group": self.names["log_group"],
            "execution_role_arn": execution_arn,
            "task_role_arn": task_arn,
            "discovery": {"id": registry.get("id"), "arn": registry.get("arn"), "name": registry.get("name")} if registry else {},
            "autoscaling": scaling,
        }
        return before, after, workload

    def absent(self):
        params = self.params
        ecs = self.client("ecs")
        current = self.find_service()
        if params["autoscaling"] is not None:
            params["autoscaling"] = {}
        self.autoscaling()
        if current is not None and current["status"] == "ACTIVE":
            self.changes.append("delete service %s" % self.names["service"])
            if not self.check:
                if current.get("desiredCount"):
                    ecs.update_service(cluster=params["cluster"], service=self.names["service"], desiredCount=0)
                ecs.delete_service(cluster=params["cluster"], service=self.names["service"], force=True)
                if params["wait"]:
                    wait_for(self.find_service, lambda s: s is None or s.get("status") == "INACTIVE",
                             timeout=params["wait_timeout"], delay=5, what="ECS service %s to stop" % self.names["service"])
        if params.get("discovery"):
            if cloud_map.delete_service(self.client("servicediscovery"), self.check, params["discovery"]["namespace_id"],
                                        params["discovery"]["name"]):
                self.changes.append("delete Cloud Map name %s" % params["discovery"]["name"])
        arns = []
        for status in ("ACTIVE",):
            for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=self.names["family"], status=status):
                arns.extend(page["taskDefinitionArns"])
        for arn in arns:
            self.change("deregister %s" % arn.split("/")[-1], ecs.deregister_task_definition, taskDefinition=arn)
        self.delete_role(self.names["execution_role"])
        self.delete_role(self.names["task_role"])
        if not params["keep_logs"]:
            logs = self.client("logs")
            name = self.names["log_group"]
            if any(g["logGroupName"] == name for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]):
                self.changes.append("delete log group %s" % name)
                if not self.check:
                    try:
                        logs.delete_log_group(logGroupName=name)
                    except is_boto3_error_code("ResourceNotFoundException"):
                        pass
        return {"service": brief_service(current)}, {}, {}


def brief_service(service):
    if not service:
        return {}
    return {
        "name": service.get("serviceName"),
        "arn": service.get("serviceArn"),
        "status": service.get("status"),
        "desired_count": service.get("desiredCount"),
        "task_definition": service.get("taskDefinition"),
    }
