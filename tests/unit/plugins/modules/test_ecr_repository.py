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
