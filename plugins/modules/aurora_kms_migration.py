#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aurora_kms_migration
short_description: Move an unencrypted Aurora cluster to storage encrypted with a KMS key, resumably
version_added: 0.2.0
description:
  - AWS cannot encrypt an Aurora cluster in place. This module drives the migration as a state
    machine whose every step is idempotent and is found again from what exists, so a run that was
    killed, timed out or throttled is finished by the next run -
  - C(snapshot) - a manual snapshot of the source, C(<cluster>-kmsmig-source);
  - C(copy) - a copy of it encrypted with the key, C(<cluster>-kmsmig-encrypted);
  - C(restore) - a new cluster C(<cluster>-kmsmig-new) from the copy, with the source's engine and
    version, port, subnet group, security groups, cluster parameter group, backup retention and
    window, maintenance window, IAM authentication, log exports, copy-tags-to-snapshot and tags;
  - C(instances) - one instance per source instance, same class, parameter group, AZ, promotion
    tier and monitoring settings, named C(<instance>-kmsmig);
  - C(parity) - the new cluster is compared with the source; any difference the module cannot
    carry stops the run before the cut-over;
  - C(cutover) - the source is renamed C(<cluster>-kmsmig-old) (its instances C(-kmsmig-old)), the
    new cluster and instances take the source's identifiers, so the cluster endpoints keep their
    names; deletion protection is set as the source had it;
  - C(cleanup) - only with I(delete_source) - the old cluster is deleted with a final snapshot
    C(<cluster>-kmsmig-old-final), and the intermediate snapshots are deleted.
  - With I(rollback), a finished cut-over is undone (the old cluster takes its identifier back).
  - A cluster already encrypted with the key is C(changed=false); encrypted with another key it is an
    error unless I(rekey) is set.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  cluster_id:
    description: Identifier of the cluster to migrate; it keeps this identifier.
    type: str
    required: true
  kms_key_id:
    description: The KMS key (id, ARN or alias) to encrypt with.
    type: str
    required: true
  rekey:
    description: Also migrate a cluster encrypted with another key.
    type: bool
    default: false
  delete_source:
    description: After the cut-over, delete the old cluster (with a final snapshot) and the intermediate snapshots.
    type: bool
    default: false
  rollback:
    description: Undo a finished cut-over (the old, unencrypted cluster takes its identifier back).
    type: bool
    default: false
  stop_after:
    description:
      - Stop after this step, leaving a state the next run resumes from. Use it to prepare everything
        during the day (C(parity)) and cut over in a maintenance window, or to rehearse a resume.
    type: str
    choices: [snapshot, copy, restore, instances, parity]
  wait_timeout:
    description: Seconds to wait for each snapshot, cluster and instance.
    type: int
    default: 3600
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Writes to the source during the migration are not carried over - stop the writers (scale the
    app to zero) from the snapshot to the cut-over. The source is kept until I(delete_source).
  - Some API emulations restore an unencrypted snapshot given a key as unencrypted (AWS encrypts);
    the module always restores from the encrypted copy.
attributes:
  check_mode:
    support: full
    description: Returns the plan, step by step, from the current state; changes nothing.
  diff_mode:
    support: none
    description: The result lists the steps instead.
"""

EXAMPLES = r"""
- name: Encrypt the inventory database with the platform's data key
  cloud_design.platform.aurora_kms_migration:
    cluster_id: shop-prod-inventory-db
    kms_key_id: alias/shop-prod-data
"""

RETURN = r"""
steps:
  description: The steps taken by this run (in check mode, the steps it would take).
  returned: always
  type: list
  elements: str
  sample: [snapshot, copy, restore, instances, parity, cutover]
cluster_arn:
  description: ARN of the cluster that carries the identifier after the run.
  returned: always
  type: str
kms_key_arn:
  description: The key, resolved to its ARN.
  returned: always
  type: str
