"""generated_secret against moto: generated once, never returned, never changed by a re-run."""

import json
import time

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import generated_secret as gs

from ...conftest import ModuleFail


def args(**extra):
    return dict({"name": "demo-t/billing-db", "values": {"username": "billing", "dbname": "orders"},
                 "generate": ["password"], "tags": {"Project": "demo"}}, **extra)


def value(aws):
    return json.loads(aws("secretsmanager").get_secret_value(SecretId="demo-t/billing-db")["SecretString"])


def test_check_mode_makes_nothing(aws, run_module):
    result = run_module(gs, args(), check=True)
    assert result["changed"] is True
    assert aws("secretsmanager").list_secrets()["SecretList"] == []
    assert result["value_from"]["password"].startswith("(new secret")


def test_generated_once_and_never_returned(aws, run_module):
    result = run_module(gs, args())
    stored = value(aws)
    assert stored["username"] == "billing" and stored["dbname"] == "orders"
    assert len(stored["password"]) == 32 and stored["password"].isalnum()
    assert stored["password"] not in json.dumps(result)
    assert result["value_from"]["password"] == result["secret"]["arn"] + ":password::"
    again = run_module(gs, args(), diff=True)
    assert again["changed"] is False
    assert value(aws)["password"] == stored["password"]
    assert stored["password"] not in json.dumps(again)


def test_fixed_value_change_keeps_the_password(aws, run_module):
    run_module(gs, args())
    first = value(aws)["password"]
    result = run_module(gs, args(values={"username": "billing2", "dbname": "orders"}))
    assert result["changed"] is True and result["secret"]["changed_keys"] == ["username"]
    assert value(aws) == {"username": "billing2", "dbname": "orders", "password": first}


def test_regenerate_rotates(aws, run_module):
    run_module(gs, args())
    first = value(aws)["password"]
    assert run_module(gs, args(regenerate=True))["changed"] is True
    assert value(aws)["password"] != first


def test_absent_and_restore(aws, run_module):
    run_module(gs, args())
    first = value(aws)["password"]
    assert run_module(gs, args(state="absent"))["changed"] is True
    assert run_module(gs, args(state="absent"))["changed"] is False
    # scheduled for deletion: present restores it with its value instead of failing or regenerating
    assert run_module(gs, args())["changed"] is True
    assert value(aws)["password"] == first


def test_the_current_version_is_returned_and_moves_with_the_value(aws, run_module):
    """What was set from the value (the app's database role) tells a new password by the version id."""
    made = run_module(gs, args())["secret"]["version_id"]
    current = aws("secretsmanager").describe_secret(SecretId="demo-t/billing-db")["VersionIdsToStages"]
    assert current[made] == ["AWSCURRENT"]
    assert run_module(gs, args())["secret"]["version_id"] == made
    rotated = run_module(gs, args(regenerate=True))["secret"]["version_id"]
    assert rotated != made
    assert "AWSCURRENT" in aws("secretsmanager").describe_secret(SecretId="demo-t/billing-db")["VersionIdsToStages"][rotated]


# ---- automatic rotation through a function (the endpoint's Lambda runner replaced by an in-process one)
FUNCTION = "demo-t-billing-db-rotation"


class Steps(list):
    """The steps the function ran; slow: seconds a step takes. RotateSecret answers while they run, as AWS's does."""

    slow = None


