"""kms_keys against moto: one call for every key, rotation on, alias-based adoption, clean removal."""

import json

from ansible_collections.cloud_design.platform.plugins.modules import kms_keys as kk

POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "Root", "Effect": "Allow",
                                                  "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                                  "Action": "kms:*", "Resource": "*"}]}


def args(**extra):
    return dict({"definitions": [{"alias": "demo-t-logs", "description": "logs", "policy": json.dumps(POLICY)},
                                 {"alias": "alias/demo-t-data", "description": "data"}],
                 "tags": {"Project": "demo"}}, **extra)


def aliases(aws):
    return {a["AliasName"]: a.get("TargetKeyId") for a in aws("kms").list_aliases()["Aliases"] if "demo-t" in a["AliasName"]}


def test_check_mode(aws, run_module):
    assert run_module(kk, args(), check=True)["changed"] is True
    assert aliases(aws) == {}


def test_keys_with_rotation_and_idempotence(aws, run_module):
    result = run_module(kk, args())
    found = aliases(aws)
    assert sorted(found) == ["alias/demo-t-data", "alias/demo-t-logs"]
    kms = aws("kms")
    for key_id in found.values():
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert json.loads(kms.get_key_policy(KeyId=found["alias/demo-t-logs"], PolicyName="default")["Policy"]) == POLICY
    assert result["kms_keys"]["demo-t-data"]["key_id"] == found["alias/demo-t-data"]
    assert run_module(kk, args())["changed"] is False


def test_absent_removes_aliases_and_schedules_deletion(aws, run_module):
    run_module(kk, args())
    key_ids = aliases(aws).values()
    assert run_module(kk, args(state="absent", deletion_window_days=7))["changed"] is True
    assert aliases(aws) == {}
    states = {aws("kms").describe_key(KeyId=k)["KeyMetadata"]["KeyState"] for k in key_ids}
    assert states == {"PendingDeletion"}
    assert run_module(kk, args(state="absent", deletion_window_days=7))["changed"] is False


def test_orphan_from_a_lost_answer_is_adopted(aws, run_module):
    """A key created but never aliased (the answer was lost) is taken instead of making another."""
    kms = aws("kms")
    orphan = kms.create_key(Tags=[{"TagKey": kk.ALIAS_TAG, "TagValue": "alias/demo-t-data"}])["KeyMetadata"]["KeyId"]
    run_module(kk, args())
    assert aliases(aws)["alias/demo-t-data"] == orphan
    assert len(kms.list_keys()["Keys"]) == 2


def test_lost_create_answers_make_each_key_once(aws, run_module, lose_answers):
    """CreateKey carried out twice with its answer lost (one per key): each orphan is adopted by its alias tag."""
    lose_answers.update(create_key=2)
    result = run_module(kk, args())
    assert lose_answers == {"create_key": 0}
    assert result["changed"] is True
    assert sorted(aliases(aws)) == ["alias/demo-t-data", "alias/demo-t-logs"]
    assert len(aws("kms").list_keys()["Keys"]) == 2
    assert run_module(kk, args())["changed"] is False


def test_a_rerun_reads_every_key_at_once(aws, run_module, slow_calls):
    run_module(kk, args())
    slow_calls.start()
    assert run_module(kk, args())["changed"] is False
    keys = slow_calls.calls.count("DescribeKey")
    assert keys >= 2 and slow_calls.calls.count("GetKeyPolicy") == keys, slow_calls.calls
    assert slow_calls.most >= 4 * keys, (slow_calls.most, slow_calls.calls)  # each key's four reads, every key at once
