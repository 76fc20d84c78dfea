"""lambda_functions against moto: each function made (once its role can be assumed), then kept to its code,
configuration, tags and exactly its invoke permissions; read once and at once per run; removed."""

import io
import json
import zipfile

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils import lambda_functions as lf
from ansible_collections.cloud_design.platform.plugins.modules import lambda_functions

from ...conftest import ModuleFail

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
NAME = "demo-t-inventory-db-rotation"


def package(path, body="def handler(event, context):\n    return None\n"):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("secret_rotation.py", body)
    path.write_bytes(data.getvalue())
    return str(path)


@pytest.fixture
def role(aws):
    return aws("iam").create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


@pytest.fixture
def code(tmp_path):
    return package(tmp_path / "secret_rotation.zip")


def function(role_arn, zip_file, **extra):
    return dict({"name": NAME, "description": "Rotates inventory-db", "runtime": "python3.12", "handler": "secret_rotation.handler",
                 "zip_file": zip_file, "role_arn": role_arn, "timeout": 900, "environment": {"CLUSTER": "demo-t"},
                 "permissions": [{"statement_id": "secretsmanager-rotation", "principal": "secretsmanager.amazonaws.com",
                                  "source_account": "123456789012"}]}, **extra)


def args(*functions, **extra):
    return dict({"functions": list(functions), "tags": {"Project": "demo"}}, **extra)


def statements(aws, name=NAME):
    return {s["Sid"]: s for s in json.loads(aws("lambda").get_policy(FunctionName=name)["Policy"])["Statement"]}


def test_made_then_kept(aws, run_module, role, code):
    planned = run_module(lambda_functions, args(function(role, code)), check=True)
    assert planned["changed"] is True and planned["functions"][NAME]["arn"].endswith(":function:" + NAME)
    assert aws("lambda").list_functions()["Functions"] == []
    made = run_module(lambda_functions, args(function(role, code)))
    assert made["changes"] == ["create function %s" % NAME, "function %s: permission secretsmanager-rotation" % NAME]
    got = aws("lambda").get_function(FunctionName=NAME)
    config = got["Configuration"]
    assert (config["Runtime"], config["Handler"], config["Role"], config["Timeout"], config["Architectures"]) == (
        "python3.12", "secret_rotation.handler", role, 900, ["arm64"])
    assert config["Environment"]["Variables"] == {"CLUSTER": "demo-t"} and got["Tags"] == {"Project": "demo"}
    assert made["functions"][NAME]["arn"] == config["FunctionArn"] and made["functions"][NAME]["code_sha256"] == config["CodeSha256"]
    allowed = statements(aws)["secretsmanager-rotation"]
    assert allowed["Principal"] == {"Service": "secretsmanager.amazonaws.com"} and allowed["Action"] == "lambda:InvokeFunction"
    assert allowed["Condition"] == {"StringEquals": {"AWS:SourceAccount": "123456789012"}}
    again = run_module(lambda_functions, args(function(role, code)), check=True, diff=True)
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"], again["diff"]
    assert run_module(lambda_functions, args(function(role, code)))["changed"] is False


def test_every_part_converges(aws, run_module, role, code, tmp_path):
    run_module(lambda_functions, args(function(role, code)))
    aws("lambda").add_permission(FunctionName=NAME, StatementId="stray", Action="lambda:InvokeFunction", Principal="events.amazonaws.com")
    newer = package(tmp_path / "newer.zip", body="def handler(event, context):\n    return 1\n")
    changed = function(role, newer, timeout=600, environment={"CLUSTER": "demo-u"},
                       permissions=[{"statement_id": "secretsmanager-rotation", "principal": "secretsmanager.amazonaws.com",
                                     "source_account": "210987654321"}])
    planned = run_module(lambda_functions, args(changed, tags={"Project": "demo", "Owner": "t"}), check=True, diff=True)
    assert planned["changes"] == [
        "function %s: Environment, Timeout" % NAME, "function %s: code" % NAME, "function %s: tags Owner" % NAME,
        "function %s: remove permission stray" % NAME, "function %s: remove permission secretsmanager-rotation" % NAME,
        "function %s: permission secretsmanager-rotation" % NAME]
    assert planned["diff"]["before"][NAME]["timeout"] == 900 and planned["diff"]["after"][NAME]["timeout"] == 600
    assert aws("lambda").get_function_configuration(FunctionName=NAME)["Timeout"] == 900
    done = run_module(lambda_functions, args(changed, tags={"Project": "demo", "Owner": "t"}))
    assert done["changes"] == planned["changes"]
    got = aws("lambda").get_function(FunctionName=NAME)
    assert got["Configuration"]["Timeout"] == 600 and got["Configuration"]["Environment"]["Variables"] == {"CLUSTER": "demo-u"}
    assert got["Configuration"]["CodeSha256"] == lf.code_sha256(open(newer, "rb").read())
    assert got["Tags"] == {"Project": "demo", "Owner": "t"}
    assert list(statements(aws)) == ["secretsmanager-rotation"]
    assert statements(aws)["secretsmanager-rotation"]["Condition"]["StringEquals"]["AWS:SourceAccount"] == "210987654321"
    assert run_module(lambda_functions, args(changed, tags={"Project": "demo", "Owner": "t"}))["changed"] is False


