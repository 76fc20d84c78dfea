"""generated_secret against moto: generated once, never returned, never changed by a re-run."""

import json

from ansible_collections.cloud_design.platform.plugins.modules import generated_secret as gs


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
