"""aurora_kms_migration against moto: a full migration, re-run, check mode, resume after a stop, wrong key."""

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils import aurora_kms as akm_parts
from ansible_collections.cloud_design.platform.plugins.modules import aurora_kms_migration as akm

from ...conftest import ModuleFail

CLUSTER = "demo-t-inventory-db"


@pytest.fixture
def source(aws):
    rds = aws("rds")
    rds.create_db_cluster(DBClusterIdentifier=CLUSTER, Engine="aurora-postgresql", EngineVersion="16.6", MasterUsername="inventory",
                          MasterUserPassword="a-long-password-1", BackupRetentionPeriod=7, PreferredBackupWindow="03:00-04:00",
                          EnableCloudwatchLogsExports=["postgresql"], DeletionProtection=True, CopyTagsToSnapshot=True,
                          Tags=[{"Key": "Project", "Value": "demo"}])
    for index in (1, 2):
        rds.create_db_instance(DBInstanceIdentifier="%s-%d" % (CLUSTER, index), DBClusterIdentifier=CLUSTER, Engine="aurora-postgresql",
                               DBInstanceClass="db.r6g.large")
    key = aws("kms").create_key()["KeyMetadata"]
    aws("kms").create_alias(AliasName="alias/demo-t-data", TargetKeyId=key["KeyId"])
    return key["Arn"]


def clusters(aws):
    return {c["DBClusterIdentifier"]: c for c in aws("rds").describe_db_clusters()["DBClusters"]}


def test_check_mode_plans_and_changes_nothing(aws, run_module, source):
    result = run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"}, check=True)
    assert result["changed"] is True
    assert result["steps"][:3] == ["snapshot", "copy", "restore"] and "cutover" in result["steps"]
    assert list(clusters(aws)) == [CLUSTER]
    assert clusters(aws)[CLUSTER]["StorageEncrypted"] is False


def test_migrates_keeping_identifier_and_settings(aws, run_module, source):
    result = run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert result["changed"] is True and result["kms_key_arn"] == source
    found = clusters(aws)
    assert sorted(found) == [CLUSTER, CLUSTER + "-kmsmig-old"]
    migrated = found[CLUSTER]
    assert migrated["StorageEncrypted"] is True and migrated["KmsKeyId"] == source
    assert migrated["BackupRetentionPeriod"] == 7 and migrated["EngineVersion"] == "16.6"
    assert migrated["EnabledCloudwatchLogsExports"] == ["postgresql"]
    assert migrated["DeletionProtection"] is True
    assert {"Key": "Project", "Value": "demo"} in migrated["TagList"]
    # The instances took the source's names; the source's kept theirs with -kmsmig-old. (moto drops
    # a renamed instance from its cluster's member list, so the names are checked, not the members.)
    instances = sorted(i["DBInstanceIdentifier"] for i in aws("rds").describe_db_instances()["DBInstances"])
    assert instances == [CLUSTER + "-1", CLUSTER + "-1-kmsmig-old", CLUSTER + "-2", CLUSTER + "-2-kmsmig-old"]
    assert found[CLUSTER + "-kmsmig-old"]["StorageEncrypted"] is False
    again = run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert again["changed"] is False and again["steps"] == []


def test_resumes_after_a_stop_before_the_cutover(aws, run_module, source, monkeypatch):
    real = akm_parts.Migration.cut_over

    def stop(*args, **kwargs):
        raise akm_parts.PlatformError("stopped (injected)")

    monkeypatch.setattr(akm_parts.Migration, "cut_over", stop)
    with pytest.raises(ModuleFail, match="stopped"):
        run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert sorted(clusters(aws)) == [CLUSTER, CLUSTER + "-kmsmig-new"]
    monkeypatch.setattr(akm_parts.Migration, "cut_over", real)
    result = run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert "restore" not in result["steps"] and "cutover" in result["steps"]
    assert clusters(aws)[CLUSTER]["StorageEncrypted"] is True
    assert len(aws("rds").describe_db_instances()["DBInstances"]) == 4  # two new, two kept with the source


def test_resumes_between_the_two_renames(aws, run_module, source, monkeypatch):
    real = akm_parts.Migration.finish_cutover

    def stop(self, *args, **kwargs):
        raise akm_parts.PlatformError("stopped (injected)")

    monkeypatch.setattr(akm_parts.Migration, "finish_cutover", stop)
    with pytest.raises(ModuleFail, match="stopped"):
        run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert CLUSTER not in clusters(aws)
    monkeypatch.setattr(akm_parts.Migration, "finish_cutover", real)
    result = run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert result["steps"] == ["cutover"]
    assert clusters(aws)[CLUSTER]["StorageEncrypted"] is True


