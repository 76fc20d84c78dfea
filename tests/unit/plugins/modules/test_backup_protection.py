"""backup_protection against moto (with the endpoint's AWS Backup corrections): a vault, a plan and its resource
assignment converged as one, each created once; removal keeps a vault that holds recovery points unless asked."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import backup_protection

from ...conftest import ModuleFail

KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
ROLE = "arn:aws:iam::123456789012:role/demo-t-backup"
CLUSTERS = "arn:aws:rds:eu-west-1:123456789012:cluster:demo-t-*"
FILE_SYSTEMS = "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/*"


def args(days=7, **extra):
    return dict({"vault": {"name": "demo-t-backup", "kms_key_arn": KEY},
                 "plan": {"name": "demo-t-backup", "rules": [{"name": "daily", "schedule": "cron(0 3 * * ? *)", "delete_after_days": days}]},
                 "selection": {"name": "demo-t-data", "iam_role_arn": ROLE, "resources": [CLUSTERS, FILE_SYSTEMS],
                               "resource_tags": {"Project": "demo", "Environment": "t"}},
                 "tags": {"Project": "demo", "Environment": "t"}}, **extra)


def absent(**extra):
    return dict({"vault": {"name": "demo-t-backup"}, "plan": {"name": "demo-t-backup"}, "state": "absent"}, **extra)


def state(aws):
    """What AWS Backup holds, read through its API."""
    backup = aws("backup")
    vaults = {v["BackupVaultName"]: v.get("EncryptionKeyArn") for v in backup.list_backup_vaults()["BackupVaultList"]}
    plans = {}
    for plan in backup.list_backup_plans()["BackupPlansList"]:
        document = backup.get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]
        rules = [(r["RuleName"], r["TargetBackupVaultName"], r["ScheduleExpression"], r["Lifecycle"]["DeleteAfterDays"]) for r in document["Rules"]]
        selections = []
        for listed in backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"]:
            selection = backup.get_backup_selection(BackupPlanId=plan["BackupPlanId"], SelectionId=listed["SelectionId"])["BackupSelection"]
            selections.append((selection["SelectionName"], selection["IamRoleArn"], sorted(selection["Resources"]),
                               sorted((c["ConditionKey"], c["ConditionValue"]) for c in selection["Conditions"]["StringEquals"])))
        plans[plan["BackupPlanName"]] = (rules, selections, backup.list_tags(ResourceArn=plan["BackupPlanArn"])["Tags"])
    return vaults, plans


EXPECTED = ({"demo-t-backup": KEY},
            {"demo-t-backup": ([("daily", "demo-t-backup", "cron(0 3 * * ? *)", 7)],
                               [("demo-t-data", ROLE, [FILE_SYSTEMS, CLUSTERS],
                                 [("aws:ResourceTag/Environment", "t"), ("aws:ResourceTag/Project", "demo")])],
                               {"Project": "demo", "Environment": "t"})})


def test_create_rerun_check(aws, run_module):
    planned = run_module(backup_protection, args(), check=True)
    assert planned["changes"] == ["create vault demo-t-backup", "create plan demo-t-backup", "create assignment demo-t-data"]
    assert state(aws) == ({}, {})
    made = run_module(backup_protection, args())
    assert made["changes"] == planned["changes"]
    assert state(aws) == EXPECTED
    again = run_module(backup_protection, args(), check=True, diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert run_module(backup_protection, args())["changed"] is False


def test_retention_and_tags_follow_and_a_changed_assignment_is_replaced(aws, run_module):
    run_module(backup_protection, args())
    wanted = args(days=35, tags={"Project": "demo", "Environment": "t", "Owner": "team"})
    wanted["selection"]["resources"] = [CLUSTERS]
    result = run_module(backup_protection, wanted)
    assert result["changes"] == ["tags of vault demo-t-backup", "update the rules of plan demo-t-backup", "tags of plan demo-t-backup",
                                 "replace assignment demo-t-data (an assignment cannot change)"]
    _vaults, plans = state(aws)
    rules, selections, tags = plans["demo-t-backup"]
    assert rules[0][3] == 35 and [s[2] for s in selections] == [[CLUSTERS]] and tags["Owner"] == "team"
    assert run_module(backup_protection, wanted)["changed"] is False


def test_a_vault_key_cannot_change(aws, run_module):
    run_module(backup_protection, args())
    wanted = args()
    wanted["vault"]["kms_key_arn"] = KEY.replace("1111", "9999")
    with pytest.raises(ModuleFail) as err:
        run_module(backup_protection, wanted)
    assert "AWS Backup cannot change a vault's key" in err.value.result["msg"]


def test_the_vault_lock_is_put_once(aws, run_module):
    wanted = args()
    wanted["vault"]["lock_min_retention_days"] = 7
    assert "lock vault demo-t-backup: recovery points kept at least 7 days" in run_module(backup_protection, wanted)["changes"]
    assert aws("backup").describe_backup_vault(BackupVaultName="demo-t-backup")["MinRetentionDays"] == 7
    assert run_module(backup_protection, wanted)["changed"] is False


@pytest.mark.parametrize("lost", ["create_backup_vault", "create_backup_plan", "create_backup_selection"])
def test_a_lost_create_answer_is_adopted_not_sent_twice(aws, run_module, lose_answers, lost):
    lose_answers.update({lost: 1})
    result = run_module(backup_protection, args())
    assert lose_answers == {lost: 0}
    assert result["changes"] == ["create vault demo-t-backup", "create plan demo-t-backup", "create assignment demo-t-data"]
    assert state(aws) == EXPECTED


def test_removal_keeps_a_vault_with_recovery_points_unless_asked(aws, run_module):
    run_module(backup_protection, args())
    backup = aws("backup")
    point = backup.start_backup_job(BackupVaultName="demo-t-backup", IamRoleArn=ROLE,
                                    ResourceArn="arn:aws:rds:eu-west-1:123456789012:cluster:demo-t-inventory-db")["RecoveryPointArn"]
    planned = run_module(backup_protection, absent(), check=True)
    assert planned["changes"] == ["delete assignment demo-t-data", "delete plan demo-t-backup"]
    kept = run_module(backup_protection, absent())
    assert kept["changes"] == planned["changes"]
    assert any("vault demo-t-backup is kept: it holds 1 recovery points" in w for w in kept["warnings"])
    assert state(aws) == ({"demo-t-backup": KEY}, {})
    assert [p["RecoveryPointArn"] for p in backup.list_recovery_points_by_backup_vault(BackupVaultName="demo-t-backup")["RecoveryPoints"]] == [point]
    assert run_module(backup_protection, absent())["changed"] is False
    gone = run_module(backup_protection, absent(keep_recovery_points=False))
    assert gone["changes"] == ["delete recovery point " + point, "delete vault demo-t-backup"]
    assert state(aws) == ({}, {})
    assert run_module(backup_protection, absent(keep_recovery_points=False))["changed"] is False


def test_an_empty_vault_goes_with_the_plan(aws, run_module):
    run_module(backup_protection, args())
    assert run_module(backup_protection, absent())["changes"] == ["delete assignment demo-t-data", "delete plan demo-t-backup",
                                                                  "delete vault demo-t-backup"]
    assert state(aws) == ({}, {})


@pytest.mark.parametrize("change, message", [
    (lambda a: a["plan"].update(rules=[]), "plan.rules is empty"),
    (lambda a: a["selection"].update(resources=[]), "selection.resources is empty"),
    (lambda a: a["selection"].update(name="no spaces allowed"), "selection.name no spaces allowed must hold"),
    (lambda a: a["selection"].update(iam_role_arn=None), "selection.iam_role_arn is required"),
])
def test_bad_inputs_fail_before_any_call(aws, run_module, change, message):
    wanted = args()
    change(wanted)
    with pytest.raises(ModuleFail) as err:
        run_module(backup_protection, wanted)
    assert message in err.value.result["msg"]
    assert state(aws) == ({}, {})
