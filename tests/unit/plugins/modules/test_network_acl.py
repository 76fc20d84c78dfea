"""network_acl against moto: rules and subnets converged, the ACL and its rules created exactly once after lost answers."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import network_acl

from ...conftest import ModuleFail

INGRESS = [{"number": 100, "protocol": "all", "cidr": "10.40.0.0/16"},
           {"number": 200, "protocol": "tcp", "cidr": "0.0.0.0/0", "from_port": 1024, "to_port": 3388},
           {"number": 210, "protocol": "icmp", "cidr": "0.0.0.0/0", "icmp_type": 3, "icmp_code": 4}]
EGRESS = [{"number": 100, "protocol": "all", "cidr": "0.0.0.0/0"}]


@pytest.fixture
def net(aws):
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.%d.0/24" % i)["Subnet"]["SubnetId"] for i in range(3)]
    return {"vpc_id": vpc_id, "subnets": subnets}


def args(net, subnets=None, ingress=None, egress=None, **extra):
    return dict({"vpc_id": net["vpc_id"], "name": "demo-t-private", "tags": {"Project": "demo", "Tier": "private"},
                 "subnets": net["subnets"][:2] if subnets is None else subnets,
                 "ingress": INGRESS if ingress is None else ingress, "egress": EGRESS if egress is None else egress}, **extra)


def acls(aws, net, **filters):
    extra = [{"Name": k, "Values": [v]} for k, v in filters.items()]
    return aws("ec2").describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [net["vpc_id"]]}] + extra)["NetworkAcls"]


def named(aws, net):
    return acls(aws, net, **{"tag:Name": "demo-t-private"})


def entries(acl):
    """{(egress, number): (protocol, cidr, action, ports, icmp)} without AWS's final rule."""
    return {(e["Egress"], e["RuleNumber"]): (str(e["Protocol"]), e["CidrBlock"], e["RuleAction"],
                                             tuple(e.get("PortRange", {}).values()), tuple(sorted(e.get("IcmpTypeCode", {}).items())))
            for e in acl["Entries"] if e["RuleNumber"] != 32767}


def subnets_of(acl):
    return sorted(a["SubnetId"] for a in acl["Associations"])


WANTED = {(False, 100): ("-1", "10.40.0.0/16", "allow", (), ()),
          (False, 200): ("6", "0.0.0.0/0", "allow", (1024, 3388), ()),
          (False, 210): ("1", "0.0.0.0/0", "allow", (), (("Code", 4), ("Type", 3))),
          (True, 100): ("-1", "0.0.0.0/0", "allow", (), ())}


def test_check_mode_creates_nothing(aws, run_module, net):
    result = run_module(network_acl, args(net), check=True)
    assert result["changed"] is True and result["network_acl"]["id"] is None
    assert result["changes"][0] == "create network ACL demo-t-private"
    assert "inbound rule 200: allow tcp 1024-3388 from 0.0.0.0/0" in result["changes"]
    assert named(aws, net) == []


def test_create_rules_subnets_then_idempotent(aws, run_module, net):
    result = run_module(network_acl, args(net), diff=True)
    found = named(aws, net)
    assert len(found) == 1 and result["network_acl"]["id"] == found[0]["NetworkAclId"]
    assert entries(found[0]) == WANTED
    assert subnets_of(found[0]) == sorted(net["subnets"][:2])
    assert {"Key": "Tier", "Value": "private"} in found[0]["Tags"]
    assert result["diff"]["after"]["ingress"][1] == {"number": 200, "protocol": "tcp", "cidr": "0.0.0.0/0", "action": "allow", "ports": [1024, 3388]}
    # The third subnet stays with the default ACL.
    assert subnets_of(acls(aws, net, default="true")[0]) == [net["subnets"][2]]
    assert run_module(network_acl, args(net))["changed"] is False
    assert run_module(network_acl, args(net), check=True)["changed"] is False


def test_rules_and_subnets_follow_the_inputs(aws, run_module, net):
    run_module(network_acl, args(net))
    changed = [dict(INGRESS[1], to_port=65535), {"number": 300, "protocol": "udp", "cidr": "0.0.0.0/0", "from_port": 53}]
    result = run_module(network_acl, args(net, subnets=net["subnets"][1:], ingress=changed))
    assert sorted(result["changes"]) == sorted([
        "inbound rule 200: allow tcp 1024-65535 from 0.0.0.0/0", "inbound rule 300: allow udp 53 from 0.0.0.0/0",
        "remove inbound rule 100: allow all from 10.40.0.0/16", "remove inbound rule 210: allow icmp type 3 code 4 from 0.0.0.0/0",
        "associate %s" % net["subnets"][2], "return %s to the default network ACL" % net["subnets"][0]])
    acl = named(aws, net)[0]
    assert entries(acl) == {(False, 200): ("6", "0.0.0.0/0", "allow", (1024, 65535), ()),
                            (False, 300): ("17", "0.0.0.0/0", "allow", (53, 53), ()), (True, 100): WANTED[(True, 100)]}
    assert subnets_of(acl) == sorted(net["subnets"][1:])
    assert subnets_of(acls(aws, net, default="true")[0]) == [net["subnets"][0]]


