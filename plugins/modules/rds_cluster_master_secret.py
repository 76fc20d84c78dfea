#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: rds_cluster_master_secret
short_description: Hand an Aurora cluster's master password to RDS, which keeps it in Secrets Manager and rotates it
version_added: 0.7.0
description:
  - Turns on C(ManageMasterUserPassword) of an existing DB cluster, with the secret encrypted by I(kms_key_id). RDS then
    makes a new master password that nobody has seen, keeps it in a Secrets Manager secret of its own
    (C(rds!cluster-...)) and rotates it, every 7 days unless told otherwise (Amazon Aurora User Guide, "Password
    management with Amazon Aurora and AWS Secrets Manager"). The password the cluster was made with stops working.
  - amazon.aws.rds_cluster does not know this setting; the cluster itself stays that module's.
  - Waits until the secret is active, and returns its ARN, so that what signs in as the master reads it from there.
  - AWS cannot change the key of a secret RDS already manages (Amazon RDS API Reference, ModifyDBCluster,
    C(MasterUserSecretKmsKeyId)); a secret under another key is reported as a warning, not changed.
  - With I(rotate), asks RDS to rotate the password now (C(RotateMasterUserPassword)).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  cluster_id:
    description: The DB cluster identifier.
    type: str
    required: true
  kms_key_id:
    description: The KMS key (ARN, id or alias) that encrypts the secret.
    type: str
    required: true
  rotate:
    description: Rotate the master password now (the day-2 rotation playbook sets it).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the cluster and its secret.
    type: int
    default: 1800
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - The deployer needs C(rds:ModifyDBCluster) on the cluster, and RDS makes the secret with the deployer's own
    C(secretsmanager:CreateSecret), C(secretsmanager:TagResource) and C(kms:DescribeKey) (the deployer policy of
    C(docs/iam) grants these on C(rds!cluster-*) only when called through RDS).
attributes:
  check_mode:
    support: full
    description: Reports the change and makes none; a cluster that does not exist yet would be changed once made.
  diff_mode:
    support: full
    description: Shows whether RDS manages the password and with which key, never a password.
"""

EXAMPLES = r"""
- name: RDS keeps and rotates the master password of shop-prod-billing-db
  cloud_design.platform.rds_cluster_master_secret:
    cluster_id: shop-prod-billing-db
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/0c9d65be-d661-4df6-878a-f43d26938c9e
  register: master

- name: Rotate it now
  cloud_design.platform.rds_cluster_master_secret:
    cluster_id: shop-prod-billing-db
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/0c9d65be-d661-4df6-878a-f43d26938c9e
    rotate: true
"""

RETURN = r"""
secret:
  description: The master secret RDS keeps; empty in check mode before it exists.
  returned: always
  type: dict
  sample: {arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c3d-AbCdEf", status: active,
           kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/0c9d65be-d661-4df6-878a-f43d26938c9e",
           username: billing}
value_from:
  description: Per key of the secret, the reference an ECS container secret uses (C(<arn>:<key>::)).
  returned: always
  type: dict
  sample: {username: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c3d-AbCdEf:username::"}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["RDS manages the master password of shop-prod-billing-db"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
    wait_for,
)


def key_arn(kms, key):
    """The key's ARN, whatever form it was given in."""
    return kms.describe_key(KeyId=key)["KeyMetadata"]["Arn"]


def find(rds, cluster_id):
    try:
        return rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    except is_boto3_error_code("DBClusterNotFoundFault"):
        return None


def brief(cluster):
    secret = (cluster or {}).get("MasterUserSecret") or {}
    if not secret:
        return {}
    return {"arn": secret.get("SecretArn"), "status": secret.get("SecretStatus"), "kms_key_id": secret.get("KmsKeyId"),
            "username": cluster.get("MasterUsername")}


def converge(module, rds, kms):
    params = module.params
    cluster_id = params["cluster_id"]
    cluster = find(rds, cluster_id)
    changes, warnings = [], []
    if cluster is None:
        if module.check_mode:
            return ["RDS manages the master password of %s (once made)" % cluster_id], {}, {"managed": True}, {}, warnings
        raise PlatformError("DB cluster %s does not exist; make it first" % cluster_id)
    wanted_key = key_arn(kms, params["kms_key_id"])
    before = {"managed": bool(cluster.get("MasterUserSecret")), "kms_key_id": brief(cluster).get("kms_key_id")}
    request = {}
    if not cluster.get("MasterUserSecret"):
        changes.append("RDS manages the master password of %s" % cluster_id)
        request.update(ManageMasterUserPassword=True, MasterUserSecretKmsKeyId=wanted_key)
    else:
        if key_arn(kms, cluster["MasterUserSecret"]["KmsKeyId"]) != wanted_key:
            warnings.append("the master secret of %s is encrypted with %s, not %s: AWS cannot change the key of a secret "
                            "RDS manages; turn the management off and on again to move it"
                            % (cluster_id, cluster["MasterUserSecret"]["KmsKeyId"], wanted_key))
        if params["rotate"]:
            changes.append("rotate the master password of %s" % cluster_id)
            request.update(RotateMasterUserPassword=True)
    if request and not module.check_mode:
        # Both changes are asked to apply at once (rotation must, ModifyDBCluster in the Amazon RDS API Reference); a
        # retried call after a lost answer asks for what is then already true.
        rds.modify_db_cluster(DBClusterIdentifier=cluster_id, ApplyImmediately=True, **request)
        cluster = wait_for(lambda: find(rds, cluster_id) or {},
                           lambda c: c.get("Status") == "available"
                           and (c.get("MasterUserSecret") or {}).get("SecretStatus") == "active",
                           timeout=params["wait_timeout"], delay=5,
                           what="the master secret of %s to be active" % cluster_id)
    after = {"managed": True, "kms_key_id": brief(cluster).get("kms_key_id") or wanted_key}
    return changes, before, after, brief(cluster), warnings


def main():
    module = PlatformModule(argument_spec=dict(
        cluster_id=dict(type="str", required=True),
        kms_key_id=dict(type="str", required=True, no_log=False),
        rotate=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800),
    ))
    rds = module.client("rds")
    kms = module.client("kms")

    def run():
        changes, before, after, secret, warnings = converge(module, rds, kms)
        for warning in warnings:
            module.warn(warning)
        arn = secret.get("arn") or "(new secret of %s)" % module.params["cluster_id"]
        result = {"changed": bool(changes), "changes": changes, "secret": secret,
                  "value_from": {key: "%s:%s::" % (arn, key) for key in ("username", "password")}}
        return result.get("changes"), before, after, result

    module.exit_converged(run, "Failed to hand the master password of %s to RDS" % module.params["cluster_id"])


if __name__ == "__main__":
    main()
