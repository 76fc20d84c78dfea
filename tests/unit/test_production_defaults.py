"""What an environment named prod gets without asking: a year of logs, deletion protection on what holds data or
takes traffic; other environments keep two weeks and stay removable. Read from the role defaults as Ansible
templates them."""

import os

import jinja2
import pytest
import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def default(role, variable, **inventory):
    with open(os.path.join(TOP, "roles", role, "defaults", "main.yml"), encoding="utf-8") as handle:
        value = yaml.safe_load(handle)[variable]
    rendered = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(str(value)).render(**inventory)
    return yaml.safe_load(rendered)


RETENTION = [("observability", "observability_log_retention_days"), ("network", "network_flow_logs_retention_days"),
             ("api_gateway", "api_gateway_log_retention_days"), ("rabbitmq", "rabbitmq_log_retention_days"),
             ("service_inventory", "service_inventory_log_retention_days"),
             ("service_billing", "service_billing_log_retention_days")]
PROTECTION = [("service_inventory", "service_inventory_db_deletion_protection"),
              ("service_billing", "service_billing_db_deletion_protection"),
              ("load_balancers", "load_balancers_deletion_protection"),
              ("api_gateway", "api_gateway_user_pool_deletion_protection")]


@pytest.mark.parametrize("role, variable", RETENTION)
def test_log_retention_is_a_year_in_prod(role, variable):
    """365 days (CloudWatch Logs accepts it; the usual compliance bar) in prod, 14 elsewhere, and the one inventory
    value wins everywhere when set."""
    if role == "observability":
        assert default(role, variable, platform_env="prod") == 365
        assert default(role, variable, platform_env="dev") == 14
    else:
        assert default(role, variable, platform_env="prod", observability_log_retention_days=jinja2.Undefined()) == 365
        assert default(role, variable, platform_env="dev", observability_log_retention_days=jinja2.Undefined()) == 14
        assert default(role, variable, platform_env="prod", observability_log_retention_days=731) == 731


@pytest.mark.parametrize("role, variable", PROTECTION)
def test_deletion_protection_is_on_in_prod(role, variable):
    assert default(role, variable, platform_env="prod") is True
    assert default(role, variable, platform_env="dev") is False