def test_bad_rules_are_refused_before_any_change(aws, run_module, net):
    bad = [{"number": 100, "protocol": "tcp", "cidr": "0.0.0.0/0"}, {"number": 100, "protocol": "all", "cidr": "10.0.0.0/8"},
           {"number": 40000, "protocol": "udp", "cidr": "0.0.0.0/0", "from_port": 9, "to_port": 1}]
    with pytest.raises(ModuleFail) as failure:
        run_module(network_acl, args(net, ingress=bad))
    message = str(failure.value)
    assert "ingress rule 100: tcp needs from_port" in message
    assert "ingress rule 100: the number is used twice" in message
    assert "ingress rule 40000: numbers run from 1 to 32766" in message
    assert named(aws, net) == []


def test_lost_answers_create_the_acl_and_rules_once(aws, run_module, net, lose_answers):
    """CreateNetworkAcl and CreateNetworkAclEntry carried out, each answer lost: kept, not repeated."""
    lose_answers.update(create_network_acl=1, create_network_acl_entry=2)
    run_module(network_acl, args(net))
    assert lose_answers == {"create_network_acl": 0, "create_network_acl_entry": 0}
    found = named(aws, net)
    assert len(found) == 1 and entries(found[0]) == WANTED
    assert run_module(network_acl, args(net))["changed"] is False


def test_absent_returns_the_subnets_and_deletes(aws, run_module, net):
    run_module(network_acl, args(net))
    result = run_module(network_acl, args(net, state="absent"))
    assert result["changed"] is True and result["changes"] == ["delete network ACL demo-t-private"]
    assert named(aws, net) == []
    assert subnets_of(acls(aws, net, default="true")[0]) == sorted(net["subnets"])
    assert run_module(network_acl, args(net, state="absent"))["changed"] is False


def test_two_acls_of_the_name_stop_the_run(aws, run_module, net):
    ec2 = aws("ec2")
    for dummy in range(2):
        ec2.create_network_acl(VpcId=net["vpc_id"],
                               TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "demo-t-private"}]}])
    with pytest.raises(ModuleFail, match="found 2 network ACLs named demo-t-private"):
        run_module(network_acl, args(net))


def test_the_default_acl_loses_its_rules_and_keeps_its_subnets(aws, run_module, net):
    default = acls(aws, net, default="true")[0]
    assert entries(default), "AWS's default ACL admits everything"
    arguments = {"vpc_id": net["vpc_id"], "name": "demo-t-default", "default_acl": True, "tags": {"Project": "demo"}}
    result = run_module(network_acl, arguments, check=True)
    assert sorted(result["changes"]) == ["remove inbound rule 100: allow all from 0.0.0.0/0", "remove outbound rule 100: allow all to 0.0.0.0/0",
                                         "tags of network ACL demo-t-default"]
    assert entries(acls(aws, net, default="true")[0]) == entries(default)
    result = run_module(network_acl, arguments)
    after = acls(aws, net, default="true")[0]
    assert result["network_acl"]["id"] == default["NetworkAclId"] == after["NetworkAclId"]
    assert entries(after) == {} and [e["RuleNumber"] for e in after["Entries"]] == [32767, 32767]
    assert subnets_of(after) == sorted(net["subnets"]) and {"Key": "Name", "Value": "demo-t-default"} in after["Tags"]
    assert run_module(network_acl, arguments)["changed"] is False
    with pytest.raises(ModuleFail, match="default_acl: the VPC's default ACL is never deleted"):
        run_module(network_acl, dict(arguments, state="absent"))
    assert len(acls(aws, net)) == 1


def test_a_subnet_move_sent_again_after_its_answer_was_lost_is_kept(aws, run_module, net, monkeypatch):
    """ReplaceNetworkAclAssociation carried out, its answer lost and the call sent again (as botocore's retries do): the
    stale association is refused (InvalidAssociationID.NotFound), the module reads the subnet back and finds it moved."""
    from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu  # pylint: disable=import-outside-toplevel
    real_client = pu.PlatformModule.client
    resent = []

    class Resending:
        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            call = getattr(self.conn, name)
            if name != "replace_network_acl_association" or resent:
                return call

            def twice(**kwargs):
                resent.append(kwargs["AssociationId"])
                call(**kwargs)
                return call(**kwargs)
            return twice

    monkeypatch.setattr(pu.PlatformModule, "client", lambda self, service, **kw: Resending(real_client(self, service, **kw)))
    run_module(network_acl, args(net))
    assert len(resent) == 1
    assert subnets_of(named(aws, net)[0]) == sorted(net["subnets"][:2])
    assert run_module(network_acl, args(net))["changed"] is False
