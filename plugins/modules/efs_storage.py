#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: efs_storage
short_description: Encrypted EFS storage for one ECS service, in one call
version_added: 0.2.0
description:
  - Converges what a Fargate service needs to keep data on EFS, in one process - an encrypted
    file system (KMS key of your choice), one mount target per listed subnet with the given
    security groups, one access point that pins the POSIX user and root directory, and a file
    system policy that refuses unencrypted transport.
  - The file system is found by its creation token (I(name)), which also makes its create
    idempotent; the access point carries a client token. A re-run changes nothing.
  - With I(state=absent), the access point, the mount targets and the file system are deleted,
    waiting for each, and the data with them.
  - C(community.aws.efs) manages file systems and mount targets but not access points or the
    policy, in several tasks.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name and creation token of the file system.
    type: str
    required: true
  kms_key_id:
    description: KMS key (id, ARN or alias) for encryption at rest. Fixed at creation. Empty uses C(aws/elasticfilesystem).
    type: str
  subnets:
    description: Subnets to place mount targets in (one per AZ). Required with I(state=present).
    type: list
    elements: str
    default: []
  security_group_ids:
    description: Security groups of the mount targets (they must allow NFS, 2049, from the clients).
    type: list
    elements: str
    default: []
  access_point:
    description: The access point clients mount.
    type: dict
    default: {}
    suboptions:
      path:
        description: Root directory the clients see; created with I(uid), I(gid) and I(permissions).
        type: str
        default: /data
      uid:
        description: POSIX user id every client acts as.
        type: int
        default: 1000
      gid:
        description: POSIX group id every client acts as.
        type: int
        default: 1000
      permissions:
        description: Mode of the root directory when created.
        type: str
        default: "0750"
  throughput_mode:
    description: EFS throughput mode.
    type: str
    choices: [elastic, bursting]
    default: elastic
  backup:
    description: Automatic daily backups by AWS Backup.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for file systems and mount targets.
    type: int
    default: 600
  state:
    description: Whether the storage should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows the file system, mount targets and access point before and after.
"""

EXAMPLES = r"""
- name: Broker storage
  cloud_design.platform.efs_storage:
    name: shop-prod-rabbitmq
    kms_key_id: alias/shop-prod-data
    subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    security_group_ids: [sg-0123456789abcdef0]
    access_point: {path: /rabbitmq, uid: 999, gid: 999}
    tags:
      Project: shop
"""

RETURN = r"""
changes:
  description: What changed (or would in check mode), one line each.
  returned: always
  type: list
  elements: str
  sample: ["create file system shop-prod-rabbitmq", "mount target in subnet-0123456789abcdef0"]
file_system:
  description: The file system; empty when absent.
  returned: always
  type: dict
  sample: {id: fs-0123456789abcdef0, arn: "arn:aws:elasticfilesystem:...", encrypted: true, kms_key_id: "arn:aws:kms:...",
           mount_targets: {subnet-0123456789abcdef0: fsmt-0123456789abcdef0}}
access_point:
  description: The access point; empty when absent.
  returned: always
  type: dict
  sample: {id: fsap-0123456789abcdef0, arn: "arn:aws:elasticfilesystem:...", path: /rabbitmq, uid: 999, gid: 999}
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    PlatformModule,
    all_pages,
    apply_tags,
    client_token,
    dict_to_tag_list,
    pick_one,
    tag_list_to_dict,
    wait_for,
)


def secure_transport_policy(arn):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyUnencryptedTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    }


