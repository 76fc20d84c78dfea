"""vpc_dhcp_options against moto."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import vpc_dhcp_options


@pytest.fixture
def vpc_id(aws):
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def in_use(aws, vpc_id):
    ec2 = aws("ec2")
    options_id = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["DhcpOptionsId"]
    return ec2.describe_dhcp_options(DhcpOptionsIds=[options_id])["DhcpOptions"][0]


def args(vpc_id, domain="t.demo.internal"):
    return {"vpc_id": vpc_id, "name": "demo-t-dhcp", "domain_name": domain, "tags": {"Project": "demo"}}


def test_check_mode_changes_nothing(aws, run_module, vpc_id):
    before = aws("ec2").describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["DhcpOptionsId"]
    assert run_module(vpc_dhcp_options, args(vpc_id), check=True)["changed"] is True
    assert aws("ec2").describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["DhcpOptionsId"] == before


def test_create_associate_tag_then_idempotent(aws, run_module, vpc_id):
    assert run_module(vpc_dhcp_options, args(vpc_id))["changed"] is True
    options = in_use(aws, vpc_id)
    config = {c["Key"]: [v["Value"] for v in c["Values"]] for c in options["DhcpConfigurations"]}
    assert config["domain-name"] == ["t.demo.internal"]
    assert config["domain-name-servers"] == ["AmazonProvidedDNS"]
    assert {"Key": "Name", "Value": "demo-t-dhcp"} in options["Tags"]
    assert run_module(vpc_dhcp_options, args(vpc_id))["changed"] is False
    assert run_module(vpc_dhcp_options, args(vpc_id), check=True)["changed"] is False


def test_new_domain_replaces_the_set_and_warns_while_the_old_one_is_in_use(aws, run_module, vpc_id):
    run_module(vpc_dhcp_options, args(vpc_id))
    old = in_use(aws, vpc_id)["DhcpOptionsId"]
    result = run_module(vpc_dhcp_options, args(vpc_id, "u.demo.internal"), diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"]["domain_name"] == "t.demo.internal"
    assert in_use(aws, vpc_id)["DhcpOptionsId"] != old
    remaining = [o["DhcpOptionsId"] for o in aws("ec2").describe_dhcp_options()["DhcpOptions"]]
    # moto keeps the old set's VPC link after re-association and answers DependencyViolation (as AWS does for a set
    # another VPC still uses): the module warns and leaves it.
    assert old in remaining
    assert "DHCP options %s are still in use; left in place" % old in result["warnings"]


def test_new_domain_deletes_the_old_set_once_no_vpc_uses_it(aws, run_module, vpc_id, monkeypatch):
    """As AWS does, associating a new set takes the VPC off the old one (moto does not; patched here), which the
    module then deletes without a warning."""
    from moto.ec2.models.dhcp_options import DHCPOptionsSetBackend  # pylint: disable=import-outside-toplevel

    real = DHCPOptionsSetBackend.associate_dhcp_options

    def associate(self, dhcp_options, vpc):
        if vpc.dhcp_options is not None:
            vpc.dhcp_options.vpc = None
        real(self, dhcp_options, vpc)

    monkeypatch.setattr(DHCPOptionsSetBackend, "associate_dhcp_options", associate)
    run_module(vpc_dhcp_options, args(vpc_id))
    old = in_use(aws, vpc_id)["DhcpOptionsId"]
    result = run_module(vpc_dhcp_options, args(vpc_id, "u.demo.internal"))
    assert result["changed"] is True
    remaining = [o["DhcpOptionsId"] for o in aws("ec2").describe_dhcp_options()["DhcpOptions"]]
    assert old not in remaining and in_use(aws, vpc_id)["DhcpOptionsId"] in remaining
    assert result["warnings"] == []


def test_a_lost_create_answer_makes_one_set(aws, run_module, vpc_id, lose_answers):
    """CreateDhcpOptions carried out, its answer lost: the set is adopted by its Name tag, not made twice."""
    lose_answers.update(create_dhcp_options=1)
    assert run_module(vpc_dhcp_options, args(vpc_id))["changed"] is True
    assert lose_answers == {"create_dhcp_options": 0}
    ours = [o for o in aws("ec2").describe_dhcp_options()["DhcpOptions"] if {"Key": "Name", "Value": "demo-t-dhcp"} in o.get("Tags", [])]
    assert len(ours) == 1
    assert in_use(aws, vpc_id)["DhcpOptionsId"] == ours[0]["DhcpOptionsId"]
