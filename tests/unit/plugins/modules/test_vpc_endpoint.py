"""vpc_endpoint against moto: gateway and interface endpoints converged, created exactly once."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import vpc_endpoint

from ...conftest import ModuleFail

S3 = "com.amazonaws.eu-west-1.s3"


@pytest.fixture
def net(aws):
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    tables = [ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"] for dummy in range(2)]
    return {"vpc_id": vpc_id, "tables": tables}


def gateway(net, tables=None):
    return {"vpc_id": net["vpc_id"], "service": S3, "endpoint_type": "Gateway", "name": "demo-t-s3",
            "route_table_ids": net["tables"] if tables is None else tables, "tags": {"Project": "demo"}}


def endpoints(aws, net):
    return aws("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [net["vpc_id"]]}])["VpcEndpoints"]


def test_check_mode_creates_nothing(aws, run_module, net):
    result = run_module(vpc_endpoint, gateway(net), check=True)
    assert result["changed"] is True and result["changes"] == ["create Gateway endpoint %s" % S3]
    assert endpoints(aws, net) == []


def test_gateway_created_then_idempotent_then_route_tables_follow(aws, run_module, net):
    result = run_module(vpc_endpoint, gateway(net))
    found = endpoints(aws, net)
    assert len(found) == 1 and result["endpoint"]["id"] == found[0]["VpcEndpointId"]
    assert sorted(found[0]["RouteTableIds"]) == sorted(net["tables"])
    assert {"Key": "Name", "Value": "demo-t-s3"} in found[0]["Tags"]
    assert run_module(vpc_endpoint, gateway(net))["changed"] is False
    assert run_module(vpc_endpoint, gateway(net), check=True)["changed"] is False
    changed = run_module(vpc_endpoint, gateway(net, tables=net["tables"][:1]))
    assert changed["changed"] is True
    assert endpoints(aws, net)[0]["RouteTableIds"] == net["tables"][:1]


def test_interface_endpoint_with_subnets_and_groups(aws, run_module, net):
    ec2 = aws("ec2")
    subnet = ec2.create_subnet(VpcId=net["vpc_id"], CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(VpcId=net["vpc_id"], GroupName="ep", Description="ep")["GroupId"]
    spec = {"vpc_id": net["vpc_id"], "service": "com.amazonaws.eu-west-1.logs", "endpoint_type": "Interface", "name": "demo-t-logs",
            "subnet_ids": [subnet], "security_group_ids": [group]}
    run_module(vpc_endpoint, spec)
    found = endpoints(aws, net)[0]
    assert found["SubnetIds"] == [subnet] and [g["GroupId"] for g in found["Groups"]] == [group]
    assert run_module(vpc_endpoint, spec)["changed"] is False


ACCOUNT_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "AccountBuckets", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceAccount": "123456789012"}}}]}


def test_the_policy_is_set_at_create_compared_as_json_and_put_back(aws, run_module, net):
    import json  # pylint: disable=import-outside-toplevel

    spec = dict(gateway(net), policy=ACCOUNT_ONLY)
    run_module(vpc_endpoint, spec)
    found = endpoints(aws, net)[0]
    assert json.loads(found["PolicyDocument"]) == ACCOUNT_ONLY
    # the same document with other spacing and key order is no change
    aws("ec2").modify_vpc_endpoint(VpcEndpointId=found["VpcEndpointId"], PolicyDocument=json.dumps(ACCOUNT_ONLY, indent=2, sort_keys=True))
    assert run_module(vpc_endpoint, spec)["changed"] is False
    # opened by hand: the next run says so and puts the policy back
    opened = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    aws("ec2").modify_vpc_endpoint(VpcEndpointId=found["VpcEndpointId"], PolicyDocument=json.dumps(opened))
    planned = run_module(vpc_endpoint, spec, check=True, diff=True)
    assert planned["changes"] == ["policy of endpoint %s" % S3]
    assert (planned["diff"]["before"]["policy"], planned["diff"]["after"]["policy"]) == (opened, ACCOUNT_ONLY)
    assert run_module(vpc_endpoint, spec)["changes"] == ["policy of endpoint %s" % S3]
    assert json.loads(endpoints(aws, net)[0]["PolicyDocument"]) == ACCOUNT_ONLY
    # no policy given: the endpoint's is left as it is
    assert run_module(vpc_endpoint, gateway(net))["changed"] is False


def test_a_lost_answer_makes_one_endpoint(aws, run_module, net, lose_answers):
    lose_answers.update(create_vpc_endpoint=1)
    run_module(vpc_endpoint, gateway(net))
    assert lose_answers == {"create_vpc_endpoint": 0}
    assert len(endpoints(aws, net)) == 1
    assert run_module(vpc_endpoint, gateway(net))["changed"] is False


def test_two_endpoints_of_the_service_stop_the_run(aws, run_module, net):
    for table in net["tables"]:
        aws("ec2").create_vpc_endpoint(VpcId=net["vpc_id"], ServiceName=S3, VpcEndpointType="Gateway", RouteTableIds=[table])
    with pytest.raises(ModuleFail, match="found 2 endpoints of %s" % S3):
        run_module(vpc_endpoint, gateway(net))


def test_wrong_options_for_the_type_are_refused(aws, run_module, net):
    with pytest.raises(ModuleFail, match="a Gateway endpoint takes route_table_ids, not subnet_ids"):
        run_module(vpc_endpoint, dict(gateway(net), subnet_ids=["subnet-1"]))
    assert endpoints(aws, net) == []
