#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_repository
short_description: Manage ECR repositories with scanning, tag immutability, KMS encryption and tags
version_added: 0.1.0
description:
  - Converges one or more ECR repositories that share the same settings in one task.
  - C(community.aws.ecs_ecr) manages no tags and one repository per task.
  - The encryption of a repository is fixed at creation; a repository whose encryption
    differs from the request is reported as an error (recreating it would lose its images).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  names:
    description: Names of the repositories.
    type: list
    elements: str
    required: true
  image_tag_mutability:
    description: Whether image tags may be overwritten.
    type: str
    choices: [MUTABLE, IMMUTABLE]
    default: IMMUTABLE
  scan_on_push:
    description: Scan each image when it is pushed (basic scanning; Inspector2 adds enhanced scanning).
    type: bool
    default: true
  keep_images:
    description:
      - The repository's lifecycle policy keeps this many of the most recently pushed images and expires the
        rest; untagged images expire I(untagged_days) after their push. C(0) leaves the lifecycle policy alone.
      - Keep enough for a rollback; an image still named by a running task definition but older than the last
        I(keep_images) pushes is expired all the same (ECR does not know which images run).
    type: int
    default: 0
  untagged_days:
    description: Days after its push that an untagged image expires, with I(keep_images).
    type: int
    default: 7
  encryption_type:
    description: Encryption of the stored images.
    type: str
    choices: [KMS, AES256]
    default: KMS
  kms_key:
    description:
      - KMS key id, ARN or alias for I(encryption_type=KMS); the AWS managed key for ECR when omitted.
    type: str
  force_absent:
    description: With I(state=absent), delete repositories that still hold images.
    type: bool
    default: false
  state:
    description: Whether the repositories should exist.
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
    description: Shows every repository before and after.
"""

EXAMPLES = r"""
- name: Repositories for the platform's images
  cloud_design.platform.ecr_repository:
    names: [shop-prod/api-gateway, shop-prod/inventory-app, shop-prod/billing-app]
    image_tag_mutability: IMMUTABLE
    scan_on_push: true
    encryption_type: KMS
    keep_images: 30
    kms_key: alias/shop-prod-data
    tags:
      Project: shop
      Environment: prod
"""

RETURN = r"""
repositories:
  description: The repositories by name; empty when absent.
  returned: always
  type: dict
  sample:
    shop-prod/api-gateway:
      repository_arn: arn:aws:ecr:eu-west-1:123456789012:repository/shop-prod/api-gateway
      repository_uri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-prod/api-gateway
      image_tag_mutability: IMMUTABLE
      scan_on_push: true
      encryption_type: KMS
      kms_key: arn:aws:kms:eu-west-1:123456789012:key/0c9d65be-d661-4df6-878a-f43d26938c9e
      tags: {Project: shop}
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    PlatformModule,
    apply_tags,
    concurrently,
    dict_to_tag_list,
    tag_list_to_dict,
)


def describe(client, name):
    try:
        repo = client.describe_repositories(repositoryNames=[name])["repositories"][0]
    except is_boto3_error_code("RepositoryNotFoundException"):
        return None
    tags = client.list_tags_for_resource(resourceArn=repo["repositoryArn"]).get("tags")
    return view(repo, tag_list_to_dict(tags))


def view(repo, tags):
    enc = repo.get("encryptionConfiguration") or {"encryptionType": "AES256"}
    return {
        "repository_name": repo["repositoryName"],
        "repository_arn": repo["repositoryArn"],
        "repository_uri": repo.get("repositoryUri"),
        "image_tag_mutability": repo.get("imageTagMutability", "MUTABLE"),
        "scan_on_push": bool((repo.get("imageScanningConfiguration") or {}).get("scanOnPush")),
        "encryption_type": enc.get("encryptionType"),
        "kms_key": enc.get("kmsKey"),
        "tags": tags,
    }


def lifecycle_policy(keep, untagged_days):
    """The lifecycle policy document (Amazon ECR User Guide, "Lifecycle policy parameters"): the rule on every image
    ("any") must have the highest priority number, so the untagged rule comes first."""
    return {"rules": [
        {"rulePriority": 1, "description": "Untagged images expire %d days after their push" % untagged_days,
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": untagged_days},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "Keep the %d most recent images" % keep,
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
         "action": {"type": "expire"}},
    ]}


def current_lifecycle(client, name):
    try:
        text = client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
    except is_boto3_error_code(["LifecyclePolicyNotFoundException", "RepositoryNotFoundException"]):
        return None
    return json.loads(text)


def read_repositories(client, names, lifecycle):
    """{name: (the repository as describe() reads it, its lifecycle policy)}, every repository read at once before any
    change (the policy only where ``lifecycle``, and beside the repository: a missing one has none)."""
    def read(name):
        if not lifecycle:
            return describe(client, name), None
        return tuple(concurrently(lambda: describe(client, name), lambda: current_lifecycle(client, name)))
    return dict(zip(names, concurrently(*[lambda name=name: read(name) for name in names])))


def ensure_lifecycle(module, client, name, have):
    """(changed, before, after) of the repository's lifecycle policy (``have``, as read before any change); nothing when
    keep_images is 0."""
    keep = module.params["keep_images"]
    if not keep:
        return False, None, None
    wanted = lifecycle_policy(keep, module.params["untagged_days"])
    if have == wanted:
        return False, have, wanted
    if not module.check_mode:
        client.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(wanted, sort_keys=True))
    return True, have, wanted


