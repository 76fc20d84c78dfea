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
    window, maintenance window, IAM authentication, log exports, copy-tags-to-snapshot, tags,
    Serverless v2 scaling, storage type (I/O-Optimized), associated IAM roles, the Data API and an
    RDS-managed master password (a new secret with a new ARN, see I(notices));
  - C(instances) - one instance per source instance, same class, parameter group, AZ, promotion
    tier, Enhanced Monitoring, Performance Insights and CA certificate, named C(<instance>-kmsmig);
  - C(parity) - the new cluster is compared with the source; any difference the module cannot
    carry stops the run before the cut-over;
  - C(cutover) - the source is renamed C(<cluster>-kmsmig-old) (its instances C(-kmsmig-old)), the
    new cluster and instances take the source's identifiers, so the cluster endpoints keep their
    names; deletion protection is set as the source had it;
  - C(cleanup) - only with I(delete_source) - the old cluster is deleted with a final snapshot, which
    is copied encrypted with the key as C(<cluster>-kmsmig-old-final-encrypted) and then deleted
    unencrypted (I(final_snapshot=false) skips it), and the intermediate snapshots are deleted.
  - Refused before any step, with the reason - a cluster that is a member of a global database, a
    read replica of another cluster, or the source of cross-Region read replicas (they would stay on
    the old cluster).
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
  final_snapshot:
    description:
      - With I(delete_source), keep a final snapshot of the old cluster, encrypted with the key (the unencrypted
        snapshot RDS takes is copied with the key, then deleted). C(false) deletes the old cluster without one.
    type: bool
    default: true
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
notices:
  description:
    - What changes for the users of the cluster although the migration keeps its identifier and endpoints - the
      cluster resource id that C(rds-db:connect) policies name (IAM database authentication), and the ARN of an
      RDS-managed master secret.
  returned: always
  type: list
  elements: str
duration_seconds:
  description: How long the run took.
  returned: always
  type: float
"""

import time


from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.module_utils.aurora_kms import Migration, notices


def main():
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        kms_key_id=dict(type="str", required=True, no_log=False),
        rekey=dict(type="bool", default=False),
        delete_source=dict(type="bool", default=False),
        final_snapshot=dict(type="bool", default=True),
        rollback=dict(type="bool", default=False),
        stop_after=dict(type="str", choices=["snapshot", "copy", "restore", "instances", "parity"]),
        wait_timeout=dict(type="int", default=3600),
    )
    module = PlatformModule(argument_spec=argument_spec)
    if module.params["rollback"] and module.params["delete_source"]:
        module.fail_json(msg="rollback and delete_source exclude each other: a rollback needs the source")
    started = time.monotonic()
    migration = Migration(module, module.client("rds"), module.client("kms"))

    def converge():
        cluster, key = migration.run()
        told = notices(migration.source, cluster) if migration.source and "cutover" in migration.steps else []
        for notice in told:
            module.warn(notice)
        return None, None, None, {"changed": bool([step for step in migration.steps if step != "parity"]), "steps": migration.steps,
                                  "notices": told, "cluster_arn": (cluster or {}).get("DBClusterArn"), "kms_key_arn": key,
                                  "duration_seconds": round(time.monotonic() - started, 1)}

    module.exit_converged(converge, lambda: "Aurora KMS migration of %s stopped after %s; run again to resume"
                          % (module.params["cluster_id"], ", ".join(migration.steps) or "no step"), progress={"steps": migration.steps})


if __name__ == "__main__":
    main()
