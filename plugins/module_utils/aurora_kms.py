# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Aurora KMS migration's steps (snapshot, copy with the new key, restore, instances, parity, cut-over,
rollback), each resumable from what it finds: the work behind cloud_design.platform.aurora_kms_migration."""

from __future__ import annotations


from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformError, wait_for


SUFFIX_NEW = "-kmsmig-new"


SUFFIX_OLD = "-kmsmig-old"


INSTANCE_NEW = "-kmsmig"


INSTANCE_OLD = "-kmsmig-old"


# What the new cluster must share with the source (source field, new field).
PARITY = ["Engine", "EngineVersion", "Port", "DBSubnetGroup", "DBClusterParameterGroup", "BackupRetentionPeriod",
          "PreferredBackupWindow", "PreferredMaintenanceWindow", "IAMDatabaseAuthenticationEnabled", "CopyTagsToSnapshot"]


def names(cluster_id):
    return {
        "new": cluster_id + SUFFIX_NEW,
        "old": cluster_id + SUFFIX_OLD,
        "source_snapshot": cluster_id + "-kmsmig-source",
        "encrypted_snapshot": cluster_id + "-kmsmig-encrypted",
        "final_snapshot": cluster_id + SUFFIX_OLD + "-final",
        "final_encrypted": cluster_id + SUFFIX_OLD + "-final-encrypted",
    }


def refusals(source, global_members):
    """Why the source cannot be migrated this way (empty when it can); checked before any step."""
    out = []
    cid = source["DBClusterIdentifier"]
    if source.get("ReplicationSourceIdentifier"):
        out.append("%s is a read replica of %s: promote it, or migrate its source" % (cid, source["ReplicationSourceIdentifier"]))
    if source.get("ReadReplicaIdentifiers"):
        out.append("%s has read replicas (%s), which would stay on the old, unencrypted cluster: remove them, migrate, then "
                   "make them again from the new cluster" % (cid, ", ".join(source["ReadReplicaIdentifiers"])))
    if source.get("DBClusterArn") in global_members:
        out.append("%s is a member of the global database %s: remove it from the global database (or migrate the global "
                   "database with a new encrypted secondary) first" % (cid, global_members[source["DBClusterArn"]]))
    return out


SCALING_FIELDS = ("MinCapacity", "MaxCapacity", "SecondsUntilAutoPause")


def restore_extras(source):
    """Settings of the source that RestoreDBClusterFromSnapshot itself carries."""
    out = {}
    scaling = source.get("ServerlessV2ScalingConfiguration") or {}
    if scaling:
        out["ServerlessV2ScalingConfiguration"] = {k: scaling[k] for k in SCALING_FIELDS if scaling.get(k) is not None}
    if source.get("StorageType") and source["StorageType"] != "aurora":
        out["StorageType"] = source["StorageType"]
    return out


def carried_after_restore(source, new):
    """ModifyDBCluster settings the restore does not take: the Data API and an RDS-managed master password."""
    out = {}
    if source.get("HttpEndpointEnabled") and not new.get("HttpEndpointEnabled"):
        out["EnableHttpEndpoint"] = True
    secret = source.get("MasterUserSecret") or {}
    if secret and not new.get("MasterUserSecret"):
        out["ManageMasterUserPassword"] = True
        if secret.get("KmsKeyId"):
            out["MasterUserSecretKmsKeyId"] = secret["KmsKeyId"]
    return out


def roles_of(cluster):
    return sorted((r["RoleArn"], r.get("FeatureName") or "") for r in cluster.get("AssociatedRoles") or []
                  if r.get("Status", "ACTIVE") != "INVALID")


def instance_extras(instance):
    """CreateDBInstance settings of a source instance: Enhanced Monitoring, Performance Insights, CA certificate."""
    out = {}
    if instance.get("MonitoringInterval"):
        out["MonitoringInterval"] = instance["MonitoringInterval"]
        out["MonitoringRoleArn"] = instance.get("MonitoringRoleArn")
    if instance.get("PerformanceInsightsEnabled"):
        out["EnablePerformanceInsights"] = True
        out["PerformanceInsightsKMSKeyId"] = instance.get("PerformanceInsightsKMSKeyId")
        out["PerformanceInsightsRetentionPeriod"] = instance.get("PerformanceInsightsRetentionPeriod")
    if instance.get("CACertificateIdentifier"):
        out["CACertificateIdentifier"] = instance["CACertificateIdentifier"]
    return {k: v for k, v in out.items() if v is not None}


INSTANCE_PARITY = ("DBInstanceClass", "MonitoringInterval", "PerformanceInsightsEnabled", "CACertificateIdentifier")


def notices(source, new):
    """What changes for the users of the cluster, though it keeps its identifier and endpoints."""
    out = []
    if source.get("IAMDatabaseAuthenticationEnabled") and source.get("DbClusterResourceId") != (new or {}).get("DbClusterResourceId"):
        out.append("IAM database authentication: rds-db:connect policies name the cluster resource id, which changes from %s to %s; "
                   "update them at the cut-over" % (source.get("DbClusterResourceId"), (new or {}).get("DbClusterResourceId", "the new one")))
    if source.get("MasterUserSecret"):
        out.append("the RDS-managed master password is a new secret on the new cluster (was %s): point its users at the new ARN"
                   % source["MasterUserSecret"].get("SecretArn"))
    return out


def parity_differences(source, new, source_instances, new_instances):
    """What differs between the source and the new cluster, besides encryption."""
    out = []
    for key in PARITY:
        if source.get(key) != new.get(key):
            out.append("%s: %s != %s" % (key, source.get(key), new.get(key)))
    groups = sorted(g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups") or [])
    if groups != sorted(g["VpcSecurityGroupId"] for g in new.get("VpcSecurityGroups") or []):
        out.append("VpcSecurityGroups")
    if sorted(source.get("EnabledCloudwatchLogsExports") or []) != sorted(new.get("EnabledCloudwatchLogsExports") or []):
        out.append("EnabledCloudwatchLogsExports")
    tags = {t["Key"]: t["Value"] for t in source.get("TagList") or []}
    if tags != {t["Key"]: t["Value"] for t in new.get("TagList") or []}:
        out.append("TagList")
    if restore_extras(source) != restore_extras(new):
        out.append("Serverless v2 scaling or storage type: %s != %s" % (restore_extras(source), restore_extras(new)))
    if bool(source.get("HttpEndpointEnabled")) != bool(new.get("HttpEndpointEnabled")):
        out.append("HttpEndpointEnabled (Data API)")
    if bool(source.get("MasterUserSecret")) != bool(new.get("MasterUserSecret")):
        out.append("MasterUserSecret (RDS-managed master password)")
    if roles_of(source) != roles_of(new):
        out.append("AssociatedRoles: %s != %s" % (roles_of(source), roles_of(new)))
    for field in INSTANCE_PARITY:
        wanted = sorted(str(i.get(field)) for i in source_instances)
        got = sorted(str(i.get(field)) for i in new_instances)
        if wanted != got:
            out.append("instance %s: %s != %s" % (field, wanted, got))
    return out


class Migration:
    def __init__(self, module, rds, kms):
        self.module = module
        self.rds = rds
        self.kms = kms
        self.params = module.params
        self.check = module.check_mode
        self.names = names(self.params["cluster_id"])
        self.steps = []
        self.source = None
        self.timeout = self.params["wait_timeout"]

    # -- reads
    def cluster(self, cluster_id):
        try:
            return self.rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
        except is_boto3_error_code("DBClusterNotFoundFault"):
            return None

    def instances(self, cluster):
        ids = [m["DBInstanceIdentifier"] for m in (cluster or {}).get("DBClusterMembers") or []]
        out = []
        for instance_id in ids:
            try:
                out.append(self.rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0])
            except is_boto3_error_code("DBInstanceNotFound"):
                continue
        return sorted(out, key=lambda i: i["DBInstanceIdentifier"])

    def instance(self, instance_id):
        try:
            return self.rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0]
        except is_boto3_error_code("DBInstanceNotFound"):
            return None

    def snapshot(self, snapshot_id):
        try:
            return self.rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=snapshot_id)["DBClusterSnapshots"][0]
        except is_boto3_error_code("DBClusterSnapshotNotFoundFault"):
            return None

    def global_members(self):
        """{member cluster ARN: global cluster id} of the account's global databases."""
        out = {}
        try:
            pages = self.rds.get_paginator("describe_global_clusters").paginate().build_full_result()
        except is_boto3_error_code(("GlobalClusterNotFoundFault", "InvalidParameterValue")):
            return out
        for cluster in pages.get("GlobalClusters") or []:
            for member in cluster.get("GlobalClusterMembers") or []:
                out[member.get("DBClusterArn")] = cluster.get("GlobalClusterIdentifier")
        return out

    def key_arn(self):
        return self.kms.describe_key(KeyId=self.params["kms_key_id"])["KeyMetadata"]["Arn"]

    # -- waits
    def wait_cluster(self, cluster_id):
        return wait_for(lambda: self.cluster(cluster_id), lambda c: c is not None and c.get("Status") == "available",
                        timeout=self.timeout, delay=5, what="Aurora cluster %s" % cluster_id)

    def wait_instance(self, instance_id):
        return wait_for(lambda: self.instance(instance_id), lambda i: i is not None and i.get("DBInstanceStatus") == "available",
                        timeout=self.timeout, delay=5, what="instance %s" % instance_id)

    def wait_snapshot(self, snapshot_id):
        return wait_for(lambda: self.snapshot(snapshot_id), lambda s: s is not None and s.get("Status") == "available",
                        timeout=self.timeout, delay=5, what="snapshot %s" % snapshot_id)

    def step(self, name):
        self.steps.append(name)
        return not self.check

    # -- the state machine
    def run(self):
        cid = self.params["cluster_id"]
        key = self.key_arn()
        current = self.cluster(cid)
        new = self.cluster(self.names["new"])
        old = self.cluster(self.names["old"])
        if self.params["rollback"]:
            return self.roll_back(current, old)
        if current is None and new is not None and old is not None:
            # killed between the two renames of the cut-over
            self.finish_cutover(old, new)
            return self.cluster(cid) if not self.check else new, key
        if current is None:
            raise PlatformError("Aurora cluster %s does not exist" % cid)
        if current.get("StorageEncrypted"):
            if current.get("KmsKeyId") == key:
                if old is not None and old.get("DeletionProtection") and not current.get("DeletionProtection"):
                    # interrupted after the renames, before protection was carried over
                    if self.step("protect"):
                        self.rds.modify_db_cluster(DBClusterIdentifier=cid, DeletionProtection=True, ApplyImmediately=True)
                if old is not None and self.params["delete_source"]:
                    self.clean_up(old)
                return current, key
            if not self.params["rekey"] and old is None:
                raise PlatformError("Aurora cluster %s is encrypted with %s, not %s; set rekey to move it to the new key"
                                    % (cid, current.get("KmsKeyId"), key))
        source = current
        source_instances = self.instances(source)
        if not source_instances:
            raise PlatformError("Aurora cluster %s has no instances; nothing would serve the migrated data" % cid)
        refused = refusals(source, self.global_members())
        if refused:
            raise PlatformError("nothing was changed: " + "; ".join(refused))
        self.source = source
        stop = self.params.get("stop_after")
        self.ensure_snapshot(source)
        if stop == "snapshot":
            return source, key
        self.ensure_copy(key)
        if stop == "copy":
            return source, key
        new = self.ensure_restore(source, new, key)
        if stop == "restore":
            return source, key
        new_instances = self.ensure_instances(source_instances, new)
        if stop == "instances":
            return source, key
        if not self.check:
            differences = parity_differences(source, new, source_instances, new_instances)
            self.steps.append("parity")
            if differences:
                new_id = self.names["new"]
                raise PlatformError("the new cluster %s differs from %s: %s; nothing was cut over (fix the difference on %s "
                                    "and run again, or delete it to start over)" % (new_id, cid, "; ".join(differences), new_id))
        else:
            self.steps.append("parity")
        if stop == "parity":
            return source, key
        self.cut_over(source, source_instances, new)
        done = self.cluster(cid) if not self.check else source
        if self.params["delete_source"]:
            self.clean_up(self.cluster(self.names["old"]) if not self.check else source)
        return done, key

    def ensure_snapshot(self, source):
        name = self.names["source_snapshot"]
        found = self.snapshot(name)
        if found is None:
            if self.step("snapshot"):
                try:
                    self.rds.create_db_cluster_snapshot(DBClusterIdentifier=source["DBClusterIdentifier"],
                                                        DBClusterSnapshotIdentifier=name)
                except is_boto3_error_code("DBClusterSnapshotAlreadyExistsFault"):
                    pass
        if not self.check:
            self.wait_snapshot(name)

    def ensure_copy(self, key):
        name = self.names["encrypted_snapshot"]
        found = self.snapshot(name)
        if found is not None and found.get("StorageEncrypted") and found.get("KmsKeyId") != key:
            raise PlatformError("snapshot %s is encrypted with %s, not %s: delete it and run again" % (name, found.get("KmsKeyId"), key))
        if found is None:
            if self.step("copy"):
                try:
                    self.rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier=self.names["source_snapshot"],
                                                      TargetDBClusterSnapshotIdentifier=name, KmsKeyId=key, CopyTags=True)
                except is_boto3_error_code("DBClusterSnapshotAlreadyExistsFault"):
                    pass
        if not self.check:
            self.wait_snapshot(name)

    def ensure_restore(self, source, new, key):
        if new is None:
            if not self.step("restore"):
                return source
            request = {
                "DBClusterIdentifier": self.names["new"],
                "SnapshotIdentifier": self.names["encrypted_snapshot"],
                "Engine": source["Engine"],
                "EngineVersion": source.get("EngineVersion"),
                "Port": source.get("Port"),
                "DBSubnetGroupName": source.get("DBSubnetGroup"),
                "VpcSecurityGroupIds": [g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups") or []],
                "KmsKeyId": key,
                "EnableIAMDatabaseAuthentication": source.get("IAMDatabaseAuthenticationEnabled", False),
                "EnableCloudwatchLogsExports": source.get("EnabledCloudwatchLogsExports") or [],
                "CopyTagsToSnapshot": source.get("CopyTagsToSnapshot", False),
                "DeletionProtection": False,
                "Tags": source.get("TagList") or [],
            }
            if source.get("DBClusterParameterGroup"):
                request["DBClusterParameterGroupName"] = source["DBClusterParameterGroup"]
            request.update(restore_extras(source))
            try:
                self.rds.restore_db_cluster_from_snapshot(**{k: v for k, v in request.items() if v is not None})
            except is_boto3_error_code("DBClusterAlreadyExistsFault"):
                pass
        elif new.get("StorageEncrypted") and new.get("KmsKeyId") != key:
            raise PlatformError("%s exists, encrypted with %s, not %s: delete it and run again" % (self.names["new"], new.get("KmsKeyId"), key))
        if self.check:
            return new or source
        new = self.wait_cluster(self.names["new"])
        settings = {}
        for key_name, field in (("BackupRetentionPeriod", "BackupRetentionPeriod"), ("PreferredBackupWindow", "PreferredBackupWindow"),
                                ("PreferredMaintenanceWindow", "PreferredMaintenanceWindow")):
            if source.get(field) is not None and new.get(field) != source.get(field):
                settings[key_name] = source[field]
        settings.update(carried_after_restore(source, new))
        if settings:
            self.steps.append("settings")
            self.rds.modify_db_cluster(DBClusterIdentifier=self.names["new"], ApplyImmediately=True, **settings)
            new = self.wait_cluster(self.names["new"])
        have = roles_of(new)
        for role_arn, feature in roles_of(source):
            if (role_arn, feature) not in have:
                self.steps.append("role %s" % role_arn)
                extra = {"FeatureName": feature} if feature else {}
                try:
                    self.rds.add_role_to_db_cluster(DBClusterIdentifier=self.names["new"], RoleArn=role_arn, **extra)
                except is_boto3_error_code("DBClusterRoleAlreadyExists"):
                    pass
        if len(have) != len(roles_of(source)):
            new = self.wait_cluster(self.names["new"])
        return new

    def ensure_instances(self, source_instances, new):
        made = []
        for instance in source_instances:
            base = instance["DBInstanceIdentifier"]
            if base.endswith(INSTANCE_OLD):  # renamed by a cut-over that was interrupted
                base = base[:-len(INSTANCE_OLD)]
            name = base + INSTANCE_NEW
            found = self.instance(name)
            if found is None:
                if self.step("instance %s" % name):
                    request = {
                        "DBInstanceIdentifier": name,
                        "DBClusterIdentifier": self.names["new"],
                        "DBInstanceClass": instance["DBInstanceClass"],
                        "Engine": instance["Engine"],
                        "AvailabilityZone": instance.get("AvailabilityZone"),
                        "DBParameterGroupName": (instance.get("DBParameterGroups") or [{}])[0].get("DBParameterGroupName"),
                        "PromotionTier": instance.get("PromotionTier"),
                        "PubliclyAccessible": instance.get("PubliclyAccessible", False),
                        "AutoMinorVersionUpgrade": instance.get("AutoMinorVersionUpgrade", True),
                        "Tags": instance.get("TagList") or [],
                    }
                    request.update(instance_extras(instance))
                    try:
                        self.rds.create_db_instance(**{k: v for k, v in request.items() if v is not None})
                    except is_boto3_error_code("DBInstanceAlreadyExists"):
                        pass
            if not self.check:
                made.append(self.wait_instance(name))
        return made

    def rename_cluster(self, current, wanted):
        self.rds.modify_db_cluster(DBClusterIdentifier=current, NewDBClusterIdentifier=wanted, ApplyImmediately=True)
        return self.wait_cluster(wanted)

    def rename_instance(self, current, wanted):
        if self.instance(current) is None:
            return
        self.rds.modify_db_instance(DBInstanceIdentifier=current, NewDBInstanceIdentifier=wanted, ApplyImmediately=True)
        self.wait_instance(wanted)

    def cut_over(self, source, source_instances, new):
        if not self.step("cutover"):
            return
        cid = self.params["cluster_id"]
        for instance in source_instances:
            if not instance["DBInstanceIdentifier"].endswith(INSTANCE_OLD):
                self.rename_instance(instance["DBInstanceIdentifier"], instance["DBInstanceIdentifier"] + INSTANCE_OLD)
        self.rename_cluster(cid, self.names["old"])
        self.finish_cutover(self.cluster(self.names["old"]), self.cluster(self.names["new"]), protect=source.get("DeletionProtection"),
                            record=False)

    def finish_cutover(self, old, new, protect=None, record=True):
        if record and not self.step("cutover"):
            return
        cid = self.params["cluster_id"]
        for instance in self.instances(new):
            if instance["DBInstanceIdentifier"].endswith(INSTANCE_NEW):
                self.rename_instance(instance["DBInstanceIdentifier"], instance["DBInstanceIdentifier"][:-len(INSTANCE_NEW)])
        self.rename_cluster(self.names["new"], cid)
        protect = old.get("DeletionProtection") if protect is None else protect
        if protect:
            self.rds.modify_db_cluster(DBClusterIdentifier=cid, DeletionProtection=True, ApplyImmediately=True)

    def clean_up(self, old):
        if old is None or not self.step("cleanup"):
            return
        if old.get("DeletionProtection"):
            self.rds.modify_db_cluster(DBClusterIdentifier=old["DBClusterIdentifier"], DeletionProtection=False,
                                       ApplyImmediately=True)
        for instance in self.instances(old):
            try:
                self.rds.delete_db_instance(DBInstanceIdentifier=instance["DBInstanceIdentifier"], SkipFinalSnapshot=True)
            except is_boto3_error_code("DBInstanceNotFound"):
                pass
        wait_for(lambda: self.instances(self.cluster(old["DBClusterIdentifier"])), lambda left: not left, timeout=self.timeout, delay=5,
                 what="the instances of %s to go" % old["DBClusterIdentifier"])
        keep = self.params["final_snapshot"]
        final = {"SkipFinalSnapshot": False, "FinalDBSnapshotIdentifier": self.names["final_snapshot"]} if keep else {"SkipFinalSnapshot": True}
        try:
            self.rds.delete_db_cluster(DBClusterIdentifier=old["DBClusterIdentifier"], **final)
        except is_boto3_error_code("DBClusterNotFoundFault"):
            pass
        if keep:
            self.encrypt_final_snapshot()
        for name in (self.names["source_snapshot"], self.names["encrypted_snapshot"]):
            try:
                self.rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=name)
            except is_boto3_error_code("DBClusterSnapshotNotFoundFault"):
                pass

    def encrypt_final_snapshot(self):
        """The final snapshot of the old cluster is unencrypted: keep it only as a copy encrypted with the key."""
        plain, encrypted = self.names["final_snapshot"], self.names["final_encrypted"]
        if self.snapshot(plain) is None:
            return
        self.wait_snapshot(plain)
        if self.snapshot(encrypted) is None:
            try:
                self.rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier=plain,
                                                  TargetDBClusterSnapshotIdentifier=encrypted, KmsKeyId=self.key_arn(), CopyTags=True)
            except is_boto3_error_code("DBClusterSnapshotAlreadyExistsFault"):
                pass
        self.wait_snapshot(encrypted)
        try:
            self.rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=plain)
        except is_boto3_error_code("DBClusterSnapshotNotFoundFault"):
            pass

    def roll_back(self, current, old):
        cid = self.params["cluster_id"]
        if old is None:
            return current, self.key_arn()
        if not self.step("rollback"):
            return current, self.key_arn()
        if current is not None:
            for instance in self.instances(current):
                self.rename_instance(instance["DBInstanceIdentifier"], instance["DBInstanceIdentifier"] + INSTANCE_NEW)
            self.rename_cluster(cid, self.names["new"])
        for instance in self.instances(old):
            if instance["DBInstanceIdentifier"].endswith(INSTANCE_OLD):
                self.rename_instance(instance["DBInstanceIdentifier"], instance["DBInstanceIdentifier"][:-len(INSTANCE_OLD)])
        return self.rename_cluster(self.names["old"], cid), self.key_arn()
