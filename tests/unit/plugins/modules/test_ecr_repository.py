"""ecr_repository against moto."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import ecr_repository

from ...conftest import ModuleFail

NAMES = ["demo-t/api-gateway", "demo-t/billing-app"]


def repos(aws):
    return {r["repositoryName"]: r for r in aws("ecr").describe_repositories()["repositories"]}


def test_check_mode_creates_nothing(aws, run_module):
    assert run_module(ecr_repository, {"names": NAMES}, check=True)["changed"] is True
    assert repos(aws) == {}


def test_create_many_then_idempotent(aws, run_module):
    result = run_module(ecr_repository, {"names": NAMES, "tags": {"Project": "demo"}})
    assert result["changed"] is True
    found = repos(aws)
    assert sorted(found) == NAMES
    for repo in found.values():
        assert repo["imageTagMutability"] == "IMMUTABLE"
        assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo["encryptionConfiguration"]["encryptionType"] == "KMS"
        tags = aws("ecr").list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]
        assert tags == [{"Key": "Project", "Value": "demo"}]
    assert run_module(ecr_repository, {"names": NAMES, "tags": {"Project": "demo"}})["changed"] is False


def test_mutability_and_scanning_update(aws, run_module):
    run_module(ecr_repository, {"names": NAMES[:1]})
    result = run_module(ecr_repository, {"names": NAMES[:1], "image_tag_mutability": "MUTABLE", "scan_on_push": False}, diff=True)
    assert result["changed"] is True
    repo = repos(aws)[NAMES[0]]
    assert repo["imageTagMutability"] == "MUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": False}


def test_encryption_cannot_change(aws, run_module):
    run_module(ecr_repository, {"names": NAMES[:1], "encryption_type": "AES256"})
    with pytest.raises(ModuleFail, match="encryption cannot change after creation"):
        run_module(ecr_repository, {"names": NAMES[:1], "encryption_type": "KMS"})


def test_absent(aws, run_module):
    run_module(ecr_repository, {"names": NAMES})
    assert run_module(ecr_repository, {"names": NAMES, "state": "absent"})["changed"] is True
    assert repos(aws) == {}


def test_lifecycle_policy_keeps_the_latest_images(aws, run_module):
    """FSBP ECR.3: a lifecycle policy on every repository; made with the repository, changed in place, then left alone."""
    import json  # pylint: disable=import-outside-toplevel

    def policy(name):
        return json.loads(aws("ecr").get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])

    assert run_module(ecr_repository, {"names": NAMES[:1], "keep_images": 30}, check=True)["changed"] is True
    assert repos(aws) == {}
    run_module(ecr_repository, {"names": NAMES[:1], "keep_images": 30})
    rules = policy(NAMES[0])["rules"]
    assert [(r["rulePriority"], r["selection"]["tagStatus"], r["selection"]["countNumber"]) for r in rules] == [(1, "untagged", 7), (2, "any", 30)]
    assert run_module(ecr_repository, {"names": NAMES[:1], "keep_images": 30})["changed"] is False
    result = run_module(ecr_repository, {"names": NAMES[:1], "keep_images": 10}, diff=True)
    assert result["changed"] is True and policy(NAMES[0])["rules"][1]["selection"]["countNumber"] == 10
    assert result["diff"]["before"][NAMES[0]]["lifecycle_policy"]["rules"][1]["selection"]["countNumber"] == 30
    # 0 leaves the policy as it is.
    assert run_module(ecr_repository, {"names": NAMES[:1]})["changed"] is False
    assert policy(NAMES[0])["rules"][1]["selection"]["countNumber"] == 10


def test_a_negative_image_count_is_refused(aws, run_module):
    with pytest.raises(ModuleFail, match="keep_images must be 0"):
        run_module(ecr_repository, {"names": NAMES[:1], "keep_images": -1})
    assert repos(aws) == {}


def test_a_rerun_reads_every_repository_at_once(aws, run_module, slow_calls):
    """Each repository, its tags and its lifecycle policy are read before any change, the repositories side by side:
    at 50 ms a call, a converged set is confirmed in about two round trips, not three per repository."""
    run_module(ecr_repository, {"names": NAMES, "keep_images": 10, "tags": {"Project": "demo"}})
    slow_calls.start()
    assert run_module(ecr_repository, {"names": NAMES, "keep_images": 10, "tags": {"Project": "demo"}})["changed"] is False
    assert sorted(slow_calls.calls) == sorted(["DescribeRepositories", "ListTagsForResource", "GetLifecyclePolicy"] * 2)
    assert slow_calls.most >= 4, slow_calls.calls
