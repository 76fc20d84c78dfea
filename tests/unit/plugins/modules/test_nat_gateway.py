"""nat_gateway against moto: tagged EIP, exactly once, adopt-or-refuse, absent."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import nat_gateway

from ...conftest import ModuleFail


@pytest.fixture
def subnet_id(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]


def live(aws):
    gws = aws("ec2").describe_nat_gateways()["NatGateways"]
    return [g for g in gws if g["State"] in ("pending", "available")]


def eips(aws):
    return aws("ec2").describe_addresses()["Addresses"]


def args(subnet_id, **extra):
    return dict({"name": "demo-t-nat-a", "subnet_id": subnet_id, "tags": {"Project": "demo"}}, **extra)


def test_check_mode_allocates_nothing(aws, run_module, subnet_id):
    assert run_module(nat_gateway, args(subnet_id), check=True)["changed"] is True
    assert live(aws) == [] and eips(aws) == []


def test_create_tags_gateway_and_eip_then_idempotent(aws, run_module, subnet_id):
    result = run_module(nat_gateway, args(subnet_id))
    assert result["changed"] is True
    assert len(live(aws)) == 1
    addresses = eips(aws)
    assert len(addresses) == 1
    assert {"Key": "Name", "Value": "demo-t-nat-a-eip"} in addresses[0]["Tags"]
    assert result["nat_gateway"]["allocation_id"] == addresses[0]["AllocationId"]
    assert result["nat_gateway"]["tags"]["Project"] == "demo"
    assert run_module(nat_gateway, args(subnet_id))["changed"] is False
    assert len(live(aws)) == 1 and len(eips(aws)) == 1


def test_a_tagged_free_eip_left_by_an_interrupted_run_is_adopted(aws, run_module, subnet_id):
    left = aws("ec2").allocate_address(Domain="vpc", TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "demo-t-nat-a-eip"}]}])
    result = run_module(nat_gateway, args(subnet_id))
    assert result["nat_gateway"]["allocation_id"] == left["AllocationId"]
    assert len(eips(aws)) == 1


def test_two_tagged_eips_are_refused(aws, run_module, subnet_id):
    for _attempt in range(2):
        aws("ec2").allocate_address(Domain="vpc", TagSpecifications=[
            {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "demo-t-nat-a-eip"}]}])
    with pytest.raises(ModuleFail, match="found 2 elastic IPs named demo-t-nat-a-eip"):
        run_module(nat_gateway, args(subnet_id))
    assert live(aws) == []


def test_absent_deletes_gateway_and_releases_eip(aws, run_module, subnet_id):
    run_module(nat_gateway, args(subnet_id))
    assert run_module(nat_gateway, args(subnet_id, state="absent"))["changed"] is True
    assert live(aws) == [] and eips(aws) == []
    assert run_module(nat_gateway, args(subnet_id, state="absent"))["changed"] is False


def test_lost_answers_allocate_and_create_each_thing_once(aws, run_module, subnet_id, lose_answers):
    """AllocateAddress and CreateNatGateway carried out, their answers lost: both adopted, nothing made twice."""
    lose_answers.update(allocate_address=1, create_nat_gateway=1)
    result = run_module(nat_gateway, args(subnet_id))
    assert lose_answers == {"allocate_address": 0, "create_nat_gateway": 0}
    assert result["changed"] is True
    assert len(eips(aws)) == 1 and len(live(aws)) == 1
    assert result["nat_gateway"]["id"] == live(aws)[0]["NatGatewayId"]
    assert run_module(nat_gateway, args(subnet_id))["changed"] is False
