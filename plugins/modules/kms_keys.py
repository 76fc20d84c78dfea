#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kms_keys
short_description: The platform's customer managed KMS keys, one per purpose, in one call
version_added: 0.2.0
description:
  - Makes each listed key exist behind its alias as a symmetric encryption key with automatic
    rotation, the given key policy, description and tags; a key scheduled for deletion behind
    the alias is restored instead of replaced.
  - With I(state=absent) each key is scheduled for deletion (by key id) after its alias is
    removed, so a second run changes nothing and a later converge makes new keys.
  - One process for all keys, where C(amazon.aws.kms_key) takes a task per key.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  definitions:
    description: The keys, one per alias.
    type: list
    elements: dict
    required: true
    suboptions:
      alias:
        description: Alias of the key, with or without the C(alias/) prefix.
        type: str
        required: true
      description:
        description: Description of the key.
        type: str
        default: ""
      policy:
        description: Key policy (JSON text or a dictionary). Unset keeps the policy AWS gives a new key.
        type: json
      tags:
        description: Tags of this key on top of I(tags).
        type: dict
  deletion_window_days:
    description: With I(state=absent), days before AWS deletes a key (7 to 30); it can be restored until then.
    type: int
    default: 30
  state:
    description: Whether the keys should exist.
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
    description: Shows each key's rotation, description, policy and tags before and after.
notes:
  - KMS C(CreateKey) takes no idempotency token. Each new key is tagged with its alias at creation;
    a key carrying that tag but no alias (left by a create whose answer was lost) is adopted
    instead of making another one.
"""

EXAMPLES = r"""
- name: Keys for logs, data and secrets
  cloud_design.platform.kms_keys:
    definitions:
      - {alias: shop-prod-logs, description: Logs of shop-prod, policy: "{{ lookup('template', 'logs_key_policy.json.j2') }}"}
      - {alias: shop-prod-data, description: Data of shop-prod}
      - {alias: shop-prod-secrets, description: Secrets of shop-prod}
    tags:
      Project: shop
"""

RETURN = r"""
kms_keys:
  description: The keys by alias (without C(alias/)); empty after a delete.
  returned: always
  type: dict
  sample: {shop-prod-data: {key_id: 0c9d65be-d661-4df6-878a-f43d26938c9e, arn: "arn:aws:kms:eu-west-1:123456789012:key/0c9d65be-...", rotation: true}}
changes:
  description: What changed (or would in check mode), one line each.
  returned: always
  type: list
  elements: str
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformModule,
    all_pages,
    apply_tags,
    create_once,
    pick_one,
    tag_list_to_dict,
)

ALIAS_TAG = "cloud_design.platform/alias"


def full_alias(alias):
    return alias if alias.startswith("alias/") else "alias/" + alias