duration_seconds:
  description: How long the run took.
  returned: always
  type: float
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by PlatformModule (AnsibleAWSModule)

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformError, PlatformModule, aws_retry, wait_for

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
    }


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
    if sorted(i["DBInstanceClass"] for i in source_instances) != sorted(i["DBInstanceClass"] for i in new_instances):
        out.append("instance classes: %s != %s" % (sorted(i["DBInstanceClass"] for i in source_instances),
                                                   sorted(i["DBInstanceClass"] for i in new_instances)))
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
        self.timeout = self.params["wait_timeout"]

    # -- reads
    def cluster(self, cluster_id):
        try:
            return self.rds.describe_db_clusters(aws_retry=True, DBClusterIdentifier=cluster_id)["DBClusters"][0]
        except is_boto3_error_code("DBClusterNotFoundFault"):
            return None

    def instances(self, cluster):
        ids = [m["DBInstanceIdentifier"] for m in (cluster or {}).get("DBClusterMembers") or []]
        out = []
        for instance_id in ids:
            try:
                out.append(self.rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=instance_id)["DBInstances"][0])
            except is_boto3_error_code("DBInstanceNotFound"):
                continue
        return sorted(out, key=lambda i: i["DBInstanceIdentifier"])

    def instance(self, instance_id):
        try:
            return self.rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=instance_id)["DBInstances"][0]
        except is_boto3_error_code("DBInstanceNotFound"):
            return None

    def snapshot(self, snapshot_id):
        try:
            return self.rds.describe_db_cluster_snapshots(aws_retry=True, DBClusterSnapshotIdentifier=snapshot_id)["DBClusterSnapshots"][0]
        except is_boto3_error_code("DBClusterSnapshotNotFoundFault"):
            return None

    def key_arn(self):
        return self.kms.describe_key(aws_retry=True, KeyId=self.params["kms_key_id"])["KeyMetadata"]["Arn"]

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
                        self.rds.modify_db_cluster(aws_retry=True, DBClusterIdentifier=cid, DeletionProtection=True, ApplyImmediately=True)
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
                    self.rds.create_db_cluster_snapshot(aws_retry=True, DBClusterIdentifier=source["DBClusterIdentifier"],
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
                    self.rds.copy_db_cluster_snapshot(aws_retry=True, SourceDBClusterSnapshotIdentifier=self.names["source_snapshot"],
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
            try:
                self.rds.restore_db_cluster_from_snapshot(aws_retry=True, **{k: v for k, v in request.items() if v is not None})
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
        if settings:
            self.steps.append("settings")
            self.rds.modify_db_cluster(aws_retry=True, DBClusterIdentifier=self.names["new"], ApplyImmediately=True, **settings)
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
                    try:
                        self.rds.create_db_instance(aws_retry=True, **{k: v for k, v in request.items() if v is not None})
                    except is_boto3_error_code("DBInstanceAlreadyExists"):
                        pass
            if not self.check:
                made.append(self.wait_instance(name))
        return made

    def rename_cluster(self, current, wanted):
        self.rds.modify_db_cluster(aws_retry=True, DBClusterIdentifier=current, NewDBClusterIdentifier=wanted, ApplyImmediately=True)
        return self.wait_cluster(wanted)

    def rename_instance(self, current, wanted):
        if self.instance(current) is None:
            return
        self.rds.modify_db_instance(aws_retry=True, DBInstanceIdentifier=current, NewDBInstanceIdentifier=wanted, ApplyImmediately=True)
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
            self.rds.modify_db_cluster(aws_retry=True, DBClusterIdentifier=cid, DeletionProtection=True, ApplyImmediately=True)

    def clean_up(self, old):
        if old is None or not self.step("cleanup"):
            return
        if old.get("DeletionProtection"):
            self.rds.modify_db_cluster(aws_retry=True, DBClusterIdentifier=old["DBClusterIdentifier"], DeletionProtection=False,
                                       ApplyImmediately=True)
        for instance in self.instances(old):
            try:
                self.rds.delete_db_instance(aws_retry=True, DBInstanceIdentifier=instance["DBInstanceIdentifier"], SkipFinalSnapshot=True)
            except is_boto3_error_code("DBInstanceNotFound"):
                pass
        wait_for(lambda: self.instances(self.cluster(old["DBClusterIdentifier"])), lambda left: not left, timeout=self.timeout, delay=5,
                 what="the instances of %s to go" % old["DBClusterIdentifier"])
        try:
            self.rds.delete_db_cluster(aws_retry=True, DBClusterIdentifier=old["DBClusterIdentifier"], SkipFinalSnapshot=False,
                                       FinalDBSnapshotIdentifier=self.names["final_snapshot"])
        except is_boto3_error_code("DBClusterNotFoundFault"):
            pass
        for name in (self.names["source_snapshot"], self.names["encrypted_snapshot"]):
            try:
                self.rds.delete_db_cluster_snapshot(aws_retry=True, DBClusterSnapshotIdentifier=name)
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


def main():
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        kms_key_id=dict(type="str", required=True, no_log=False),
        rekey=dict(type="bool", default=False),
        delete_source=dict(type="bool", default=False),
        rollback=dict(type="bool", default=False),
        stop_after=dict(type="str", choices=["snapshot", "copy", "restore", "instances", "parity"]),
        wait_timeout=dict(type="int", default=3600),
    )
    module = PlatformModule(argument_spec=argument_spec, supports_check_mode=True)
    if module.params["rollback"] and module.params["delete_source"]:
        module.fail_json(msg="rollback and delete_source exclude each other: a rollback needs the source")
    started = time.monotonic()
    migration = Migration(module, module.client("rds", retry_decorator=aws_retry()), module.client("kms", retry_decorator=aws_retry()))
    try:
        cluster, key = migration.run()
    except PlatformError as exc:
        module.fail_json(msg=str(exc), steps=migration.steps)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="Aurora KMS migration of %s stopped after %s; run again to resume"
                             % (module.params["cluster_id"], ", ".join(migration.steps) or "no step"))
    module.exit_json(changed=bool([step for step in migration.steps if step != "parity"]), steps=migration.steps,
                     cluster_arn=(cluster or {}).get("DBClusterArn"), kms_key_arn=key,
                     duration_seconds=round(time.monotonic() - started, 1))


if __name__ == "__main__":
    main()
