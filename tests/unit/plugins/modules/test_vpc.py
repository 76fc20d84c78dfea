"""vpc against moto: VPC and internet gateway converged, created exactly once after a lost answer."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import vpc
from ...conftest import ModuleFail

ARGS = {"name": "demo-t-vpc", "cidr_block": "10.30.0.0/16", "internet_gateway": True, "internet_gateway_name": "demo-t-igw",
        "tags": {"Project": "demo", "Environment": "t"}}


def ours(aws):
    ec2 = aws("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["demo-t-vpc"]}])["Vpcs"]
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "tag:Name", "Values": ["demo-t-igw"]}])["InternetGateways"]
    return vpcs, igws


def test_check_mode_on_an_empty_account_creates_nothing(aws, run_module):
    result = run_module(vpc, ARGS, check=True)
    assert result["changed"] is True and result["vpc"] == {}
    assert result["changes"] == ["create VPC demo-t-vpc", "create and attach internet gateway demo-t-igw"]
    assert ours(aws) == ([], [])


def test_create_then_idempotent(aws, run_module):
    result = run_module(vpc, ARGS, diff=True)
    assert result["changed"] is True
    vpcs, igws = ours(aws)
    assert len(vpcs) == 1 and len(igws) == 1
    vpc_id = vpcs[0]["VpcId"]
    assert result["vpc"]["id"] == vpc_id and result["internet_gateway"]["id"] == igws[0]["InternetGatewayId"]
    assert igws[0]["Attachments"][0]["VpcId"] == vpc_id
    ec2 = aws("ec2")
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"] is True
    assert {"Key": "Environment", "Value": "t"} in vpcs[0]["Tags"]
    again = run_module(vpc, ARGS)
    assert again["changed"] is False and again["vpc"]["id"] == vpc_id
    assert run_module(vpc, ARGS, check=True)["changed"] is False


def test_tags_and_dns_drift_are_repaired(aws, run_module):
    vpc_id = run_module(vpc, ARGS)["vpc"]["id"]
    ec2 = aws("ec2")
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "Environment"}])
    check = run_module(vpc, ARGS, check=True)
    assert check["changed"] is True and "dns_hostnames of VPC demo-t-vpc: True" in check["changes"]
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is False
    assert run_module(vpc, ARGS)["changed"] is True
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    assert {"Key": "Environment", "Value": "t"} in ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Tags"]


def test_lost_answers_create_each_thing_once(aws, run_module, lose_answers):
    """CreateVpc, CreateInternetGateway and AttachInternetGateway carried out, answers lost: adopted."""
    lose_answers.update(create_vpc=1, create_internet_gateway=1, attach_internet_gateway=1)
    result = run_module(vpc, ARGS)
    vpcs, igws = ours(aws)
    assert len(vpcs) == 1 and len(igws) == 1
    assert igws[0]["Attachments"][0]["VpcId"] == vpcs[0]["VpcId"] == result["vpc"]["id"]
    assert lose_answers == {"create_vpc": 0, "create_internet_gateway": 0, "attach_internet_gateway": 0}
    assert run_module(vpc, ARGS)["changed"] is False


def test_an_unattached_gateway_of_ours_is_adopted(aws, run_module):
    ec2 = aws("ec2")
    left = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway",
                                                           "Tags": [{"Key": "Name", "Value": "demo-t-igw"}]}])["InternetGateway"]
    result = run_module(vpc, ARGS)
    assert result["internet_gateway"]["id"] == left["InternetGatewayId"]
    vpcs, igws = ours(aws)
    assert len(igws) == 1 and igws[0]["Attachments"][0]["VpcId"] == vpcs[0]["VpcId"]


def test_two_vpcs_of_the_name_stop_the_run_and_are_named(aws, run_module):
    ec2 = aws("ec2")
    ids = [ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "demo-t-vpc"}]}])
           ["Vpc"]["VpcId"] for dummy in range(2)]
    with pytest.raises(ModuleFail) as err:
        run_module(vpc, ARGS)
    message = str(err.value)
    assert "found 2 VPCs named demo-t-vpc with CIDR 10.30.0.0/16" in message
    assert all(i in message for i in ids)
    assert len(ours(aws)[0]) == 2
