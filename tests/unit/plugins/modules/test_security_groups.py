"""security_groups against moto: peer-to-peer ingress, peers created on the way, reference-aware delete."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import security_groups as sgm


@pytest.fixture
def vpc_id(aws):
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def group(aws, vpc_id, name):
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}]
    found = aws("ec2").describe_security_groups(Filters=filters)["SecurityGroups"]
    return found[0] if found else None


def queue_args(vpc_id, **extra):
    rules = [{"port": 5672, "from": "d-t-api-gateway"}, {"port": 5672, "from": "d-t-billing-app"}]
    return dict({
        "vpc_id": vpc_id,
        "groups": [{"name": "d-t-rabbitmq", "ingress": rules}],
        "tags": {"Project": "d", "Component": "rabbitmq"},
    }, **extra)


def test_check_mode_creates_nothing(aws, run_module, vpc_id):
    result = run_module(sgm, queue_args(vpc_id), check=True, diff=True)
    assert result["changed"] is True
    assert group(aws, vpc_id, "d-t-rabbitmq") is None and group(aws, vpc_id, "d-t-api-gateway") is None


def test_peers_are_created_and_only_listed_rules_exist(aws, run_module, vpc_id):
    result = run_module(sgm, queue_args(vpc_id))
    assert result["changed"] is True
    queue = group(aws, vpc_id, "d-t-rabbitmq")
    gateway = group(aws, vpc_id, "d-t-api-gateway")
    billing = group(aws, vpc_id, "d-t-billing-app")
    sources = sorted(p["GroupId"] for perm in queue["IpPermissions"] for p in perm["UserIdGroupPairs"])
    assert sources == sorted([gateway["GroupId"], billing["GroupId"]])
    assert all(perm["FromPort"] == perm["ToPort"] == 5672 for perm in queue["IpPermissions"])
    assert gateway["Description"] == "d-t-api-gateway (cloud_design.platform)"
    assert run_module(sgm, queue_args(vpc_id))["changed"] is False
    # an extra rule added by hand is revoked
    aws("ec2").authorize_security_group_ingress(GroupId=queue["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 15672, "ToPort": 15672, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    result = run_module(sgm, queue_args(vpc_id))
    assert result["changed"] is True and any("revoke" in c for c in result["changes"])
    assert all(perm["FromPort"] == 5672 for perm in group(aws, vpc_id, "d-t-rabbitmq")["IpPermissions"])


def test_owner_adopts_the_peer_it_finds(aws, run_module, vpc_id):
    run_module(sgm, queue_args(vpc_id))
    gateway_id = group(aws, vpc_id, "d-t-api-gateway")["GroupId"]
    result = run_module(sgm, {"vpc_id": vpc_id, "groups": [{"name": "d-t-api-gateway"}],
                              "tags": {"Project": "d", "Component": "api_gateway"}})
    assert result["groups"]["d-t-api-gateway"] == gateway_id
    assert result["changes"] == ["d-t-api-gateway: tags"]


def test_delete_revokes_references_first(aws, run_module, vpc_id):
    run_module(sgm, queue_args(vpc_id))
    result = run_module(sgm, {"vpc_id": vpc_id, "groups": [{"name": "d-t-api-gateway"}], "state": "absent"})
    assert result["changed"] is True
    assert group(aws, vpc_id, "d-t-api-gateway") is None
    queue = group(aws, vpc_id, "d-t-rabbitmq")
    assert len([p for perm in queue["IpPermissions"] for p in perm["UserIdGroupPairs"]]) == 1
    assert run_module(sgm, {"vpc_id": vpc_id, "groups": [{"name": "d-t-api-gateway"}], "state": "absent"})["changed"] is False


def test_a_re_run_reads_the_groups_and_their_peers_in_one_call(aws, run_module, vpc_id, slow_calls):
    """Each lookup of a group was a call of its own (the group twice, each peer once): at a real region's 50 ms a call,
    one call for them all is what a re-run costs."""
    run_module(sgm, queue_args(vpc_id))
    slow_calls.delay = 0
    slow_calls.start()
    assert run_module(sgm, queue_args(vpc_id))["changed"] is False
    assert slow_calls.calls == ["DescribeSecurityGroups"]
    slow_calls.start()
    assert run_module(sgm, queue_args(vpc_id), diff=True)["changed"] is False
    assert slow_calls.calls == ["DescribeSecurityGroups"] * 2  # the diff's before, then the run's; nothing changed after


def test_a_group_of_the_name_in_another_vpc_is_not_taken_for_a_second(aws, run_module, vpc_id):
    other = aws("ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    aws("ec2").create_security_group(GroupName="d-t-api-gateway", Description="x", VpcId=other)  # another VPC: not a second
    run_module(sgm, queue_args(vpc_id))
    assert group(aws, vpc_id, "d-t-api-gateway")["VpcId"] == vpc_id


def test_a_peer_made_on_the_way_gets_its_own_tags_in_the_same_run(aws, run_module, vpc_id):
    """A group of the call that another group of the call names first is made empty with the call's tags; when its own
    turn comes it gets its own, in the same run, so that the next run changes nothing."""
    args = {"vpc_id": vpc_id, "tags": {"Project": "d"}, "groups": [
        {"name": "d-t-rabbitmq", "ingress": [{"port": 5672, "from": "d-t-billing-app"}]},
        {"name": "d-t-billing-app", "tags": {"Component": "billing"}},
    ]}
    assert run_module(sgm, args)["changed"] is True
    billing = group(aws, vpc_id, "d-t-billing-app")
    assert {t["Key"]: t["Value"] for t in billing["Tags"]} == {"Project": "d", "Component": "billing", "Name": "d-t-billing-app"}
    assert run_module(sgm, args)["changed"] is False
