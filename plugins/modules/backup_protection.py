#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: backup_protection
short_description: An AWS Backup vault, a plan that fills it and the resources it covers, each created exactly once
version_added: 0.7.0
description:
  - Converges the three parts of AWS Backup protection as one - a backup vault encrypted with a given KMS key (and,
    optionally, its vault lock), a backup plan whose rules back up into the vault and expire the recovery points, and
    the plan's resource assignment (selection) by ARN pattern and resource tags, with the role AWS Backup uses.
  - amazon.aws has a module for each part, but C(backup_selection) sends its create with botocore's retries and no
    request id (a create whose answer is lost can make a second assignment), and a plan or vault created twice is
    refused by name, so a run stops where it should adopt. Here every create is sent once, looked up by name after a
    failure that may have come after the write, and adopted when found.
  - A resource assignment cannot be changed in place (AWS Backup API reference, CreateBackupSelection); a changed one
    is replaced. A vault's key cannot change; the module stops and says so.
  - With I(state=absent) the assignment and the plan are removed; the vault is removed only when it holds no recovery
    point, unless I(keep_recovery_points) is false, in which case its recovery points are deleted first.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vault:
    description: The backup vault.
    type: dict
    required: true
    suboptions:
      name:
        description: Vault name (unique in the account and region).
        type: str
        required: true
      kms_key_arn:
        description: The KMS key that encrypts the recovery points AWS Backup encrypts itself (EFS); Aurora snapshots keep their cluster's key.
        type: str
      lock_min_retention_days:
        description:
          - Put a vault lock in governance mode with this minimum retention (AWS Backup Developer Guide, "AWS Backup
            Vault Lock"); recovery points younger than this cannot be deleted without the right to remove the lock.
          - Omitted, the vault has no lock (one put by hand is left alone).
        type: int
  plan:
    description: The backup plan; required with I(state=present).
    type: dict
    suboptions:
      name:
        description: Plan name.
        type: str
        required: true
      rules:
        description: The plan's rules, each backing up into the vault; at least one with I(state=present).
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Rule name.
            type: str
            required: true
          schedule:
            description: When the rule runs, a cron expression in UTC (C(cron(0 3 * * ? *))).
            type: str
            required: true
          start_window_minutes:
            description: Minutes after the scheduled time within which a job must start.
            type: int
            default: 60
          completion_window_minutes:
            description: Minutes after its start within which a job must complete.
            type: int
            default: 1440
          delete_after_days:
            description: Days a recovery point is kept.
            type: int
            required: true
  selection:
    description: The resources the plan covers; required with I(state=present). With I(state=absent) every assignment of the plan is removed.
    type: dict
    suboptions:
      name:
        description: Assignment name (50 letters, digits, hyphens, underscores or dots at most).
        type: str
        required: true
      iam_role_arn:
        description: The role AWS Backup assumes to back up the resources (trusted by C(backup.amazonaws.com)); required with I(state=present).
        type: str
      resources:
        description: ARN patterns of the resources covered; at least one with I(state=present).
        type: list
        elements: str
        default: []
      resource_tags:
        description: Tags a covered resource must carry, each (AND with I(resources)).
        type: dict
        default: {}
  keep_recovery_points:
    description: With I(state=absent), keep the vault when it holds recovery points (false deletes them, then the vault).
    type: bool
    default: true
  state:
    description: Whether the protection exists.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would be created, changed or removed and makes no change.
  diff_mode:
    support: full
    description: Shows the vault, plan and assignment before and after.
"""

EXAMPLES = r"""
- name: Daily backups of the environment's Aurora clusters and EFS file systems, kept 35 days
  cloud_design.platform.backup_protection:
    vault: {name: shop-prod-backup, kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
    plan:
      name: shop-prod-backup
      rules:
        - {name: daily, schedule: "cron(0 3 * * ? *)", delete_after_days: 35}
    selection:
      name: shop-prod-data
      iam_role_arn: arn:aws:iam::123456789012:role/shop-prod-backup
      resources:
        - "arn:aws:rds:eu-west-1:123456789012:cluster:shop-prod-*"
        - "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/*"
      resource_tags: {Project: shop, Environment: prod}
    tags: {Project: shop, Environment: prod}

- name: Remove the plan and its assignments; the vault stays while it holds recovery points
  cloud_design.platform.backup_protection:
    vault: {name: shop-prod-backup}
    plan: {name: shop-prod-backup}
    state: absent
"""

RETURN = r"""
protection:
  description: The vault, plan and assignment after the run (C(null) for a part that does not exist).
  returned: always
  type: dict
  sample:
    vault: {name: shop-prod-backup, arn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:shop-prod-backup",
            kms_key_arn: "arn:aws:kms:...", lock_min_retention_days: null, recovery_points: 12, tags: {Project: shop}}
    plan: {name: shop-prod-backup, id: 0123abcd-..., rules: [{name: daily, schedule: "cron(0 3 * * ? *)", vault: shop-prod-backup,
           start_window_minutes: 60, completion_window_minutes: 1440, delete_after_days: 35}], tags: {Project: shop}}
    selection: {name: shop-prod-data, id: 4567efgh-..., iam_role_arn: "arn:aws:iam::123456789012:role/shop-prod-backup",
                resources: ["arn:aws:rds:eu-west-1:123456789012:cluster:shop-prod-*"], resource_tags: {Project: shop}}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create vault shop-prod-backup", "create plan shop-prod-backup", "create assignment shop-prod-data"]
"""

import re

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    PlatformModule,
    all_pages,
    apply_tags,
    create_once,
)

SELECTION_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


def _vault_view(vault, tags, points):
    return {"name": vault["BackupVaultName"], "arn": vault["BackupVaultArn"], "kms_key_arn": vault.get("EncryptionKeyArn"),
            "lock_min_retention_days": vault.get("MinRetentionDays"), "recovery_points": points, "tags": tags}


def _rules_view(rules):
    return [{"name": r["RuleName"], "schedule": r.get("ScheduleExpression"), "vault": r.get("TargetBackupVaultName"),
             "start_window_minutes": r.get("StartWindowMinutes"), "completion_window_minutes": r.get("CompletionWindowMinutes"),
             "delete_after_days": (r.get("Lifecycle") or {}).get("DeleteAfterDays")} for r in rules]


def _rules_request(rules, vault):
    return [{"RuleName": r["name"], "TargetBackupVaultName": vault, "ScheduleExpression": r["schedule"],
             "StartWindowMinutes": r["start_window_minutes"], "CompletionWindowMinutes": r["completion_window_minutes"],
             "Lifecycle": {"DeleteAfterDays": r["delete_after_days"]}} for r in rules]


def _selection_request(selection):
    return {"SelectionName": selection["name"], "IamRoleArn": selection["iam_role_arn"], "Resources": sorted(selection["resources"]),
            "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/%s" % k, "ConditionValue": str(v)}
                                            for k, v in sorted(selection["resource_tags"].items())]}}


def _selection_view(selection, selection_id):
    conditions = (selection.get("Conditions") or {}).get("StringEquals") or []
    return {"name": selection["SelectionName"], "id": selection_id, "iam_role_arn": selection["IamRoleArn"],
            "resources": sorted(selection.get("Resources") or []),
            "resource_tags": {c["ConditionKey"].split("/", 1)[-1]: c["ConditionValue"] for c in conditions}}


class Protection(Plan):
    def __init__(self, module, backup, writer):
        super().__init__(module)
        self.backup, self.writer = backup, writer

    # ---------------------------------------------------------------- reads
    def vault(self, name):
        # Listed first: AWS answers DescribeBackupVault for a vault that does not exist with AccessDeniedException, which
        # cannot be told from a real refusal.
        if name not in [v["BackupVaultName"] for v in all_pages(self.backup.list_backup_vaults, "BackupVaultList")]:
            return None
        return self.backup.describe_backup_vault(BackupVaultName=name)

    def points(self, name):
        return all_pages(self.backup.list_recovery_points_by_backup_vault, "RecoveryPoints", BackupVaultName=name)

    def plans(self, name):
        return [p for p in all_pages(self.backup.list_backup_plans, "BackupPlansList") if p.get("BackupPlanName") == name]

    def selections(self, plan_id, name):
        return [s for s in all_pages(self.backup.list_backup_selections, "BackupSelectionsList", BackupPlanId=plan_id)
                if s.get("SelectionName") == name]

    def tags(self, arn):
        return self.backup.list_tags(ResourceArn=arn).get("Tags") or {}

    def one(self, found, what):
        if len(found) > 1:
            raise PlatformError("%d %s share the name; remove all but one (AWS Backup console or API) and run again" % (len(found), what))
        return found[0] if found else None

    def retag(self, arn, current, label):
        params = self.module.params
        changed, now = apply_tags(self.check, current, params.get("tags"), params["purge_tags"],
                                  lambda t: self.backup.tag_resource(ResourceArn=arn, Tags=t),
                                  lambda k: self.backup.untag_resource(ResourceArn=arn, TagKeyList=k))
        if changed:
            self.changes.append("tags of %s" % label)
        return now

    # ---------------------------------------------------------------- present
    def converge_vault(self):
        want = self.module.params["vault"]
        tags = {k: str(v) for k, v in (self.module.params.get("tags") or {}).items()}
        have = self.vault(want["name"])
        if have is None:
            self.changes.append("create vault %s" % want["name"])
            if not self.check:
                request = {"BackupVaultName": want["name"], "BackupVaultTags": tags}
                if want["kms_key_arn"]:
                    request["EncryptionKeyArn"] = want["kms_key_arn"]
                create_once(lambda: self.writer.create_backup_vault(**request),
                            lambda: [v for v in [self.vault(want["name"])] if v], "backup vault %s" % want["name"],
                            exists_codes=("AlreadyExistsException",))
                have = self.vault(want["name"])
            else:
                have = {"BackupVaultName": want["name"], "BackupVaultArn": None, "EncryptionKeyArn": want["kms_key_arn"]}
            before = None
            now_tags = tags
        else:
            before = _vault_view(have, self.tags(have["BackupVaultArn"]), have.get("NumberOfRecoveryPoints", 0))
            if want["kms_key_arn"] and have.get("EncryptionKeyArn") not in (want["kms_key_arn"], None):
                raise PlatformError("vault %s is encrypted with %s, not %s: AWS Backup cannot change a vault's key; make a new "
                                    "vault (another name) and let the old one's recovery points expire"
                                    % (want["name"], have.get("EncryptionKeyArn"), want["kms_key_arn"]))
            now_tags = self.retag(have["BackupVaultArn"], before["tags"], "vault %s" % want["name"])
        lock = want["lock_min_retention_days"]
        if lock is not None and have.get("MinRetentionDays") != lock:
            self.change("lock vault %s: recovery points kept at least %d days" % (want["name"], lock),
                        self.backup.put_backup_vault_lock_configuration, BackupVaultName=want["name"], MinRetentionDays=lock)
            have = dict(have, MinRetentionDays=lock)
        return before, _vault_view(have, now_tags, have.get("NumberOfRecoveryPoints", 0))

    def converge_plan(self):
        params = self.module.params
        want = params["plan"]
        tags = {k: str(v) for k, v in (params.get("tags") or {}).items()}
        document = {"BackupPlanName": want["name"], "Rules": _rules_request(want["rules"], params["vault"]["name"])}
        found = self.one(self.plans(want["name"]), "backup plans %s" % want["name"])
        if found is None:
            self.changes.append("create plan %s" % want["name"])
            plan_id = None
            if not self.check:
                made, _adopted = create_once(lambda: self.writer.create_backup_plan(BackupPlan=document, BackupPlanTags=tags),
                                             lambda: self.plans(want["name"]), "backup plan %s" % want["name"],
                                             exists_codes=("AlreadyExistsException",))
                plan_id = made["BackupPlanId"]
                current = self.backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]
                if _rules_view(current["Rules"]) != _rules_view(document["Rules"]):  # an adopted plan of an earlier document
                    self.backup.update_backup_plan(BackupPlanId=plan_id, BackupPlan=document)
            return None, {"name": want["name"], "id": plan_id, "rules": _rules_view(document["Rules"]), "tags": tags}
        plan_id = found["BackupPlanId"]
        current = self.backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]
        before = {"name": want["name"], "id": plan_id, "rules": _rules_view(current["Rules"]), "tags": self.tags(found["BackupPlanArn"])}
        if before["rules"] != _rules_view(document["Rules"]):
            self.change("update the rules of plan %s" % want["name"], self.backup.update_backup_plan, BackupPlanId=plan_id, BackupPlan=document)
        now_tags = self.retag(found["BackupPlanArn"], before["tags"], "plan %s" % want["name"])
        return before, dict(before, rules=_rules_view(document["Rules"]), tags=now_tags)

    def converge_selection(self, plan_id):
        want = self.module.params["selection"]
        request = _selection_request(want)
        found = self.one(self.selections(plan_id, want["name"]), "resource assignments %s" % want["name"]) if plan_id else None
        before = None
        if found is not None:
            current = self.backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=found["SelectionId"])["BackupSelection"]
            before = _selection_view(current, found["SelectionId"])
            if before == _selection_view(request, found["SelectionId"]):
                return before, before
            self.change("replace assignment %s (an assignment cannot change)" % want["name"],
                        self.backup.delete_backup_selection, BackupPlanId=plan_id, SelectionId=found["SelectionId"])
        else:
            self.changes.append("create assignment %s" % want["name"])
        selection_id = None
        if not self.check:
            made, _adopted = create_once(lambda: self.writer.create_backup_selection(BackupPlanId=plan_id, BackupSelection=request),
                                         lambda: self.selections(plan_id, want["name"]), "resource assignment %s" % want["name"])
            selection_id = made["SelectionId"]
        return before, _selection_view(request, selection_id)

    # ---------------------------------------------------------------- absent
    def remove(self):
        params = self.module.params
        before, after = {}, {}
        plan_name = (params.get("plan") or {}).get("name")
        plan = self.one(self.plans(plan_name), "backup plans %s" % plan_name) if plan_name else None
        if plan is not None:
            before["plan"] = {"name": plan_name, "id": plan["BackupPlanId"]}
            for selection in all_pages(self.backup.list_backup_selections, "BackupSelectionsList", BackupPlanId=plan["BackupPlanId"]):
                self.change("delete assignment %s" % selection["SelectionName"],
                            self.backup.delete_backup_selection, BackupPlanId=plan["BackupPlanId"], SelectionId=selection["SelectionId"])
            self.change("delete plan %s" % plan_name, self.backup.delete_backup_plan, BackupPlanId=plan["BackupPlanId"])
        name = params["vault"]["name"]
        vault = self.vault(name)
        if vault is None:
            return before, after
        points = self.points(name)
        before["vault"] = _vault_view(vault, {}, len(points))
        if points and params["keep_recovery_points"]:
            self.module.warn("vault %s is kept: it holds %d recovery points (keep_recovery_points). Delete them in the AWS Backup "
                             "console, or remove with keep_recovery_points false, to remove it." % (name, len(points)))
            after["vault"] = before["vault"]
            return before, after
        for point in points:
            self.changes.append("delete recovery point %s" % point["RecoveryPointArn"])
        if points and not self.check:
            if vault.get("MinRetentionDays") is not None:
                self.backup.delete_backup_vault_lock_configuration(BackupVaultName=name)
            for point in points:
                self.backup.delete_recovery_point(BackupVaultName=name, RecoveryPointArn=point["RecoveryPointArn"])
        self.change("delete vault %s" % name, self.backup.delete_backup_vault, BackupVaultName=name)
        return before, after


def converge(module, backup, writer):
    protection = Protection(module, backup, writer)
    if module.params["state"] == "absent":
        before, after = protection.remove()
        return protection.changes, before, after
    vault_before, vault_after = protection.converge_vault()
    plan_before, plan_after = protection.converge_plan()
    selection_before, selection_after = protection.converge_selection(plan_after["id"]) if plan_after["id"] or module.check_mode else (None, None)
    before = {"vault": vault_before, "plan": plan_before, "selection": selection_before}
    after = {"vault": vault_after, "plan": plan_after, "selection": selection_after}
    return protection.changes, before, after


def main():
    argument_spec = dict(
        vault=dict(type="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            kms_key_arn=dict(type="str", no_log=False),
            lock_min_retention_days=dict(type="int"),
        )),
        plan=dict(type="dict", options=dict(
            name=dict(type="str", required=True),
            rules=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                schedule=dict(type="str", required=True),
                start_window_minutes=dict(type="int", default=60),
                completion_window_minutes=dict(type="int", default=1440),
                delete_after_days=dict(type="int", required=True),
            )),
        )),
        selection=dict(type="dict", options=dict(
            name=dict(type="str", required=True),
            iam_role_arn=dict(type="str"),
            resources=dict(type="list", elements="str", default=[]),
            resource_tags=dict(type="dict", default={}),
        )),
        keep_recovery_points=dict(type="bool", default=True),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True,
                            required_if=[("state", "present", ("plan", "selection"))])
    params = module.params
    if params["state"] == "present":
        if not params["plan"]["rules"]:
            module.fail_json(msg="plan.rules is empty: a plan without a rule backs nothing up; give at least one rule")
        if not params["selection"]["iam_role_arn"]:
            module.fail_json(msg="selection.iam_role_arn is required: give the role AWS Backup backs the resources up with")
        if not SELECTION_NAME.match(params["selection"]["name"]):
            module.fail_json(msg="selection.name %s must hold 1 to 50 letters, digits, hyphens, underscores or dots" % params["selection"]["name"])
        if not params["selection"]["resources"]:
            module.fail_json(msg="selection.resources is empty: AWS Backup would cover every supported resource of the account; "
                                 "give the ARN patterns of the resources to back up")
    backup = module.client("backup")
    writer = module.client("backup", retries=False)
    module.exit_converged(lambda: converge(module, backup, writer), "Failed to converge the backup protection %s" % params["vault"]["name"],
                          key="protection")


if __name__ == "__main__":
    main()
