"""rds_cluster_master_secret against moto: RDS takes over the master password, once."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import rds_cluster_master_secret as mod

from ...conftest import ModuleFail


@pytest.fixture(name="cluster")
def fixture_cluster(aws):
    key = aws("kms").create_key(Description="secrets")["KeyMetadata"]["Arn"]
    aws("rds").create_db_cluster(DBClusterIdentifier="demo-t-billing-db", Engine="aurora-postgresql", MasterUsername="billing",
                                 MasterUserPassword="bootstrap-password-1", StorageEncrypted=True)
    return {"id": "demo-t-billing-db", "key": key}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(mod, "wait_for", lambda probe, done, **kw: next(r for r in iter(probe, None) if done(r)))


def test_rds_takes_over_the_master_password_once(aws, run_module, cluster):
    result = run_module(mod, {"cluster_id": cluster["id"], "kms_key_id": cluster["key"]}, diff=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": {"managed": False, "kms_key_id": None}, "after": {"managed": True, "kms_key_id": cluster["key"]}}
    found = aws("rds").describe_db_clusters(DBClusterIdentifier=cluster["id"])["DBClusters"][0]["MasterUserSecret"]
    assert found["KmsKeyId"] == cluster["key"] and found["SecretStatus"] == "active"
    assert result["secret"]["arn"] == found["SecretArn"]
    assert result["value_from"]["password"] == found["SecretArn"] + ":password::"
    again = run_module(mod, {"cluster_id": cluster["id"], "kms_key_id": cluster["key"]})
    assert again["changed"] is False and again["changes"] == []


def test_check_mode_changes_nothing(aws, run_module, cluster):
    result = run_module(mod, {"cluster_id": cluster["id"], "kms_key_id": cluster["key"]}, check=True)
    assert result["changes"] == ["RDS manages the master password of demo-t-billing-db"]
    assert "MasterUserSecret" not in aws("rds").describe_db_clusters(DBClusterIdentifier=cluster["id"])["DBClusters"][0]
    # Before the cluster exists (check mode of a first deploy): reported, nothing called that would fail.
    before = run_module(mod, {"cluster_id": "demo-t-other-db", "kms_key_id": cluster["key"]}, check=True)
    assert before["changed"] is True and before["value_from"]["username"].startswith("(new secret of demo-t-other-db)")


def test_a_missing_cluster_fails_with_what_to_do(aws, run_module, cluster):
    with pytest.raises(ModuleFail, match="DB cluster demo-t-other-db does not exist; make it first"):
        run_module(mod, {"cluster_id": "demo-t-other-db", "kms_key_id": cluster["key"]})


def test_rotation_on_request_and_another_key_is_only_reported(aws, run_module, cluster):
    run_module(mod, {"cluster_id": cluster["id"], "kms_key_id": cluster["key"]})
    rotated = run_module(mod, {"cluster_id": cluster["id"], "kms_key_id": cluster["key"], "rotate": True})
    assert rotated["changes"] == ["rotate the master password of demo-t-billing-db"]
    other = aws("kms").create_key(Description="other")["KeyMetadata"]["Arn"]
    moved = run_module(mod, {"cluster_id": cluster["id"], "kms_key_id": other})
    assert moved["changed"] is False
    assert any("AWS cannot change the key of a secret RDS manages" in w for w in moved.get("warnings", []))