def test_other_key_is_refused_without_rekey(aws, run_module, source):
    run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data", "delete_source": True})
    other = aws("kms").create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(ModuleFail, match="set rekey"):
        run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": other})


def test_delete_source_keeps_a_final_snapshot(aws, run_module, source):
    run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data", "delete_source": True})
    assert list(clusters(aws)) == [CLUSTER]
    snapshots = [s["DBClusterSnapshotIdentifier"] for s in aws("rds").describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]]
    # RDS takes the final snapshot of the old, unencrypted cluster unencrypted: it is kept only as a copy with the key.
    assert CLUSTER + "-kmsmig-old-final" not in snapshots and CLUSTER + "-kmsmig-old-final-encrypted" in snapshots
    final = aws("rds").describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=CLUSTER + "-kmsmig-old-final-encrypted")
    assert final["DBClusterSnapshots"][0]["StorageEncrypted"] is True and final["DBClusterSnapshots"][0]["KmsKeyId"] == source
    assert CLUSTER + "-kmsmig-source" not in snapshots


def test_parity_difference_stops_before_cutover():
    source = {"Engine": "aurora-postgresql", "EngineVersion": "16.6", "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1"}]}
    new = dict(source, EngineVersion="16.4")
    assert akm_parts.parity_differences(source, new, [], []) == ["EngineVersion: 16.6 != 16.4"]
    assert akm_parts.parity_differences(source, source, [{"DBInstanceClass": "db.r6g.large"}], [{"DBInstanceClass": "db.t4g.medium"}]) == [
        "instance DBInstanceClass: ['db.r6g.large'] != ['db.t4g.medium']"]


STEPS = ["ensure_snapshot", "ensure_copy", "ensure_restore", "ensure_instances", "cut_over", "finish_cutover"]


@pytest.mark.parametrize("step", STEPS)
def test_a_stop_after_each_step_is_finished_by_the_next_run(aws, run_module, source, monkeypatch, step):
    """Each step completes, then the run dies (as if killed); the next run finishes without doubles."""
    real = getattr(akm_parts.Migration, step)

    def then_stop(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise akm_parts.PlatformError("killed after %s (injected)" % step)

    monkeypatch.setattr(akm_parts.Migration, step, then_stop)
    with pytest.raises(ModuleFail, match="killed after"):
        run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    monkeypatch.setattr(akm_parts.Migration, step, real)
    run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    found = clusters(aws)
    assert sorted(found) == [CLUSTER, CLUSTER + "-kmsmig-old"]
    assert found[CLUSTER]["StorageEncrypted"] is True and found[CLUSTER]["KmsKeyId"] == source
    instances = sorted(i["DBInstanceIdentifier"] for i in aws("rds").describe_db_instances()["DBInstances"])
    assert instances == [CLUSTER + "-1", CLUSTER + "-1-kmsmig-old", CLUSTER + "-2", CLUSTER + "-2-kmsmig-old"]
    manual = [s["DBClusterSnapshotIdentifier"] for s in aws("rds").describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]]
    assert sorted(manual) == [CLUSTER + "-kmsmig-encrypted", CLUSTER + "-kmsmig-source"]
    assert run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})["changed"] is False


def test_throttling_is_retried(aws, run_module, source, transient_answers):  # pylint: disable=unused-argument
    """AWS answers the snapshot call with throttling once: botocore waits and sends it again, and the run goes on."""
    transient_answers["CreateDBClusterSnapshot"] = [("Throttling", 400, False)]
    result = run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert transient_answers["CreateDBClusterSnapshot"] == []
    assert "snapshot" in result["steps"] and clusters(aws)[CLUSTER]["StorageEncrypted"] is True


def test_rollback_gives_the_identifier_back(aws, run_module, source):
    run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    result = run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data", "rollback": True})
    assert result["steps"] == ["rollback"]
    found = clusters(aws)
    assert found[CLUSTER]["StorageEncrypted"] is False
    assert found[CLUSTER + "-kmsmig-new"]["StorageEncrypted"] is True


# ---- what the endpoint cannot hold (I/O-Optimized storage, global databases, managed secrets): recorded API shapes

