"""route_table against moto: routes and subnets converged, the table created exactly once after a lost answer."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import route_table

from ...conftest import ModuleFail


@pytest.fixture
def net(aws):
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.%d.0/24" % i)["Subnet"]["SubnetId"] for i in range(3)]
    return {"vpc_id": vpc_id, "igw": igw, "subnets": subnets}


def args(net, subnets=None, routes=None):
    return {"vpc_id": net["vpc_id"], "name": "demo-t-public", "tags": {"Project": "demo", "Tier": "public"},
            "subnets": net["subnets"][:2] if subnets is None else subnets,
            "routes": [{"dest": "0.0.0.0/0", "gateway_id": net["igw"]}] if routes is None else routes}


def tables(aws, net):
    return aws("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net["vpc_id"]]},
                                                     {"Name": "tag:Name", "Values": ["demo-t-public"]}])["RouteTables"]


def routes_of(table):
    return {r["DestinationCidrBlock"]: r.get("GatewayId") or r.get("NatGatewayId") for r in table["Routes"] if r.get("DestinationCidrBlock")}


def test_check_mode_creates_nothing(aws, run_module, net):
    result = run_module(route_table, args(net), check=True)
    assert result["changed"] is True and result["route_table"]["id"] is None
    assert result["changes"][0] == "create route table demo-t-public"
    assert tables(aws, net) == []


def test_create_routes_subnets_then_idempotent(aws, run_module, net):
    result = run_module(route_table, args(net), diff=True)
    found = tables(aws, net)
    assert len(found) == 1 and result["route_table"]["id"] == found[0]["RouteTableId"]
    assert routes_of(found[0]) == {"10.40.0.0/16": "local", "0.0.0.0/0": net["igw"]}
    assert sorted(a["SubnetId"] for a in found[0]["Associations"] if a.get("SubnetId")) == sorted(net["subnets"][:2])
    assert {"Key": "Tier", "Value": "public"} in found[0]["Tags"]
    assert run_module(route_table, args(net))["changed"] is False
    assert run_module(route_table, args(net), check=True)["changed"] is False


def test_subnets_and_routes_follow_the_inputs(aws, run_module, net):
    run_module(route_table, args(net))
    result = run_module(route_table, args(net, subnets=net["subnets"][1:], routes=[]))
    assert sorted(result["changes"]) == sorted(["associate %s" % net["subnets"][2], "disassociate %s" % net["subnets"][0], "remove route 0.0.0.0/0"])
    table = tables(aws, net)[0]
    assert routes_of(table) == {"10.40.0.0/16": "local"}
    assert sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId")) == sorted(net["subnets"][1:])


def test_a_subnet_of_another_table_is_moved(aws, run_module, net):
    ec2 = aws("ec2")
    other = ec2.create_route_table(VpcId=net["vpc_id"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=other, SubnetId=net["subnets"][0])
    run_module(route_table, args(net))
    assert [a for a in ec2.describe_route_tables(RouteTableIds=[other])["RouteTables"][0]["Associations"] if a.get("SubnetId")] == []


def test_a_route_without_exactly_one_target_is_refused_before_any_change(aws, run_module, net):
    with pytest.raises(ModuleFail, match="route to 0.0.0.0/0 needs exactly one of gateway_id or nat_gateway_id"):
        run_module(route_table, args(net, routes=[{"dest": "0.0.0.0/0"}]))
    assert tables(aws, net) == []


def test_lost_answers_create_the_table_route_and_associations_once(aws, run_module, net, lose_answers):
    """CreateRouteTable, CreateRoute and AssociateRouteTable carried out, each answer lost: kept, not repeated."""
    lose_answers.update(create_route_table=1, create_route=1, associate_route_table=2)
    run_module(route_table, args(net))
    assert lose_answers == {"create_route_table": 0, "create_route": 0, "associate_route_table": 0}
    found = tables(aws, net)
    assert len(found) == 1
    assert routes_of(found[0]) == {"10.40.0.0/16": "local", "0.0.0.0/0": net["igw"]}
    assert sorted(a["SubnetId"] for a in found[0]["Associations"] if a.get("SubnetId")) == sorted(net["subnets"][:2])
    assert run_module(route_table, args(net))["changed"] is False


def test_two_tables_of_the_name_stop_the_run(aws, run_module, net):
    ec2 = aws("ec2")
    for dummy in range(2):
        ec2.create_route_table(VpcId=net["vpc_id"],
                               TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "demo-t-public"}]}])
    with pytest.raises(ModuleFail, match="found 2 route tables named demo-t-public"):
        run_module(route_table, args(net))
