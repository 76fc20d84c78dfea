"""subnets against moto: the set converged in one call, each subnet created exactly once."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import subnets

from ...conftest import ModuleFail


@pytest.fixture
def vpc_id(aws):
    return aws("ec2").create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]


def args(vpc_id, **extra):
    return dict({"vpc_id": vpc_id, "tags": {"Project": "demo"}, "subnets": [
        {"cidr": "10.50.0.0/20", "az": "eu-west-1a", "name": "demo-t-public-a", "tags": {"Tier": "public"}},
        {"cidr": "10.50.128.0/20", "az": "eu-west-1b", "name": "demo-t-private-b", "tags": {"Tier": "private"}},
    ]}, **extra)


def listed(aws, vpc_id):
    return {s["CidrBlock"]: s for s in aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]}


def test_check_mode_creates_nothing(aws, run_module, vpc_id):
    result = run_module(subnets, args(vpc_id), check=True)
    assert result["changed"] is True and [s["id"] for s in result["subnets"]] == [None, None]
    assert listed(aws, vpc_id) == {}


def test_create_then_idempotent(aws, run_module, vpc_id):
    result = run_module(subnets, args(vpc_id))
    have = listed(aws, vpc_id)
    assert sorted(have) == ["10.50.0.0/20", "10.50.128.0/20"]
    assert [s["id"] for s in result["subnets"]] == [have["10.50.0.0/20"]["SubnetId"], have["10.50.128.0/20"]["SubnetId"]]
    assert have["10.50.128.0/20"]["AvailabilityZone"] == "eu-west-1b"
    tags = {t["Key"]: t["Value"] for t in have["10.50.0.0/20"]["Tags"]}
    assert tags == {"Project": "demo", "Name": "demo-t-public-a", "Tier": "public"}
    assert result["subnets"][0]["tags"]["Tier"] == "public"
    assert run_module(subnets, args(vpc_id))["changed"] is False
    assert run_module(subnets, args(vpc_id), check=True)["changed"] is False


def test_lost_answers_adopt_the_subnets_made(aws, run_module, vpc_id, lose_answers):
    lose_answers.update(create_subnet=2)
    result = run_module(subnets, args(vpc_id))
    have = listed(aws, vpc_id)
    assert lose_answers == {"create_subnet": 0}
    assert len(have) == 2 and {s["id"] for s in result["subnets"]} == {s["SubnetId"] for s in have.values()}
    assert run_module(subnets, args(vpc_id))["changed"] is False


def test_public_ip_on_launch_and_tags_are_repaired(aws, run_module, vpc_id):
    run_module(subnets, args(vpc_id))
    subnet_id = listed(aws, vpc_id)["10.50.0.0/20"]["SubnetId"]
    aws("ec2").modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    result = run_module(subnets, args(vpc_id))
    assert result["changes"] == ["no public IP on launch in subnet demo-t-public-a"]
    assert listed(aws, vpc_id)["10.50.0.0/20"]["MapPublicIpOnLaunch"] is False


def test_a_subnet_in_another_zone_stops_before_any_change(aws, run_module, vpc_id):
    aws("ec2").create_subnet(VpcId=vpc_id, CidrBlock="10.50.128.0/20", AvailabilityZone="eu-west-1c")
    with pytest.raises(ModuleFail, match="is in eu-west-1c, not eu-west-1b: a subnet cannot move"):
        run_module(subnets, args(vpc_id))
    assert sorted(listed(aws, vpc_id)) == ["10.50.128.0/20"]


def test_a_block_listed_twice_is_refused(aws, run_module, vpc_id):
    bad = args(vpc_id)
    bad["subnets"].append(dict(bad["subnets"][0], name="again"))
    with pytest.raises(ModuleFail, match="10.50.0.0/20 is listed twice"):
        run_module(subnets, bad)
    assert listed(aws, vpc_id) == {}