SHAPE = {
    "DBClusterIdentifier": CLUSTER, "DBClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:" + CLUSTER,
    "DbClusterResourceId": "cluster-OLDRESOURCEID", "IAMDatabaseAuthenticationEnabled": True,
    "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 16.0}, "StorageType": "aurora-iopt1",
    "HttpEndpointEnabled": True,
    "AssociatedRoles": [{"RoleArn": "arn:aws:iam::123456789012:role/s3-import", "FeatureName": "s3Import", "Status": "ACTIVE"}],
    "MasterUserSecret": {"SecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1", "KmsKeyId": "k-secrets"},
}


def test_what_the_restore_carries_and_what_is_set_after_it():
    assert akm_parts.restore_extras(SHAPE) == {"ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 16.0},
                                               "StorageType": "aurora-iopt1"}
    assert akm_parts.restore_extras({"StorageType": "aurora"}) == {}
    assert akm_parts.carried_after_restore(SHAPE, {}) == {"EnableHttpEndpoint": True, "ManageMasterUserPassword": True,
                                                          "MasterUserSecretKmsKeyId": "k-secrets"}
    assert akm_parts.carried_after_restore(SHAPE, SHAPE) == {}
    assert akm_parts.roles_of(SHAPE) == [("arn:aws:iam::123456789012:role/s3-import", "s3Import")]


def test_instances_keep_monitoring_performance_insights_and_the_ca():
    instance = {"MonitoringInterval": 60, "MonitoringRoleArn": "arn:aws:iam::123456789012:role/rds-monitoring",
                "PerformanceInsightsEnabled": True, "PerformanceInsightsKMSKeyId": "k-data", "PerformanceInsightsRetentionPeriod": 7,
                "CACertificateIdentifier": "rds-ca-rsa2048-g1"}
    assert akm_parts.instance_extras(instance) == {
        "MonitoringInterval": 60, "MonitoringRoleArn": "arn:aws:iam::123456789012:role/rds-monitoring", "EnablePerformanceInsights": True,
        "PerformanceInsightsKMSKeyId": "k-data", "PerformanceInsightsRetentionPeriod": 7, "CACertificateIdentifier": "rds-ca-rsa2048-g1"}
    assert akm_parts.instance_extras({"MonitoringInterval": 0, "PerformanceInsightsEnabled": False}) == {}


def test_parity_sees_every_setting_it_carries():
    new = dict(SHAPE, StorageType="aurora", HttpEndpointEnabled=False, AssociatedRoles=[], MasterUserSecret=None)
    found = akm_parts.parity_differences(SHAPE, new, [{"DBInstanceClass": "db.serverless", "MonitoringInterval": 60}],
                                         [{"DBInstanceClass": "db.serverless", "MonitoringInterval": 0}])
    text = "; ".join(found)
    for what in ("storage type", "HttpEndpointEnabled", "MasterUserSecret", "AssociatedRoles", "instance MonitoringInterval"):
        assert what in text, (what, text)


def test_what_changes_is_said():
    told = akm_parts.notices(SHAPE, {"DbClusterResourceId": "cluster-NEWRESOURCEID"})
    assert "rds-db:connect" in told[0] and "cluster-OLDRESOURCEID to cluster-NEWRESOURCEID" in told[0]
    assert "new secret" in told[1] and "rds!cluster-1" in told[1]


@pytest.mark.parametrize("shape, reason", [
    ({"ReplicationSourceIdentifier": "arn:aws:rds:eu-central-1:123456789012:cluster:primary"}, "is a read replica of"),
    ({"ReadReplicaIdentifiers": ["arn:aws:rds:eu-central-1:123456789012:cluster:dr"]}, "has read replicas"),
    ({}, "member of the global database shop-global"),
])
def test_refused_before_any_step(aws, run_module, source, monkeypatch, shape, reason):
    monkeypatch.setattr(akm_parts.Migration, "global_members",
                        lambda self: {} if shape else {clusters(aws)[CLUSTER]["DBClusterArn"]: "shop-global"})
    real = akm_parts.Migration.cluster
    monkeypatch.setattr(akm_parts.Migration, "cluster", lambda self, cid: dict(real(self, cid) or {}, **shape) if cid == CLUSTER else real(self, cid))
    with pytest.raises(ModuleFail) as failed:
        run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data"})
    assert reason in failed.value.result["msg"] and "nothing was changed" in failed.value.result["msg"]
    assert failed.value.result["steps"] == []
    assert aws("rds").describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"] == []


def test_delete_source_without_a_final_snapshot(aws, run_module, source):
    run_module(akm, {"cluster_id": CLUSTER, "kms_key_id": "alias/demo-t-data", "delete_source": True, "final_snapshot": False})
    assert list(clusters(aws)) == [CLUSTER]
    assert aws("rds").describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"] == []
