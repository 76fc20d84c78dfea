"""Preflight filters: every bad input names its variable and the fix."""

import pytest

from ansible_collections.cloud_design.platform.plugins.filter.platform import (
    network_plan,
    platform_input_errors,
    platform_tags,
)


def test_default_plan_carves_disjoint_subnets():
    plan = network_plan("10.20.0.0/16", 3)
    assert plan["errors"] == []
    assert plan["public"] == ["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"]
    assert plan["private"] == ["10.20.128.0/20", "10.20.144.0/20", "10.20.160.0/20"]


@pytest.mark.parametrize(
    "cidr, count, public, private, expect",
    [
        ("10.0.0.0/33", 2, None, None, "platform_vpc_cidr '10.0.0.0/33' is not a valid IPv4 CIDR"),
        ("10.0.0.1/16", 2, None, None, "did you mean 10.0.0.0/16"),
        ("10.0.0.0/8", 2, None, None, "use a /16 to /24 block"),
        ("8.8.0.0/16", 2, None, None, "not a private (RFC 1918) range"),
        ("10.0.0.0/16", 0, None, None, "platform_az_count '0' must be 1, 2 or 3"),
        ("10.0.0.0/16", 4, None, None, "platform_az_count '4' must be 1, 2 or 3"),
        ("10.0.0.0/16", 2, ["10.0.0.0/24", "10.0.1.0/24"], ["10.0.1.0/24", "10.0.2.0/24"], "subnets overlap"),
        ("10.0.0.0/16", 2, ["10.0.0.0/24"], None, "network_public_subnet_cidrs has 1 entries but platform_az_count is 2"),
        ("10.0.0.0/16", 1, ["10.1.0.0/24"], None, "outside platform_vpc_cidr"),
    ],
)
def test_bad_network_inputs_are_named(cidr, count, public, private, expect):
    plan = network_plan(cidr, count, public, private)
    assert any(expect in e for e in plan["errors"]), plan["errors"]
    assert plan["public"] == [] and plan["private"] == []


@pytest.mark.parametrize(
    "name, env, expect",
    [
        ("", "dev", "platform_name is empty"),
        ("Shop", "dev", "platform_name 'Shop'"),
        ("a-very-long-platform", "dev", "1-12 characters"),
        ("shop", "", "platform_env is empty"),
        ("shop", "prod-eu", "platform_env 'prod-eu'"),
    ],
)
def test_bad_identity_inputs_are_named(name, env, expect):
    errors = platform_input_errors(name, env, "eu-west-1")
    assert any(expect in e for e in errors), errors


def test_good_identity_and_bad_region():
    assert platform_input_errors("shop", "prod", "eu-west-1") == []
    assert "platform_region 'europe'" in platform_input_errors("shop", "prod", "europe")[0]


def test_platform_tags_cannot_be_overridden_by_extras():
    tags = platform_tags("network", "shop", "prod", {"Project": "other", "CostCenter": "42"})
    assert tags == {"Project": "shop", "Environment": "prod", "Component": "network",
                    "ManagedBy": "cloud_design.platform", "CostCenter": "42"}
