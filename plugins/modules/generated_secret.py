#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: generated_secret
short_description: Credentials generated once into AWS Secrets Manager, never returned
version_added: 0.2.0
description:
  - Makes a Secrets Manager secret hold a JSON document of fixed values (a user name, a
    database name) and generated values (a password), encrypted with the given KMS key.
  - Generated values are made once, inside the module, when the secret or the key is missing;
    later runs never change them (rotate them on purpose with I(regenerate)). No secret value
    ever leaves the module; the result carries the ARN and, per key, the C(valueFrom) string an
    ECS task definition uses to inject that key, so nothing needs C(no_log) downstream.
  - The create carries an idempotency token, so a retry after an ambiguous failure cannot make a
    second version; a secret scheduled for deletion is restored instead of recreated.
  - C(amazon.aws.secretsmanager_secret) needs the value as an input, which puts it in the
    play's variables; this module keeps it out.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the secret.
    type: str
    required: true
  description:
    description: Description of the secret.
    type: str
    default: ""
  kms_key_id:
    description: KMS key (id, ARN or alias) that encrypts the secret. Empty uses C(aws/secretsmanager).
    type: str
  values:
    description: Fixed keys and their values (not secret, e.g. a user name).
    type: dict
    default: {}
  generate:
    description: Keys whose value is a generated password.
    type: list
    elements: str
    default: [password]
  length:
    description: Length of generated values.
    type: int
    default: 32
  initial_values:
    description:
      - Keys and their values written when the secret is made, or when the key is missing, and kept afterwards, since
        a rotation function may change them (the login of the alternating-users strategy).
    type: dict
    default: {}
  regenerate:
    description:
      - Make new values for the I(generate) keys now (a rotation; the users of the secret must restart).
      - With automatic rotation on (I(rotation.days) above 0), rotate through the rotation function instead
        (C(RotateSecret)), once per current version of the secret, so that a retried run does not rotate twice.
    type: bool
    default: false
  rotation:
    description:
      - Automatic rotation by a Lambda function (AWS Secrets Manager User Guide, "Rotation by Lambda function").
        Omitted, the secret's rotation is left as it is.
      - Turning it on or changing it calls C(RotateSecret) without rotating now (C(RotateImmediately=false)), and
        Secrets Manager runs the function's C(testSecret) step to check the configuration, and the first rotation
        happens on the schedule.
    type: dict
    suboptions:
      function_arn:
        description: ARN of the rotation function. Required when I(days) is above 0.
        type: str
      days:
        description: Days between rotations (AWS allows 1 to 1000); 0 turns automatic rotation off (C(CancelRotateSecret)).
        type: int
        required: true
  rotation_timeout:
    description:
      - With I(regenerate) and automatic rotation, seconds to wait for the rotation to make its new version current
        (each of the function's four steps may take up to its own timeout); a rotation still pending then fails the module.
      - A rotation already under way (RotateSecret runs asynchronously; turning rotation on starts its test step) is
        waited for first, for at most 900 s.
    type: int
    default: 1800
  recovery_window_days:
    description: With I(state=absent), days AWS keeps the secret restorable (0 deletes at once).
    type: int
    default: 7
  state:
    description: Whether the secret should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Generated values use letters and digits only, which every consumer (PostgreSQL, RabbitMQ,
    RDS master passwords that refuse C(/), C(@), C(") and spaces) accepts.
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows the keys (never the values), KMS key and tags before and after.
"""

EXAMPLES = r"""
- name: Database credentials, generated once
  cloud_design.platform.generated_secret:
    name: shop-prod/inventory-db
    kms_key_id: alias/shop-prod-secrets
    values:
      username: inventory
      dbname: movies
    generate: [password]
  register: inventory_db_secret

- name: Inject the password into a task definition
  ansible.builtin.debug:
    msg: "{{ inventory_db_secret.value_from.password }}"  # the ARN with ':password::', not the value
"""

RETURN = r"""
secret:
  description: The secret without its value; empty when absent.
  returned: always
  type: dict
  sample: {arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-prod/inventory-db-AbCdEf", name: shop-prod/inventory-db,
           keys: [dbname, password, username], kms_key_id: alias/shop-prod-secrets, version_id: 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b}
value_from:
  description: Per key, the reference an ECS container secret uses (C(<arn>:<key>::)).
  returned: when present
  type: dict
  sample: {password: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-prod/inventory-db-AbCdEf:password::"}
"""

import json
import secrets
import string

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
    apply_tags,
    client_token,
    dict_to_tag_list,
    wait_for,
    tag_list_to_dict,
)

ALPHABET = string.ascii_letters + string.digits


def generate(length):
    return "".join(secrets.choice(ALPHABET) for dummy in range(length))


def describe(sm, name):
    try:
        found = sm.describe_secret(SecretId=name)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    return found


def read_value(sm, arn):
    raw = sm.get_secret_value(SecretId=arn).get("SecretString") or "{}"
    try:
        value = json.loads(raw)
    except ValueError:
        raise PlatformError("secret %s does not hold a JSON document; it was not made by this module: "
                            "give another name or delete it" % arn)
    if not isinstance(value, dict):
        raise PlatformError("secret %s holds JSON that is not an object; give another name or delete it" % arn)
    return value


def summary(found, keys):
    if not found:
        return {}
    return {
        "arn": found["ARN"],
        "name": found["Name"],
        "keys": sorted(keys),
        "kms_key_id": found.get("KmsKeyId"),
        "tags": tag_list_to_dict(found.get("Tags")),
        # The current value's version: what used the value (a database role set from it) can tell it changed.
        "version_id": current_version(found),
        "rotation": rotation_of(found),
    }


def current_version(found):
    return next((version for version, stages in (found.get("VersionIdsToStages") or {}).items()
                 if "AWSCURRENT" in stages), None)


def rotation_of(found):
    if not found.get("RotationEnabled"):
        return {"days": 0}
    return {"days": (found.get("RotationRules") or {}).get("AutomaticallyAfterDays"),
            "function_arn": found.get("RotationLambdaARN")}


def wanted_rotation(params):
    rotation = params.get("rotation")
    if rotation is None:
        return None
    return {"days": 0} if rotation["days"] == 0 else {"days": rotation["days"], "function_arn": rotation["function_arn"]}


def wanted_document(params, current):
    """The JSON document to store, keeping generated values that exist. (document, changed keys)."""
    document = dict(current)
    changed = []
    for key, value in (params["values"] or {}).items():
        if document.get(key) != str(value):
            document[key] = str(value)
            changed.append(key)
    for key, value in (params["initial_values"] or {}).items():
        if not document.get(key):
            document[key] = str(value)
            changed.append(key)
    rotating = (wanted_rotation(params) or {}).get("days", 0) > 0
    for key in params["generate"]:
        if (params["regenerate"] and not rotating) or not document.get(key):
            document[key] = generate(params["length"])
            changed.append(key)
    return document, sorted(set(changed))


def ensure_present(module, sm):
    params = module.params
    found = describe(sm, params["name"])
    tags = dict(params.get("tags") or {})
    restored = False
    if found and found.get("DeletedDate"):
        restored = True
        if module.check_mode:
            return True, {}, {"name": params["name"], "restored": True}, None
        sm.restore_secret(SecretId=found["ARN"])
        found = describe(sm, params["name"])
    if found is None:
        document, dummy = wanted_document(params, {})
        after = {"name": params["name"], "keys": sorted(document), "kms_key_id": params.get("kms_key_id"), "tags": tags,
                 "rotation": wanted_rotation(params) or {"days": 0}}
        if module.check_mode:
            return True, {}, after, None
        request = {
            "Name": params["name"],
            "Description": params["description"],
            "SecretString": json.dumps(document, sort_keys=True),
            "ClientRequestToken": client_token("secret", params["name"], length=64),
        }
        if params.get("kms_key_id"):
            request["KmsKeyId"] = params["kms_key_id"]
        if tags:
            request["Tags"] = dict_to_tag_list(tags)
        try:
            sm.create_secret(**request)
        except is_boto3_error_code("ResourceExistsException"):
            pass  # the first attempt got through: adopt it below (its value stays as made)
        found = describe(sm, params["name"])
        if ensure_rotation(module, sm, found)[0]:
            found = describe(sm, params["name"])
        return True, {}, summary(found, document), found
    current = read_value(sm, found["ARN"])
    before = summary(found, current)
    document, changed_keys = wanted_document(params, current)
    changed = bool(changed_keys)
    if changed and not module.check_mode:
        sm.put_secret_value(SecretId=found["ARN"], SecretString=json.dumps(document, sort_keys=True),
                            ClientRequestToken=client_token("secret-value", found["ARN"], found.get("VersionIdsToStages"),
                                                            changed_keys))
        found = dict(found, VersionIdsToStages=describe(sm, params["name"]).get("VersionIdsToStages"))
    update = {}
    if params["description"] != found.get("Description", ""):
        update["Description"] = params["description"]
    if params.get("kms_key_id") and not kms_matches(params["kms_key_id"], found.get("KmsKeyId")):
        update["KmsKeyId"] = params["kms_key_id"]
    if update:
        changed = True
        if not module.check_mode:
            sm.update_secret(SecretId=found["ARN"], **update)
    tagged, new_tags = apply_tags(
        module.check_mode, tag_list_to_dict(found.get("Tags")), params.get("tags"), params["purge_tags"],
        lambda add: sm.tag_resource(SecretId=found["ARN"], Tags=dict_to_tag_list(add)),
        lambda keys: sm.untag_resource(SecretId=found["ARN"], TagKeys=keys))
    configured, rotation = ensure_rotation(module, sm, found)
    rotated = rotate_now(module, sm, found, rotation)
    if rotated:
        found = dict(found, VersionIdsToStages=describe(sm, params["name"]).get("VersionIdsToStages"))
    after = dict(before, keys=sorted(document), tags=new_tags, kms_key_id=update.get("KmsKeyId", before["kms_key_id"]),
                 version_id=current_version(found), rotation=rotation)
    if changed_keys:
        after["changed_keys"] = changed_keys
    if rotated:
        after["rotated"] = True
    return changed or tagged or restored or configured or rotated, before, after, found


def ensure_rotation(module, sm, found):
    """(changed, rotation after) for option rotation."""
    wanted, current = wanted_rotation(module.params), rotation_of(found)
    if wanted is None or wanted == current:
        return False, current
    if not module.check_mode:
        if wanted["days"] == 0:
            sm.cancel_rotate_secret(SecretId=found["ARN"])
        else:
            # Not now: Secrets Manager runs the function's testSecret step to check it (RotateSecret, RotateImmediately).
            sm.rotate_secret(SecretId=found["ARN"], RotationLambdaARN=wanted["function_arn"],
                             RotationRules={"AutomaticallyAfterDays": wanted["days"]}, RotateImmediately=False)
    return True, wanted


def rotate_now(module, sm, found, rotation):
    """Option regenerate with automatic rotation: one rotation through the function, now."""
    if not (module.params["regenerate"] and rotation.get("days", 0) > 0):
        return False
    if not module.check_mode:
        # One rotation per current version: a retry after a lost answer hands back the same rotation (ClientRequestToken).
        token = client_token("rotate", found["ARN"], current_version(found), length=64)
        wait_for_rotation_to_end(module, sm, found, token)
        sm.rotate_secret(SecretId=found["ARN"], ClientRequestToken=token)
        # RotateSecret only starts the rotation: done when the function made the new version current. A failed step
        # leaves it AWSPENDING (RotateSecret, "When rotation is unsuccessful...") until the timeout says so.
        try:
            wait_for(lambda: describe(sm, found["ARN"]).get("VersionIdsToStages") or {},
                     lambda stages: "AWSCURRENT" in stages.get(token, []), timeout=module.params["rotation_timeout"],
                     delay=2.0, what="the rotation of %s to make version %s current" % (found["Name"], token))
        except PlatformError as exc:
            raise PlatformError("%s. The rotation function %s says why in its log group (/aws/lambda/<function name>)"
                                % (exc, rotation["function_arn"]))
    return True


def wait_for_rotation_to_end(module, sm, found, token):
    """Wait while another rotation of the secret is under way: RotateSecret runs asynchronously, and refuses to start
    while a version is AWSPENDING without being AWSCURRENT ("Previous rotation request is still in progress"). Turning
    rotation on (ensure_rotation, just before) starts one: its test step. A step ends within Lambda's longest timeout
    (900 s, AWS Lambda Developer Guide, "Configure Lambda function timeout"); a version pending after that is left by a
    rotation that failed."""
    def under_way(stages):
        return sorted(v for v, labels in stages.items() if "AWSPENDING" in labels and "AWSCURRENT" not in labels and v != token)

    try:
        wait_for(lambda: describe(sm, found["ARN"]).get("VersionIdsToStages") or {}, lambda stages: not under_way(stages),
                 timeout=min(900, module.params["rotation_timeout"]), delay=1.0,
                 what="the rotation under way of %s to end" % found["Name"])
    except PlatformError as exc:
        raise PlatformError("%s: a version AWSPENDING without AWSCURRENT is left by a rotation that failed; its function's log "
                            "group (/aws/lambda/<function name>) says why. Remove the label from that version "
                            "(UpdateSecretVersionStage with RemoveFromVersionId) and run again" % exc)


def kms_matches(wanted, current):
    if not current:
        return False
    wanted_tail = wanted.split("/")[-1].split(":")[-1]
    return wanted == current or current.endswith(wanted_tail) or wanted.endswith(current.split("/")[-1])


def ensure_absent(module, sm):
    found = describe(sm, module.params["name"])
    if found is None or found.get("DeletedDate"):
        return False, {}, {}
    if not module.check_mode:
        window = module.params["recovery_window_days"]
        request = {"SecretId": found["ARN"]}
        if window == 0:
            request["ForceDeleteWithoutRecovery"] = True
        else:
            request["RecoveryWindowInDays"] = window
        sm.delete_secret(**request)
    return True, summary(found, []), {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        description=dict(type="str", default=""),
        kms_key_id=dict(type="str"),
        values=dict(type="dict", default={}),
        generate=dict(type="list", elements="str", default=["password"], no_log=False),
        length=dict(type="int", default=32),
        initial_values=dict(type="dict", default={}),
        regenerate=dict(type="bool", default=False),
        rotation=dict(type="dict", options=dict(
            function_arn=dict(type="str"),
            days=dict(type="int", required=True),
        )),
        rotation_timeout=dict(type="int", default=1800),
        recovery_window_days=dict(type="int", default=7),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    params = module.params
    if params["length"] < 16 or params["length"] > 128:
        module.fail_json(msg="length must be 16 to 128, got %d" % params["length"])
    rotation = params.get("rotation")
    if rotation and not 0 <= rotation["days"] <= 1000:
        module.fail_json(msg="rotation.days must be 0 (off) or 1 to 1000 (AWS limits), got %d" % rotation["days"])
    if rotation and rotation["days"] and not rotation.get("function_arn"):
        module.fail_json(msg="rotation.function_arn is required when rotation.days is above 0")
    window = params["recovery_window_days"]
    if window != 0 and not 7 <= window <= 30:
        module.fail_json(msg="recovery_window_days must be 0 or 7 to 30 (AWS limits), got %d" % window)
    sm = module.client("secretsmanager")

    def converge():
        if params["state"] == "present":
            changed, before, after, found = ensure_present(module, sm)
        else:
            (changed, before, after), found = ensure_absent(module, sm), None
        result = {"changed": changed, "secret": after}
        if found:
            result["value_from"] = {key: "%s:%s::" % (found["ARN"], key) for key in after.get("keys", [])}
        elif params["state"] == "present":
            # Check mode before the first run: references to show in the plan, never used for a call.
            result["value_from"] = {key: "(new secret %s):%s::" % (params["name"], key) for key in after.get("keys", [])}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage secret %s" % params["name"])


if __name__ == "__main__":
    main()