def key_matches(current_key, wanted_key):
    """A wanted alias or id matches an ARN AWS reports when it names the same key."""
    if not wanted_key:
        return True  # the AWS managed key, whatever ARN it has
    if not current_key:
        return False
    return current_key == wanted_key or current_key.endswith("/" + wanted_key.split("/")[-1])


def ensure_repo(module, client, name, current):
    """(changed, before, after) of the repository, ``current`` as describe() read it before any change."""
    params = module.params
    if current is None:
        want = {
            "repository_name": name,
            "image_tag_mutability": params["image_tag_mutability"],
            "scan_on_push": params["scan_on_push"],
            "encryption_type": params["encryption_type"],
            "kms_key": params.get("kms_key"),
            "tags": dict(params.get("tags") or {}),
        }
        if module.check_mode:
            return True, None, want
        enc = {"encryptionType": params["encryption_type"]}
        if params["encryption_type"] == "KMS" and params.get("kms_key"):
            enc["kmsKey"] = params["kms_key"]
        request = {
            "repositoryName": name,
            "imageTagMutability": params["image_tag_mutability"],
            "imageScanningConfiguration": {"scanOnPush": params["scan_on_push"]},
            "encryptionConfiguration": enc,
        }
        if params.get("tags"):
            request["tags"] = dict_to_tag_list(params["tags"])
        try:
            client.create_repository(**request)
        except is_boto3_error_code("RepositoryAlreadyExistsException"):
            pass  # an earlier attempt of this create got through: adopt it
        return True, None, describe(client, name)

    if current["encryption_type"] != params["encryption_type"] or (
        params["encryption_type"] == "KMS" and not key_matches(current["kms_key"], params.get("kms_key"))
    ):
        raise PlatformError(
            "ECR repository %s is encrypted with %s %s but %s %s is asked; encryption cannot change after creation. "
            "Keep the current setting, or move the images and delete the repository so it is recreated."
            % (name, current["encryption_type"], current["kms_key"] or "", params["encryption_type"], params.get("kms_key") or "")
        )
    after = dict(current)
    changed = False
    if current["image_tag_mutability"] != params["image_tag_mutability"]:
        changed = True
        after["image_tag_mutability"] = params["image_tag_mutability"]
        if not module.check_mode:
            client.put_image_tag_mutability(repositoryName=name, imageTagMutability=params["image_tag_mutability"])
    if current["scan_on_push"] != params["scan_on_push"]:
        changed = True
        after["scan_on_push"] = params["scan_on_push"]
        if not module.check_mode:
            client.put_image_scanning_configuration(repositoryName=name,
                                                    imageScanningConfiguration={"scanOnPush": params["scan_on_push"]})
    tags_changed, after["tags"] = apply_tags(
        module.check_mode, current["tags"], params.get("tags"), params["purge_tags"],
        lambda add: client.tag_resource(resourceArn=current["repository_arn"], tags=dict_to_tag_list(add)),
        lambda keys: client.untag_resource(resourceArn=current["repository_arn"], tagKeys=keys))
    changed |= tags_changed
    return changed, current, after


def remove_repo(module, client, name):
    current = describe(client, name)
    if current is None:
        return False, None, None
    if not module.check_mode:
        try:
            client.delete_repository(repositoryName=name, force=module.params["force_absent"])
        except is_boto3_error_code("RepositoryNotEmptyException"):
            raise PlatformError("ECR repository %s still holds images; delete them or set force_absent: true" % name)
    return True, current, None


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str", required=True),
        image_tag_mutability=dict(type="str", default="IMMUTABLE", choices=["MUTABLE", "IMMUTABLE"]),
        scan_on_push=dict(type="bool", default=True),
        encryption_type=dict(type="str", default="KMS", choices=["KMS", "AES256"]),
        kms_key=dict(type="str", no_log=False),
        keep_images=dict(type="int", default=0),
        untagged_days=dict(type="int", default=7),
        force_absent=dict(type="bool", default=False),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    if module.params["keep_images"] < 0 or module.params["keep_images"] and module.params["untagged_days"] < 1:
        module.fail_json(msg="keep_images must be 0 (no lifecycle policy) or more, and untagged_days 1 or more; got %s and %s"
                         % (module.params["keep_images"], module.params["untagged_days"]))
    client = module.client("ecr")
    before, after = {}, {}

    def converge():
        changed = False
        present = module.params["state"] == "present"
        found = read_repositories(client, module.params["names"], bool(module.params["keep_images"])) if present else {}
        for name in module.params["names"]:
            if present:
                current, have = found[name]
                one_changed, one_before, one_after = ensure_repo(module, client, name, current)
                policy_changed, policy_before, policy_after = ensure_lifecycle(module, client, name, have)
                one_changed |= policy_changed
                if policy_after:
                    one_after = dict(one_after, lifecycle_policy=policy_after)
                    if one_before:
                        one_before = dict(one_before, lifecycle_policy=policy_before)
            else:
                one_changed, one_before, one_after = remove_repo(module, client, name)
            changed |= one_changed
            if one_before:
                before[name] = one_before
            if one_after:
                after[name] = one_after
        result = {"changed": changed, "repositories": after}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage ECR repositories %s" % ", ".join(module.params["names"]))


if __name__ == "__main__":
    main()
