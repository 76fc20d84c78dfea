"""cognito_user_pool against moto: pool, MFA, client, update of one setting, removal."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import cognito_user_pool as cup

from ...conftest import ModuleFail


def args(**extra):
    return dict({"name": "demo-t-api", "tags": {"Project": "demo"}}, **extra)


def pools(aws):
    return aws("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]


def test_check_mode(aws, run_module):
    result = run_module(cup, args(), check=True, diff=True)
    assert result["changed"] is True and pools(aws) == []


def test_create_rerun_and_issuer(aws, run_module):
    made = run_module(cup, args())
    assert made["changed"] is True
    pool_id = made["user_pool"]["id"]
    assert made["user_pool"]["issuer"] == "https://cognito-idp.eu-west-1.amazonaws.com/" + pool_id
    idp = aws("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UserPoolTags"] == {"Project": "demo"}
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OPTIONAL"
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=made["client"]["id"])["UserPoolClient"]
    assert "ClientSecret" not in client and sorted(client["ExplicitAuthFlows"]) == cup.AUTH_FLOWS
    again = run_module(cup, args(), diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["client"]["id"] == made["client"]["id"]


def test_update_one_setting(aws, run_module):
    pool_id = run_module(cup, args())["user_pool"]["id"]
    result = run_module(cup, args(password_policy={"min_length": 16}))
    assert result["changes"] == ["update user pool demo-t-api: Policies"]
    pool = aws("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 16
    # The rest is sent again (UpdateUserPool resets what a call leaves out).
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    result = run_module(cup, args(password_policy={"min_length": 16}, access_token_minutes=30))
    assert result["changes"] == ["update app client demo-t-api: AccessTokenValidity, IdTokenValidity"]


def test_bad_input_and_duplicates(aws, run_module):
    with pytest.raises(ModuleFail, match="unknown keys"):
        run_module(cup, args(password_policy={"length": 3}))
    with pytest.raises(ModuleFail, match="5 to 1440"):
        run_module(cup, args(access_token_minutes=2))
    for _attempt in range(2):
        aws("cognito-idp").create_user_pool(PoolName="demo-t-api")
    with pytest.raises(ModuleFail, match="found 2 Cognito user pools"):
        run_module(cup, args())


def test_absent_and_protection(aws, run_module):
    run_module(cup, args(deletion_protection=True))
    with pytest.raises(ModuleFail, match="deletion protection"):
        run_module(cup, args(state="absent"))
    run_module(cup, args())
    assert run_module(cup, args(state="absent"))["changed"] is True
    assert pools(aws) == []
    assert run_module(cup, args(state="absent"))["changed"] is False


def test_lost_create_answers_make_one_pool_and_one_client(aws, run_module, lose_answers):
    """CreateUserPool and CreateUserPoolClient carried out, their answers lost: both adopted by name, nothing made twice."""
    lose_answers.update(create_user_pool=1, create_user_pool_client=1)
    made = run_module(cup, args())
    assert lose_answers == {"create_user_pool": 0, "create_user_pool_client": 0}
    assert [p["Id"] for p in pools(aws)] == [made["user_pool"]["id"]]
    clients = aws("cognito-idp").list_user_pool_clients(UserPoolId=made["user_pool"]["id"], MaxResults=60)["UserPoolClients"]
    assert [c["ClientId"] for c in clients] == [made["client"]["id"]]
    assert run_module(cup, args())["changed"] is False
