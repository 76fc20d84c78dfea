"""service_discovery_service against moto: a CNAME name pointing at a database writer."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import service_discovery_service as sds

from ...conftest import ModuleFail


@pytest.fixture
def namespace(aws):
    vpc = aws("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sd = aws("servicediscovery")
    sd.create_private_dns_namespace(Name="t.demo.internal", Vpc=vpc)
    return sd.list_namespaces()["Namespaces"][0]["Id"]


def args(namespace, **extra):
    return dict({"name": "inventory-db", "namespace_id": namespace, "record_type": "CNAME", "ttl": 30,
                 "cname": "writer.cluster-1.eu-west-1.rds.amazonaws.com", "tags": {"Project": "demo"}}, **extra)


def instances(aws):
    sd = aws("servicediscovery")
    service = sd.list_services()["Services"][0]
    return {i["Id"]: i["Attributes"] for i in sd.list_instances(ServiceId=service["Id"])["Instances"]}


def test_check_mode(aws, run_module, namespace):
    assert run_module(sds, args(namespace), check=True)["changed"] is True
    assert aws("servicediscovery").list_services()["Services"] == []


def test_cname_target_and_idempotence(aws, run_module, namespace):
    assert run_module(sds, args(namespace))["changed"] is True
    assert instances(aws) == {"target": {"AWS_INSTANCE_CNAME": "writer.cluster-1.eu-west-1.rds.amazonaws.com"}}
    assert run_module(sds, args(namespace))["changed"] is False
    assert run_module(sds, args(namespace, cname="writer2.example"))["changed"] is True
    assert instances(aws) == {"target": {"AWS_INSTANCE_CNAME": "writer2.example"}}


def test_record_type_cannot_change(aws, run_module, namespace):
    run_module(sds, args(namespace))
    with pytest.raises(ModuleFail, match="record type cannot change"):
        run_module(sds, args(namespace, record_type="A"))


def test_absent(aws, run_module, namespace):
    run_module(sds, args(namespace))
    assert run_module(sds, args(namespace, state="absent"))["changed"] is True
    assert aws("servicediscovery").list_services()["Services"] == []
    assert run_module(sds, args(namespace, state="absent"))["changed"] is False
