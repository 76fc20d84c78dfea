"""AWS Backup of an environment, read back through the AWS Backup and IAM APIs (never through the collection)."""

import json

from tests.support.harness import ACCOUNT, PLATFORM, REGION
from tests.support.workloads import key_arn


def plan_of(ep, env):
    backup = ep.client("backup")
    plans = [p for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == "%s-%s-backup" % (PLATFORM, env)]
    return plans[0] if plans else None


def check_backups(ep, env, retention_days):
    """A vault encrypted with the data key, a daily plan into it that keeps each recovery point retention_days, and an
    assignment of the environment's Aurora clusters and EFS file systems (by ARN and tags) to a role only AWS Backup
    may assume, within the environment's boundary."""
    backup = ep.client("backup")
    prefix = "%s-%s" % (PLATFORM, env)
    vault = backup.describe_backup_vault(BackupVaultName=prefix + "-backup")
    assert vault["EncryptionKeyArn"] == key_arn(ep, env, "data"), vault
    plan = plan_of(ep, env)
    assert plan is not None, "no backup plan %s-backup" % prefix
    rules = backup.get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]["Rules"]
    assert [(r["RuleName"], r["TargetBackupVaultName"], r["ScheduleExpression"], r["Lifecycle"]["DeleteAfterDays"]) for r in rules] == [
        ("daily", prefix + "-backup", "cron(0 5 ? * * *)", retention_days)]
    listed = backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"]
    assert [s["SelectionName"] for s in listed] == [prefix + "-data"]
    selection = backup.get_backup_selection(BackupPlanId=plan["BackupPlanId"], SelectionId=listed[0]["SelectionId"])["BackupSelection"]
    assert sorted(selection["Resources"]) == sorted([
        "arn:aws:rds:%s:%s:cluster:%s-*" % (REGION, ACCOUNT, prefix),
        "arn:aws:elasticfilesystem:%s:%s:file-system/*" % (REGION, ACCOUNT)])
    assert sorted((c["ConditionKey"], c["ConditionValue"]) for c in selection["Conditions"]["StringEquals"]) == [
        ("aws:ResourceTag/Environment", env), ("aws:ResourceTag/Project", PLATFORM)]
    role = ep.client("iam").get_role(RoleName=prefix + "-backup")["Role"]
    assert selection["IamRoleArn"] == role["Arn"]
    assert [s["Principal"] for s in role["AssumeRolePolicyDocument"]["Statement"]] == [{"Service": "backup.amazonaws.com"}]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == "arn:aws:iam::%s:policy/%s-boundary" % (ACCOUNT, prefix)
    policy = ep.client("iam").get_role_policy(RoleName=prefix + "-backup", PolicyName="back-up-platform-data")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    kms = [s for s in policy["Statement"] if s["Sid"] == "UseTheDataKey"][0]
    assert kms["Resource"] == key_arn(ep, env, "data")


def recovery_points(ep, env):
    backup = ep.client("backup")
    name = "%s-%s-backup" % (PLATFORM, env)
    if name not in [v["BackupVaultName"] for v in backup.list_backup_vaults()["BackupVaultList"]]:
        return None
    return [p["RecoveryPointArn"] for p in backup.list_recovery_points_by_backup_vault(BackupVaultName=name)["RecoveryPoints"]]
