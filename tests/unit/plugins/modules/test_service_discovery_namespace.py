"""service_discovery_namespace against moto."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import service_discovery_namespace as sdn

from ...conftest import ModuleFail


@pytest.fixture
def vpc_id(aws):
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def namespaces(aws):
    return aws("servicediscovery").list_namespaces()["Namespaces"]


def args(vpc_id, **extra):
    return dict({"name": "t.demo.internal", "vpc_id": vpc_id, "tags": {"Project": "demo"}}, **extra)


def test_check_mode_creates_nothing(aws, run_module, vpc_id):
    assert run_module(sdn, args(vpc_id), check=True)["changed"] is True
    assert namespaces(aws) == []


def test_create_waits_and_is_idempotent(aws, run_module, vpc_id):
    result = run_module(sdn, args(vpc_id))
    assert result["changed"] is True
    found = namespaces(aws)
    assert [n["Name"] for n in found] == ["t.demo.internal"]
    assert result["namespace"]["id"] == found[0]["Id"]
    assert result["namespace"]["hosted_zone_id"]
    tags = aws("servicediscovery").list_tags_for_resource(ResourceARN=found[0]["Arn"])["Tags"]
    assert tags == [{"Key": "Project", "Value": "demo"}]
    assert run_module(sdn, args(vpc_id))["changed"] is False


def test_tags_update(aws, run_module, vpc_id):
    run_module(sdn, args(vpc_id))
    assert run_module(sdn, args(vpc_id, tags={"Project": "demo", "Team": "a"}))["changed"] is True
    arn = namespaces(aws)[0]["Arn"]
    tags = aws("servicediscovery").list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert {"Key": "Team", "Value": "a"} in tags


def test_absent(aws, run_module, vpc_id):
    run_module(sdn, args(vpc_id))
    assert run_module(sdn, args(vpc_id, state="absent"))["changed"] is True
    assert namespaces(aws) == []
    assert run_module(sdn, args(vpc_id, state="absent"))["changed"] is False


def test_failed_operation_is_reported(aws, run_module, vpc_id, monkeypatch):
    def failing(_sd, _operation_id, _timeout):
        raise sdn.PlatformError("Cloud Map operation op-1 failed: quota")

    monkeypatch.setattr(sdn, "wait_operation", failing)
    with pytest.raises(ModuleFail, match="op-1 failed"):
        run_module(sdn, args(vpc_id))