class Keys(Plan):
    def __init__(self, module, kms, kms_once=None):
        super().__init__(module)
        self.kms = kms
        self.kms_once = kms_once or kms  # one attempt per call: CreateKey goes through create_once()
        self._aliases = None

    def prefetch(self, specs):
        """What each aliased key of ``specs`` holds (its metadata, rotation, policy and tags), read at once before any
        change."""
        calls = {}
        for key_id in [self.aliases().get(full_alias(spec["alias"])) for spec in specs]:
            if key_id:
                calls.update({("meta", key_id): lambda k=key_id: self.kms.describe_key(KeyId=k)["KeyMetadata"],
                              ("rotation", key_id): lambda k=key_id: self._rotation(k),
                              ("policy", key_id): lambda k=key_id: self._policy(k),
                              ("tags", key_id): lambda k=key_id: self.tags_of(k)})
        self.reads.fetch(calls)

    def aliases(self):
        if self._aliases is None:
            self._aliases = {}
            for page in self.kms.get_paginator("list_aliases").paginate():
                for alias in page["Aliases"]:
                    if alias.get("TargetKeyId"):
                        self._aliases[alias["AliasName"]] = alias["TargetKeyId"]
        return self._aliases

    def orphan(self, alias):
        """A key tagged with the alias but without it: a create whose answer was lost."""
        return pick_one(self.orphans(alias), "KMS keys tagged %s=%s without their alias" % (ALIAS_TAG, alias), ident=lambda k: k["KeyId"])

    def orphans(self, alias):
        aliased = set(self.aliases().values())
        found = []
        for page in self.kms.get_paginator("list_keys").paginate():
            for key in page["Keys"]:
                if key["KeyId"] in aliased:
                    continue
                try:
                    tags = tag_list_to_dict(self.tags_of(key["KeyId"]), "TagKey", "TagValue")
                except is_boto3_error_code("AccessDeniedException"):
                    continue
                if tags.get(ALIAS_TAG) == alias:
                    meta = self.kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
                    if meta["KeyState"] in ("Enabled", "Disabled", "PendingDeletion"):
                        found.append(meta)
        return found

    def tags_of(self, key_id):
        return all_pages(self.kms.list_resource_tags, "Tags", token="Marker", next_token="NextMarker", KeyId=key_id)

    def _rotation(self, key_id):
        return self.kms.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled", False)

    def _policy(self, key_id):
        return json.loads(self.kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])

    def describe(self, meta):
        key_id = meta["KeyId"]
        rotation = self.reads.take(("rotation", key_id), lambda: self._rotation(key_id))
        policy = self.reads.take(("policy", key_id), lambda: self._policy(key_id))
        tags = tag_list_to_dict(self.reads.take(("tags", key_id), lambda: self.tags_of(key_id)), "TagKey", "TagValue")
        return {"key_id": meta["KeyId"], "arn": meta["Arn"], "state": meta["KeyState"], "description": meta.get("Description", ""),
                "rotation": rotation, "policy": policy, "tags": tags}

    def present(self, spec, base_tags, purge):
        alias = full_alias(spec["alias"])
        tags = dict(base_tags, **(spec.get("tags") or {}))
        tags[ALIAS_TAG] = alias
        policy = spec.get("policy")
        if isinstance(policy, str) and policy:
            policy = json.loads(policy)
        key_id = self.aliases().get(alias)
        meta = self.reads.take(("meta", key_id), lambda: self.kms.describe_key(KeyId=key_id)["KeyMetadata"]) if key_id else self.orphan(alias)
        if meta is None:
            self.changes.append("create key %s" % alias)
            if self.check:
                return {}, {"alias": alias, "rotation": True, "description": spec["description"], "tags": tags}
            request = {"Description": spec["description"], "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT",
                       "Tags": [{"TagKey": k, "TagValue": str(v)} for k, v in sorted(tags.items())]}
            if policy:
                request["Policy"] = json.dumps(policy)
            meta = create_once(lambda: self.kms_once.create_key(**request)["KeyMetadata"], lambda: self.orphans(alias),
                               "KMS keys tagged %s=%s without their alias" % (ALIAS_TAG, alias))[0]
            before = {}
        else:
            before = self.describe(meta)
        key_id = meta["KeyId"]
        if meta["KeyState"] == "PendingDeletion":
            self.change("restore key %s from pending deletion" % alias, self.kms.cancel_key_deletion, KeyId=key_id)
        if meta["KeyState"] in ("PendingDeletion", "Disabled"):
            self.change("enable key %s" % alias, self.kms.enable_key, KeyId=key_id)
        if alias not in self.aliases():
            self.change("alias %s -> %s" % (alias, key_id), self.kms.create_alias, AliasName=alias, TargetKeyId=key_id)
        current = before or self.describe(meta)
        if not current["rotation"]:
            self.change("turn on rotation of %s" % alias, self.kms.enable_key_rotation, KeyId=key_id)
        if current["description"] != spec["description"]:
            self.change("description of %s" % alias, self.kms.update_key_description, KeyId=key_id, Description=spec["description"])
        if policy and current["policy"] != policy:
            self.change("policy of %s" % alias, self.kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
        tagged, new_tags = apply_tags(
            self.check, current["tags"], tags, purge,
            lambda add: self.kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": k, "TagValue": v} for k, v in add.items()]),
            lambda keys: self.kms.untag_resource(KeyId=key_id, TagKeys=keys))
        if tagged:
            self.changes.append("tags of %s" % alias)
        after = dict(current, rotation=True, description=spec["description"], policy=policy or current["policy"], tags=new_tags,
                     state="Enabled")
        return before, after

    def absent(self, spec, window):
        alias = full_alias(spec["alias"])
        key_id = self.aliases().get(alias)
        if not key_id:
            return {}
        meta = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
        self.change("delete alias %s" % alias, self.kms.delete_alias, AliasName=alias)
        if meta["KeyState"] != "PendingDeletion":
            self.change("schedule deletion of %s in %d days" % (key_id, window), self.kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=window)
        return {"key_id": key_id, "arn": meta["Arn"]}


def main():
    argument_spec = dict(
        definitions=dict(type="list", elements="dict", required=True, options=dict(
            alias=dict(type="str", required=True),
            description=dict(type="str", default=""),
            policy=dict(type="json"),
            tags=dict(type="dict"),
        )),
        deletion_window_days=dict(type="int", default=30),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    params = module.params
    if not 7 <= params["deletion_window_days"] <= 30:
        module.fail_json(msg="deletion_window_days must be 7 to 30 (AWS limits), got %d" % params["deletion_window_days"])
    keys = Keys(module, module.client("kms"), module.client("kms", retries=False))

    def converge():
        before, after, out = {}, {}, {}
        if params["state"] == "present":
            keys.prefetch(params["definitions"])
        for spec in params["definitions"]:
            name = full_alias(spec["alias"])[len("alias/"):]
            if params["state"] == "present":
                before[name], after[name] = keys.present(spec, params.get("tags") or {}, params["purge_tags"])
                out[name] = {k: after[name].get(k) for k in ("key_id", "arn", "rotation")}
            else:
                before[name] = keys.absent(spec, params["deletion_window_days"])
        return keys.changes, before, after, {"kms_keys": out}

    module.exit_converged(converge, "Failed to manage KMS keys")


if __name__ == "__main__":
    main()
