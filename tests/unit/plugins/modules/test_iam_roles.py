"""iam_roles against moto: each role made, then kept to its description, trust, boundary, tags and exactly its
policies; read once per run; removed with its policies."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.modules import iam_roles

from ...conftest import ModuleFail

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
WRITE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "arn:aws:logs:eu-west-1:123456789012:log-group:/demo/t/*"}]}


def role(**extra):
    return dict({"name": "demo-t-flow-logs", "description": "Flow logs of demo-t", "trust_policy": json.dumps(TRUST),
                 "inline_policies": {"write": json.dumps(WRITE)}}, **extra)


def args(*roles, **extra):
    return dict({"roles": list(roles) or [role()], "tags": {"Project": "demo"}}, **extra)


@pytest.fixture
def calls(monkeypatch):
    """The IAM calls the module makes, by operation."""
    made = []
    original = PlatformModule.client

    def client(self, service, **kwargs):
        conn = original(self, service, **kwargs)
        if service == "iam" and not getattr(conn, "_recorded", False):
            conn.meta.events.register("before-call.iam.*", lambda model, **kw: made.append(model.name))
            conn._recorded = True  # pylint: disable=protected-access
        return conn

    monkeypatch.setattr(PlatformModule, "client", client)
    return made


def test_made_then_kept(aws, run_module):
    planned = run_module(iam_roles, args(), check=True)
    assert planned["changed"] is True and planned["roles"]["demo-t-flow-logs"]["arn"].endswith(":role/demo-t-flow-logs")
    assert aws("iam").list_roles()["Roles"] == []
    made = run_module(iam_roles, args())
    assert made["changes"] == ["create role demo-t-flow-logs", "role demo-t-flow-logs: policy write"]
    iam = aws("iam")
    got = iam.get_role(RoleName="demo-t-flow-logs")["Role"]
    assert made["roles"]["demo-t-flow-logs"]["arn"] == got["Arn"] and got["Description"] == "Flow logs of demo-t"
    assert iam.list_role_tags(RoleName="demo-t-flow-logs")["Tags"] == [{"Key": "Project", "Value": "demo"}]
    assert iam.get_role_policy(RoleName="demo-t-flow-logs", PolicyName="write")["PolicyDocument"] == WRITE
    again = run_module(iam_roles, args(), check=True, diff=True)
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"]
    # The same documents written another way (a statement's list in another order) are the same policy.
    reordered = dict(WRITE, Statement=[dict(WRITE["Statement"][0], Action=list(reversed(WRITE["Statement"][0]["Action"])))])
    assert run_module(iam_roles, args(role(inline_policies={"write": reordered})))["changed"] is False


def test_every_part_converges(aws, run_module):
    iam = aws("iam")
    run_module(iam_roles, args())
    managed = iam.create_policy(PolicyName="extra", PolicyDocument=json.dumps(WRITE))["Policy"]["Arn"]
    iam.put_role_policy(RoleName="demo-t-flow-logs", PolicyName="stray", PolicyDocument=json.dumps(WRITE))
    iam.attach_role_policy(RoleName="demo-t-flow-logs", PolicyArn=managed)
    other_trust = dict(TRUST, Statement=[dict(TRUST["Statement"][0], Principal={"Service": "lambda.amazonaws.com"})])
    changed = run_module(iam_roles, args(role(description="Now this", trust_policy=other_trust, managed_policies=[],
                                              inline_policies={"write": dict(WRITE, Statement=WRITE["Statement"] * 1)}),
                                         tags={"Project": "demo", "Owner": "ops"},
                                         permissions_boundary=managed))
    assert sorted(changed["changes"]) == sorted([
        "role demo-t-flow-logs: permissions boundary extra", "role demo-t-flow-logs: trust policy",
        "role demo-t-flow-logs: description", "role demo-t-flow-logs: tags", "role demo-t-flow-logs: detach extra",
        "role demo-t-flow-logs: remove inline policy stray"])
    got = iam.get_role(RoleName="demo-t-flow-logs")["Role"]
    assert got["Description"] == "Now this" and got["PermissionsBoundary"]["PermissionsBoundaryArn"] == managed
    assert got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert iam.list_role_policies(RoleName="demo-t-flow-logs")["PolicyNames"] == ["write"]
    assert iam.list_attached_role_policies(RoleName="demo-t-flow-logs")["AttachedPolicies"] == []


def test_parts_not_given_are_left_alone(aws, run_module):
    iam = aws("iam")
    run_module(iam_roles, args())
    iam.put_role_policy(RoleName="demo-t-flow-logs", PolicyName="stray", PolicyDocument=json.dumps(WRITE))
    kept = run_module(iam_roles, {"roles": [role(inline_policies=None)]})
    assert kept["changed"] is False
    assert sorted(iam.list_role_policies(RoleName="demo-t-flow-logs")["PolicyNames"]) == ["stray", "write"]
    assert iam.list_role_tags(RoleName="demo-t-flow-logs")["Tags"] == [{"Key": "Project", "Value": "demo"}]


def test_roles_are_read_once_and_at_once(aws, run_module, calls):
    second = role(name="demo-t-backup", inline_policies={})
    run_module(iam_roles, args(role(), second))
    calls.clear()
    assert run_module(iam_roles, args(role(), second))["changed"] is False
    # Per role: the role, its tags, its attached and inline policies, and each inline document; nothing twice.
    assert sorted(calls) == sorted(["GetRole", "ListRoleTags", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy",
                                    "GetRole", "ListRoleTags", "ListAttachedRolePolicies", "ListRolePolicies"])


def test_a_create_answered_already_there_is_adopted(aws, run_module, monkeypatch):
    """A create whose answer was lost although IAM made the role: the next try is answered EntityAlreadyExists, and
    the role made is the one kept."""
    from ansible_collections.cloud_design.platform.plugins.module_utils import iam_roles as shared  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(shared.Roles, "_get_role", lambda self, name: None)  # the read came before the lost create
    aws("iam").create_role(RoleName="demo-t-flow-logs", AssumeRolePolicyDocument=json.dumps(TRUST))
    made = run_module(iam_roles, args())
    assert made["changes"][0] == "create role demo-t-flow-logs"
    assert [r["RoleName"] for r in aws("iam").list_roles()["Roles"]] == ["demo-t-flow-logs"]


def test_removed_with_its_policies(aws, run_module):
    iam = aws("iam")
    run_module(iam_roles, args())
    managed = iam.create_policy(PolicyName="extra", PolicyDocument=json.dumps(WRITE))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="demo-t-flow-logs", PolicyArn=managed)
    assert run_module(iam_roles, {"roles": [{"name": "demo-t-flow-logs"}], "state": "absent"}, check=True)["changed"] is True
    assert len(iam.list_roles()["Roles"]) == 1
    gone = run_module(iam_roles, {"roles": [{"name": "demo-t-flow-logs"}], "state": "absent"})
    assert gone["changes"] == ["delete role demo-t-flow-logs"] and iam.list_roles()["Roles"] == []
    assert run_module(iam_roles, {"roles": [{"name": "demo-t-flow-logs"}], "state": "absent"})["changed"] is False


def test_bad_input_is_refused_before_any_change(aws, run_module):
    with pytest.raises(ModuleFail, match="roles demo-t-flow-logs have no trust_policy"):
        run_module(iam_roles, {"roles": [{"name": "demo-t-flow-logs"}]})
    with pytest.raises(ModuleFail, match="roles names demo-t-flow-logs more than once"):
        run_module(iam_roles, args(role(), role()))
    with pytest.raises(ModuleFail, match="inline policy write of demo-t-flow-logs is not JSON"):
        run_module(iam_roles, args(role(inline_policies={"write": "{not json"})))
    assert aws("iam").list_roles()["Roles"] == []
