"""rds_cluster_parameter_groups against moto (with the endpoint's cluster parameter group corrections): an exact set
of groups under a prefix, compared by the values of the parameters they set; a lost create answer adopted; a group
in use kept."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import rds_cluster_parameter_groups

from ...conftest import ModuleFail

OWNER = {"Project": "demo", "Environment": "t"}
NAME = "demo-t-inventory-db-aurora-postgresql16"


def args(groups=None, **extra):
    if groups is None:
        groups = [{"name": NAME, "family": "aurora-postgresql16", "description": "TLS only",
                   "parameters": [{"name": "rds.force_ssl", "value": "1"}]}]
    return dict({"prefix": "demo-t-inventory-db-", "owner_tags": OWNER, "groups": groups,
                 "tags": dict(OWNER, Component="service_inventory")}, **extra)


def found(aws):
    rds = aws("rds")
    out = {}
    for group in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]:
        name = group["DBClusterParameterGroupName"]
        tags = {t["Key"]: t["Value"] for t in rds.list_tags_for_resource(ResourceName=group["DBClusterParameterGroupArn"])["TagList"]}
        values = {p["ParameterName"]: (p["ParameterValue"], p.get("ApplyMethod"))
                  for p in rds.describe_db_cluster_parameters(DBClusterParameterGroupName=name)["Parameters"]}
        out[name] = (group["DBParameterGroupFamily"], values, tags)
    return out


def test_create_rerun_check(aws, run_module):
    assert run_module(rds_cluster_parameter_groups, args(), check=True)["changes"] == [
        "create parameter group " + NAME, "set rds.force_ssl=1 in " + NAME]
    assert found(aws) == {}
    made = run_module(rds_cluster_parameter_groups, args())
    assert made["changed"] is True
    assert found(aws) == {NAME: ("aurora-postgresql16", {"rds.force_ssl": ("1", "immediate")},
                                 {"Project": "demo", "Environment": "t", "Component": "service_inventory"})}
    again = run_module(rds_cluster_parameter_groups, args(), check=True, diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert run_module(rds_cluster_parameter_groups, args())["changed"] is False


def test_only_the_value_is_compared(aws, run_module):
    """AWS reports the apply method as it applies the parameter, not as it was asked: a group whose value is right is
    left alone whatever method it reports, and a wrong value is set again."""
    run_module(rds_cluster_parameter_groups, args())
    rds = aws("rds")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=NAME, Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    assert run_module(rds_cluster_parameter_groups, args())["changed"] is False
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=NAME, Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    assert run_module(rds_cluster_parameter_groups, args())["changes"] == ["set rds.force_ssl=1 in " + NAME]
    assert found(aws)[NAME][1]["rds.force_ssl"][0] == "1"


def test_a_family_cannot_change(aws, run_module):
    run_module(rds_cluster_parameter_groups, args())
    wanted = args()
    wanted["groups"][0]["family"] = "aurora-postgresql17"
    with pytest.raises(ModuleFail) as err:
        run_module(rds_cluster_parameter_groups, wanted)
    assert "is of family aurora-postgresql16, not aurora-postgresql17" in err.value.result["msg"]


def test_an_unlisted_group_goes_unless_a_cluster_uses_it(aws, run_module):
    """After a major version upgrade the cluster's new group is listed and the old one is not: it stays while the
    cluster uses it (AWS refuses that removal) and goes on the run after; another owner's group stays."""
    run_module(rds_cluster_parameter_groups, args())
    rds = aws("rds")
    rds.create_db_cluster(DBClusterIdentifier="demo-t-inventory-db", Engine="aurora-postgresql", EngineVersion="16.6",
                          MasterUsername="admin_user", MasterUserPassword="not-a-real-password-1",
                          DBClusterParameterGroupName=NAME)
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="demo-t-inventory-db-handmade",
                                          DBParameterGroupFamily="aurora-postgresql16", Description="someone's")
    newer = [{"name": "demo-t-inventory-db-aurora-postgresql17", "family": "aurora-postgresql17", "description": "TLS only",
              "parameters": [{"name": "rds.force_ssl", "value": "1"}]}]
    result = run_module(rds_cluster_parameter_groups, args(newer))
    assert result["changes"] == ["create parameter group demo-t-inventory-db-aurora-postgresql17",
                                 "set rds.force_ssl=1 in demo-t-inventory-db-aurora-postgresql17"]
    assert NAME in found(aws)
    rds.delete_db_cluster(DBClusterIdentifier="demo-t-inventory-db", SkipFinalSnapshot=True)
    assert run_module(rds_cluster_parameter_groups, args(newer))["changes"] == ["delete parameter group " + NAME]
    assert run_module(rds_cluster_parameter_groups, args([], state="absent"))["changes"] == [
        "delete parameter group demo-t-inventory-db-aurora-postgresql17"]
    assert list(found(aws)) == ["demo-t-inventory-db-handmade"]


def test_lost_create_answer_is_adopted_not_sent_twice(aws, run_module, lose_answers):
    lose_answers.update(create_db_cluster_parameter_group=1)
    result = run_module(rds_cluster_parameter_groups, args())
    assert lose_answers == {"create_db_cluster_parameter_group": 0}
    assert result["changes"] == ["create parameter group " + NAME, "set rds.force_ssl=1 in " + NAME]
    assert found(aws)[NAME][1] == {"rds.force_ssl": ("1", "immediate")}


def test_bad_inputs_fail_before_any_call(aws, run_module):
    with pytest.raises(ModuleFail) as err:
        run_module(rds_cluster_parameter_groups, args(prefix=""))
    assert "prefix is empty" in err.value.result["msg"]
    wrong = args()
    wrong["groups"][0]["name"] = "other-db-aurora-postgresql16"
    with pytest.raises(ModuleFail) as err:
        run_module(rds_cluster_parameter_groups, wrong)
    assert "must start with demo-t-inventory-db-" in err.value.result["msg"]
    assert found(aws) == {}