def test_parts_not_given_are_left_alone(aws, run_module, role, code):
    run_module(lambda_functions, args(function(role, code)))
    aws("lambda").add_permission(FunctionName=NAME, StatementId="other", Action="lambda:InvokeFunction", Principal="events.amazonaws.com")
    aws("lambda").tag_resource(Resource=aws("lambda").get_function(FunctionName=NAME)["Configuration"]["FunctionArn"], Tags={"Team": "x"})
    kept = run_module(lambda_functions, {"functions": [function(role, code, permissions=None)]})
    assert kept["changed"] is False
    assert set(statements(aws)) == {"secretsmanager-rotation", "other"}


def test_a_rerun_reads_each_function_once_and_all_at_once(aws, run_module, role, code, slow_calls):
    second = dict(function(role, code), name=NAME + "-2")
    run_module(lambda_functions, args(function(role, code), second))
    slow_calls.start()
    assert run_module(lambda_functions, args(function(role, code), second))["changed"] is False
    assert sorted(slow_calls.calls) == ["GetFunction", "GetFunction", "GetPolicy", "GetPolicy"]
    assert slow_calls.most == 2


def test_the_create_waits_for_iam_to_hand_lambda_the_new_role(aws, run_module, role, code, monkeypatch):
    """Lambda refuses a role IAM has not propagated yet (the endpoint: a role younger than its window); the module tries
    again until it is accepted, and makes one function."""
    monkeypatch.setenv("ENDPOINT_IAM_PROPAGATION_SECONDS", "3600")
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:
            monkeypatch.setenv("ENDPOINT_IAM_PROPAGATION_SECONDS", "0")  # IAM has propagated the role now

    monkeypatch.setattr(lf.time, "sleep", sleep)
    made = run_module(lambda_functions, args(function(role, code)))
    assert made["changed"] is True and pauses == [1.0, 1.5]
    assert [f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]] == [NAME]


def test_a_role_lambda_never_accepts_fails_the_run_after_the_wait(aws, run_module, code, monkeypatch):
    untrusting = aws("iam").create_role(RoleName="no-lambda", AssumeRolePolicyDocument=json.dumps(
        dict(TRUST, Statement=[dict(TRUST["Statement"][0], Principal={"Service": "ecs-tasks.amazonaws.com"})])))["Role"]["Arn"]
    clock = [0.0]
    monkeypatch.setattr(lf.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(lf.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    with pytest.raises(ModuleFail) as failed:
        run_module(lambda_functions, args(function(untrusting, code)))
    assert "cannot be assumed by Lambda" in str(failed.value.result) and clock[0] >= lf.ROLE_PROPAGATION_SECONDS
    assert aws("lambda").list_functions()["Functions"] == []


def test_a_create_whose_answer_was_lost_is_adopted(aws, run_module, role, code, transient_answers):
    """CreateFunction carried out, its answer a 500: botocore sends it again, Lambda refuses the second function of the
    name, and the module goes on with the one made."""
    transient_answers["CreateFunction"] = [("ServiceException", 500, True)]
    made = run_module(lambda_functions, args(function(role, code)))
    assert made["changed"] is True
    assert [f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]] == [NAME]
    assert "secretsmanager-rotation" in statements(aws)


def test_removed(aws, run_module, role, code):
    run_module(lambda_functions, args(function(role, code)))
    planned = run_module(lambda_functions, {"functions": [{"name": NAME}], "state": "absent"}, check=True)
    assert planned["changes"] == ["delete function %s" % NAME]
    assert len(aws("lambda").list_functions()["Functions"]) == 1
    assert run_module(lambda_functions, {"functions": [{"name": NAME}], "state": "absent"})["changed"] is True
    assert aws("lambda").list_functions()["Functions"] == []
    assert run_module(lambda_functions, {"functions": [{"name": NAME}], "state": "absent"})["changed"] is False


@pytest.mark.parametrize("bad, message", [
    ({"runtime": None}, "lacks runtime"),
    ({"zip_file": "/nonexistent/rotation.zip"}, "is not a file"),
    ({"timeout": 901}, "must be 1 to 900 seconds"),
])
def test_bad_input_is_refused_before_any_change(aws, run_module, role, code, bad, message):
    good = dict(function(role, code), name=NAME + "-2")
    with pytest.raises(ModuleFail) as failed:
        run_module(lambda_functions, args(good, dict(function(role, code), **bad)))
    assert message in failed.value.result["msg"]
    assert aws("lambda").list_functions()["Functions"] == []


def test_the_functions_made_settle_side_by_side(aws, run_module, role, code, slow_calls):
    """Every function is made (and given its permission) before the module waits for the first to settle: on AWS each
    stays Pending for a while, and those waits overlap instead of adding up."""
    second = dict(function(role, code), name=NAME + "-2")
    slow_calls.start()
    run_module(lambda_functions, args(function(role, code), second))
    writes_and_waits = [c for c in slow_calls.calls if c in ("CreateFunction", "AddPermission", "GetFunctionConfiguration")]
    assert writes_and_waits == ["CreateFunction", "AddPermission"] * 2 + ["GetFunctionConfiguration"] * 2, slow_calls.calls