class Storage(Plan):
    def __init__(self, module, efs):
        super().__init__(module)
        self.efs = efs

    def file_system(self):
        found = self.efs.describe_file_systems(CreationToken=self.params["name"])["FileSystems"]
        found = [f for f in found if f.get("LifeCycleState") not in ("deleted", "deleting")]
        return pick_one(found, "EFS file systems with creation token %s" % self.params["name"], ident=lambda f: f["FileSystemId"])

    def wait_fs(self, fs_id, states):
        return wait_for(lambda: self.efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0],
                        lambda f: f["LifeCycleState"] in states, timeout=self.params["wait_timeout"],
                        what="file system %s" % fs_id)

    def mount_targets(self, fs_id):
        targets = all_pages(self.efs.describe_mount_targets, "MountTargets", token="Marker", next_token="NextMarker", FileSystemId=fs_id)
        return {m["SubnetId"]: m for m in targets
                if m.get("LifeCycleState") not in ("deleted", "deleting")}

    def access_points(self, fs_id):
        return all_pages(self.efs.describe_access_points, "AccessPoints", FileSystemId=fs_id)

    def describe(self, fs, targets=None, point=None):
        if not fs:
            return {}, {}
        out = {
            "id": fs["FileSystemId"],
            "arn": fs.get("FileSystemArn"),
            "encrypted": fs.get("Encrypted"),
            "kms_key_id": fs.get("KmsKeyId"),
            "throughput_mode": fs.get("ThroughputMode"),
            "mount_targets": {s: m["MountTargetId"] for s, m in sorted((targets or {}).items())},
            "tags": tag_list_to_dict(fs.get("Tags")),
        }
        ap = {}
        if point:
            ap = {
                "id": point["AccessPointId"],
                "arn": point.get("AccessPointArn"),
                "path": point.get("RootDirectory", {}).get("Path"),
                "uid": point.get("PosixUser", {}).get("Uid"),
                "gid": point.get("PosixUser", {}).get("Gid"),
            }
        return out, ap

    def present(self):
        params = self.params
        tags = dict(params.get("tags") or {}, Name=params["name"])
        fs = self.file_system()
        before = self.describe(fs, self.mount_targets(fs["FileSystemId"]) if fs else {},
                               self.pick_point(fs["FileSystemId"]) if fs else None)
        if fs is None:
            self.changes.append("create file system %s" % params["name"])
            if self.check:
                return before, ({"name": params["name"], "encrypted": True, "kms_key_id": params.get("kms_key_id"),
                                 "mount_targets": {s: "(new)" for s in params["subnets"]}},
                                {"path": params["access_point"]["path"]})
            request = {
                "CreationToken": params["name"],
                "PerformanceMode": "generalPurpose",
                "ThroughputMode": params["throughput_mode"],
                "Encrypted": True,
                "Backup": params["backup"],
                "Tags": dict_to_tag_list(tags),
            }
            if params.get("kms_key_id"):
                request["KmsKeyId"] = params["kms_key_id"]
            try:
                self.efs.create_file_system(**request)
            except is_boto3_error_code("FileSystemAlreadyExists"):
                pass  # same creation token: the earlier attempt got through
            fs = self.file_system()
        fs_id = fs["FileSystemId"]
        self.wait_fs(fs_id, ("available",))
        if not fs.get("Encrypted"):
            raise PlatformError("EFS file system %s (%s) is not encrypted and cannot be encrypted in place; copy its data "
                                "to a new encrypted file system (e.g. with AWS DataSync) and delete it" % (params["name"], fs_id))
        add, remove = self.tag_calls(fs_id)
        if apply_tags(self.check, tag_list_to_dict(fs.get("Tags")), tags, params["purge_tags"], add, remove)[0]:
            self.changes.append("tags of %s" % fs_id)
        self.ensure_policy(fs)
        targets = self.ensure_mount_targets(fs_id)
        point = self.ensure_access_point(fs_id, tags)
        fs = self.efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
        return before, self.describe(fs, targets, point)

    def tag_calls(self, resource_id):
        return (lambda add: self.efs.tag_resource(ResourceId=resource_id, Tags=dict_to_tag_list(add)),
                lambda keys: self.efs.untag_resource(ResourceId=resource_id, TagKeys=keys))

    def ensure_policy(self, fs):
        wanted = secure_transport_policy(fs.get("FileSystemArn") or fs["FileSystemId"])
        try:
            current = json.loads(self.efs.describe_file_system_policy(FileSystemId=fs["FileSystemId"])["Policy"])
        except is_boto3_error_code("PolicyNotFound"):
            current = None
        if current != wanted:
            self.change("file system policy: deny unencrypted transport",
                        self.efs.put_file_system_policy, FileSystemId=fs["FileSystemId"], Policy=json.dumps(wanted))

    def ensure_mount_targets(self, fs_id):
        params = self.params
        have = self.mount_targets(fs_id)
        wanted_sgs = sorted(params["security_group_ids"])
        for subnet in params["subnets"]:
            if subnet in have:
                sgs = sorted(self.efs.describe_mount_target_security_groups(
                    MountTargetId=have[subnet]["MountTargetId"])["SecurityGroups"])
                if sgs != wanted_sgs:
                    self.change("security groups of mount target in %s" % subnet,
                                self.efs.modify_mount_target_security_groups, MountTargetId=have[subnet]["MountTargetId"], SecurityGroups=wanted_sgs)
                continue
            self.changes.append("mount target in %s" % subnet)
            if not self.check:
                try:
                    self.efs.create_mount_target(FileSystemId=fs_id, SubnetId=subnet, SecurityGroups=wanted_sgs)
                except is_boto3_error_code("MountTargetConflict"):
                    pass  # already there (an earlier attempt, or another subnet of the same AZ: reported below)
        for subnet in sorted(set(have) - set(params["subnets"])):
            self.change("remove mount target in %s" % subnet, self.efs.delete_mount_target, MountTargetId=have[subnet]["MountTargetId"])
        if self.check:
            return dict({s: m for s, m in have.items() if s in params["subnets"]},
                        **{s: {"MountTargetId": "(new)"} for s in params["subnets"] if s not in have})
        return wait_for(lambda: self.mount_targets(fs_id),
                        lambda targets: all(m.get("LifeCycleState", "available") == "available" for m in targets.values())
                        and set(targets) >= set(params["subnets"]),
                        timeout=params["wait_timeout"], what="mount targets of %s" % fs_id)

    def point_matches(self, point):
        spec = self.params["access_point"]
        root = point.get("RootDirectory", {})
        creation = root.get("CreationInfo", {})
        user = point.get("PosixUser", {})
        return (root.get("Path") == spec["path"] and user.get("Uid") == spec["uid"] and user.get("Gid") == spec["gid"]
                and str(creation.get("Permissions", spec["permissions"])) == spec["permissions"])

    def pick_point(self, fs_id):
        points = [p for p in self.access_points(fs_id) if p.get("LifeCycleState") not in ("deleted", "deleting")]
        return pick_one(points, "access points on %s" % fs_id, ident=lambda p: p["AccessPointId"],
                        hint="The platform makes one access point per file system; delete the others.")

    def ensure_access_point(self, fs_id, tags):
        spec = self.params["access_point"]
        point = self.pick_point(fs_id)
        if point and self.point_matches(point):
            add, remove = self.tag_calls(point["AccessPointId"])
            if apply_tags(self.check, tag_list_to_dict(point.get("Tags")), tags, self.params["purge_tags"], add, remove)[0]:
                self.changes.append("tags of %s" % point["AccessPointId"])
            return point
        if point:
            # Access points cannot change: replace it (the task definition follows the new id).
            self.change("replace access point %s" % point["AccessPointId"], self.efs.delete_access_point, AccessPointId=point["AccessPointId"])
        else:
            self.changes.append("create access point %s" % spec["path"])
        if self.check:
            return {"AccessPointId": "(new)", "RootDirectory": {"Path": spec["path"]},
                    "PosixUser": {"Uid": spec["uid"], "Gid": spec["gid"]}}
        return self.efs.create_access_point(
            ClientToken=client_token("efs-ap", fs_id, spec["path"], spec["uid"], spec["gid"], spec["permissions"], length=64),
            FileSystemId=fs_id,
            PosixUser={"Uid": spec["uid"], "Gid": spec["gid"]},
            RootDirectory={"Path": spec["path"], "CreationInfo": {
                "OwnerUid": spec["uid"], "OwnerGid": spec["gid"], "Permissions": spec["permissions"]}},
            Tags=dict_to_tag_list(tags),
        )

    def absent(self):
        fs = self.file_system()
        if fs is None:
            return ({}, {}), ({}, {})
        fs_id = fs["FileSystemId"]
        targets = self.mount_targets(fs_id)
        before = self.describe(fs, targets, self.pick_point(fs_id))
        self.changes.append("delete file system %s" % fs_id)
        if self.check:
            return before, ({}, {})
        for point in self.access_points(fs_id):
            try:
                self.efs.delete_access_point(AccessPointId=point["AccessPointId"])
            except is_boto3_error_code("AccessPointNotFound"):
                pass
        for target in targets.values():
            try:
                self.efs.delete_mount_target(MountTargetId=target["MountTargetId"])
            except is_boto3_error_code("MountTargetNotFound"):
                pass
        wait_for(lambda: self.mount_targets(fs_id), lambda t: not t, timeout=self.params["wait_timeout"],
                 what="mount targets of %s to go" % fs_id)
        try:
            self.efs.delete_file_system(FileSystemId=fs_id)
        except is_boto3_error_code("FileSystemNotFound"):
            pass
        return before, ({}, {})


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        kms_key_id=dict(type="str"),
        subnets=dict(type="list", elements="str", default=[]),
        security_group_ids=dict(type="list", elements="str", default=[]),
        access_point=dict(type="dict", default={}, options=dict(
            path=dict(type="str", default="/data"),
            uid=dict(type="int", default=1000),
            gid=dict(type="int", default=1000),
            permissions=dict(type="str", default="0750"),
        )),
        throughput_mode=dict(type="str", default="elastic", choices=["elastic", "bursting"]),
        backup=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True,
                            required_if=[["state", "present", ["subnets", "security_group_ids"]]])
    storage = Storage(module, module.client("efs"))

    def converge():
        before, after = storage.present() if module.params["state"] == "present" else storage.absent()
        after = {"file_system": after[0], "access_point": after[1]}
        return storage.changes, {"file_system": before[0], "access_point": before[1]}, after

    module.exit_converged(converge, "Failed to manage EFS storage %s" % module.params["name"])


if __name__ == "__main__":
    main()