def ended(aws, seconds=10):
    """Wait for the rotation under way to end: no version AWSPENDING without AWSCURRENT (RotateSecret)."""
    deadline = time.monotonic() + seconds
    while any("AWSPENDING" in labels and "AWSCURRENT" not in labels for labels in
              aws("secretsmanager").describe_secret(SecretId="demo-t/billing-db")["VersionIdsToStages"].values()):
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.fixture(name="rotation_function")
def fixture_rotation_function(aws, monkeypatch):
    """A rotation function in the account; its steps (run in-process) put a new password and make it current."""
    import endpoint_lambda  # pylint: disable=import-outside-toplevel,import-error

    steps = Steps()
    slow = {}

    def run(function, event):
        steps.append(event["Step"])
        time.sleep(slow.get(event["Step"], 0))
        sm = aws("secretsmanager")
        arn, token = event["SecretId"], event["ClientRequestToken"]
        if event["Step"] == "createSecret":
            current = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
            sm.put_secret_value(SecretId=arn, ClientRequestToken=token, VersionStages=["AWSPENDING"],
                                SecretString=json.dumps(dict(current, username=current["username"] + "_clone",
                                                             password="rotated-" + token[:8])))
        elif event["Step"] == "finishSecret":
            stages = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
            old = next(v for v, s in stages.items() if "AWSCURRENT" in s)
            sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                           RemoveFromVersionId=old)
        if event["Step"] in fail:
            return '{"errorMessage": "no"}', True, "no"
        return "null", False, ""

    fail = set()
    steps.slow = slow
    monkeypatch.setattr(endpoint_lambda, "run_function", run)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = aws("iam").create_role(RoleName=FUNCTION, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    arn = aws("lambda").create_function(FunctionName=FUNCTION, Runtime="python3.12", Role=role, Handler="x.handler",
                                        Code={"ZipFile": b"PK"})["FunctionArn"]
    return arn, steps, fail


def test_rotation_is_turned_on_without_rotating_and_kept(aws, run_module, rotation_function):
    arn, steps, dummy = rotation_function
    made = run_module(gs, args(values={"dbname": "orders"}, initial_values={"username": "billing"}))
    first = value(aws)
    planned = run_module(gs, args(rotation={"function_arn": arn, "days": 30}), check=True, diff=True)
    assert planned["changed"] is True and planned["diff"]["after"]["rotation"] == {"days": 30, "function_arn": arn}
    assert steps == [] and aws("secretsmanager").describe_secret(SecretId="demo-t/billing-db").get("RotationEnabled") is not True
    on = run_module(gs, args(values={"dbname": "orders"}, initial_values={"username": "billing"},
                             rotation={"function_arn": arn, "days": 30}))
    assert on["changed"] is True and on["secret"]["rotation"] == {"days": 30, "function_arn": arn}
    described = aws("secretsmanager").describe_secret(SecretId="demo-t/billing-db")
    assert described["RotationEnabled"] is True and described["RotationRules"]["AutomaticallyAfterDays"] == 30
    ended(aws)
    # Checked, not rotated: only the test step ran, and the value and its version are the same.
    assert steps == ["testSecret"] and value(aws) == first and on["secret"]["version_id"] == made["secret"]["version_id"]
    again = run_module(gs, args(values={"dbname": "orders"}, initial_values={"username": "billing"},
                                rotation={"function_arn": arn, "days": 30}))
    assert again["changed"] is False


def test_regenerate_with_rotation_rotates_through_the_function_once(aws, run_module, rotation_function):
    arn, steps, dummy = rotation_function
    rotating = args(values={"dbname": "orders"}, initial_values={"username": "billing"}, rotation={"function_arn": arn, "days": 30})
    run_module(gs, rotating)
    first = value(aws)
    rotated = run_module(gs, dict(rotating, regenerate=True))
    assert rotated["changed"] is True and rotated["secret"]["rotated"] is True
    assert steps == ["testSecret", "createSecret", "setSecret", "testSecret", "finishSecret"]
    now = value(aws)
    # The function's new login and password are kept: the fixed and initial values do not undo them.
    assert now["username"] == "billing_clone" and now["password"] != first["password"]
    assert "AWSCURRENT" in aws("secretsmanager").describe_secret(SecretId="demo-t/billing-db")["VersionIdsToStages"][
        rotated["secret"]["version_id"]]
    kept = run_module(gs, rotating)
    assert kept["changed"] is False and value(aws) == now


def test_rotation_turned_on_and_run_now_waits_for_the_test_step(aws, run_module, rotation_function):
    """Turning rotation on starts its test step (RotateImmediately=false), which runs after RotateSecret answers; a
    rotation asked in the same run waits for it to end instead of being refused ("Previous rotation request is still
    in progress")."""
    arn, steps, dummy = rotation_function
    run_module(gs, args(values={"dbname": "orders"}, initial_values={"username": "billing"}))
    steps.slow["testSecret"] = 0.5
    rotated = run_module(gs, args(values={"dbname": "orders"}, initial_values={"username": "billing"},
                                  rotation={"function_arn": arn, "days": 30}, regenerate=True))
    assert rotated["changed"] is True and rotated["secret"]["rotated"] is True
    assert steps == ["testSecret", "createSecret", "setSecret", "testSecret", "finishSecret"]
    assert value(aws)["username"] == "billing_clone"


def test_rotation_off_cancels_it(aws, run_module, rotation_function):
    arn, dummy, dummy2 = rotation_function
    run_module(gs, args(rotation={"function_arn": arn, "days": 30}))
    off = run_module(gs, args(rotation={"days": 0}))
    assert off["changed"] is True and off["secret"]["rotation"] == {"days": 0}
    assert aws("secretsmanager").describe_secret(SecretId="demo-t/billing-db").get("RotationEnabled") is False


def test_rotation_inputs_are_checked(aws, run_module):
    with pytest.raises(ModuleFail, match="rotation.function_arn is required"):
        run_module(gs, args(rotation={"days": 30}))
    with pytest.raises(ModuleFail, match="rotation.days must be 0"):
        run_module(gs, args(rotation={"function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:x", "days": 1001}))
    assert aws("secretsmanager").list_secrets()["SecretList"] == []


def test_a_rotation_that_fails_fails_the_module_and_keeps_the_value(aws, run_module, rotation_function, monkeypatch):
    from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(pu.time, "sleep", lambda s: None)
    arn, steps, fail = rotation_function
    rotating = args(initial_values={"username": "billing"}, values={"dbname": "orders"}, rotation={"function_arn": arn, "days": 30})
    run_module(gs, rotating)
    first = value(aws)
    fail.add("setSecret")
    with pytest.raises(ModuleFail, match="the rotation of demo-t/billing-db to make version .* current.*log group"):
        run_module(gs, dict(rotating, regenerate=True, rotation_timeout=1))
    assert value(aws) == first
    assert steps[-2:] == ["createSecret", "setSecret"]
