"""playbooks/migrate_aurora_kms.yml on the endpoint: an unencrypted two-instance cluster with
non-default settings ends encrypted with the key under the same identifier, settings kept, after
runs stopped after every step (each next run resumes where the last one stopped), the cut-over by
the README's block; a further run changes nothing. (A kill inside a step is unit-tested at every step.)"""

from tests.support.harness import deployer_lacks, local_inventory, run_block, run_playbook

# A cluster of the environment (the deployer policy is scoped to <name>-<env>-*: docs/iam).
CLUSTER = "shop-dev-legacy-db"  # the README's block names it


def test_migration_encrypts_in_place_and_reruns_clean(ep, tmp_path):
    rds = ep.client("rds")
    ec2 = ep.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.90.%d.0/24" % i, AvailabilityZone="eu-west-1" + az)["Subnet"]["SubnetId"]
               for i, az in enumerate("ab")]
    group = ec2.create_security_group(GroupName="legacy-db", Description="legacy", VpcId=vpc)["GroupId"]
    rds.create_db_subnet_group(DBSubnetGroupName="shop-dev-legacy", DBSubnetGroupDescription="legacy", SubnetIds=subnets)
    rds.create_db_cluster(DBClusterIdentifier=CLUSTER, Engine="aurora-postgresql", EngineVersion="16.6", MasterUsername="orders",
                          MasterUserPassword="a-long-password-1", DBSubnetGroupName="shop-dev-legacy", VpcSecurityGroupIds=[group],
                          BackupRetentionPeriod=9, PreferredBackupWindow="01:00-02:00", EnableIAMDatabaseAuthentication=True,
                          EnableCloudwatchLogsExports=["postgresql"], Tags=[{"Key": "Owner", "Value": "billing-team"}])
    for index in (1, 2):
        rds.create_db_instance(DBInstanceIdentifier="%s-%d" % (CLUSTER, index), DBClusterIdentifier=CLUSTER,
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    # The platform's data key, as security_hardening makes it: the README's block migrates to it when no key is given.
    key = ep.client("kms").create_key(Description="migration target")["KeyMetadata"]["Arn"]
    ep.client("kms").create_alias(AliasName="alias/shop-dev-data", TargetKeyId=key)
    extra = {"platform_name": "shop", "platform_env": "dev", "aurora_kms_migration_cluster": CLUSTER, "aurora_kms_migration_kms_key": key}

    done = []
    for step in ("snapshot", "copy", "restore", "instances", "parity"):
        run = run_playbook(ep, "playbooks/migrate_aurora_kms.yml", extra_vars=dict(extra, aurora_kms_migration_stop_after=step))
        assert not run.failed, run
        result = next(host for name, host in run.host_results() if "steps" in host)
        done.extend(s for s in result["steps"] if not s.startswith("instance "))
        # the source still serves, unencrypted, until the cut-over
        assert rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["StorageEncrypted"] is False
    assert [s for s in done if s != "parity"] == ["snapshot", "copy", "restore"]
    assert rds.describe_db_clusters(DBClusterIdentifier=CLUSTER + "-kmsmig-new")["DBClusters"][0]["StorageEncrypted"] is True

    # The cut-over: the README's block as written, to the data key.
    inventory = local_inventory(ep, tmp_path / "inventory", {"platform_name": "shop", "platform_env": "dev"})
    run = run_block(ep, "migrate", inventory)
    assert not run.failed, run
    assert run.changed == 1
    migrated = rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]
    assert migrated["StorageEncrypted"] is True and migrated["KmsKeyId"] == key
    assert migrated["DBSubnetGroup"] == "shop-dev-legacy"
    assert [g["VpcSecurityGroupId"] for g in migrated["VpcSecurityGroups"]] == [group]
    assert migrated["BackupRetentionPeriod"] == 9 and migrated["PreferredBackupWindow"] == "01:00-02:00"
    assert migrated["IAMDatabaseAuthenticationEnabled"] is True
    assert migrated["EnabledCloudwatchLogsExports"] == ["postgresql"]
    assert {"Key": "Owner", "Value": "billing-team"} in migrated["TagList"]
    names = sorted(i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"] if i["DBInstanceIdentifier"].startswith(CLUSTER))
    assert names == [CLUSTER + "-1", CLUSTER + "-1-kmsmig-old", CLUSTER + "-2", CLUSTER + "-2-kmsmig-old"]

    again = run_playbook(ep, "playbooks/migrate_aurora_kms.yml", extra_vars=extra)
    assert not again.failed, again
    assert again.changed == 0, again.changed_tasks()
    # Every call of the migration's runs (snapshot, copy, restore, rename, delete) is in the deployer policy.
    assert deployer_lacks(ep) == []
