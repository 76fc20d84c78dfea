"""Bad inputs fail before any change: every role's preflight runs before the first role changes
anything, and the message names the variable and the fix. Its own file so that it runs beside the
long converged-platform file in the other worker."""

import pytest

from tests.support.harness import inventory_counts, run_playbook

BASE = {"platform_env": "bad"}

BAD_INPUTS = [
    ({"platform_vpc_cidr": "10.0.0.0/33"}, "platform_vpc_cidr"),
    ({"platform_az_count": 0}, "platform_az_count"),
    ({"platform_az_count": 4}, "platform_az_count"),
    ({"network_nat_mode": "double"}, "network_nat_mode"),
    ({"network_public_subnet_cidrs": ["10.20.0.0/24", "10.20.1.0/24"],
      "network_private_subnet_cidrs": ["10.20.1.0/24", "10.20.2.0/24"]}, "subnets overlap"),
    ({"platform_name": ""}, "platform_name is empty"),
    ({"platform_env": "Prod!"}, "platform_env"),
    ({"ecs_cluster_default_capacity_provider_strategy": [{"capacity_provider": "EC2", "weight": 1}]},
     "ecs_cluster_default_capacity_provider_strategy"),
    # What AWS refuses but the endpoint would take: caught by the workload roles' preflight.
    ({"service_billing_cpu": 256, "service_billing_memory": 4096}, "service_billing_memory 4096 does not go with cpu 256"),
    ({"service_inventory_cpu": 300}, "service_inventory_cpu 300 is not a Fargate size"),
    ({"service_inventory_min_count": 3, "service_inventory_max_count": 2, "service_inventory_desired_count": 2},
     "service_inventory_min_count 3 is above service_inventory_max_count 2"),
    ({"api_gateway_port": 70000}, "api_gateway_port 70000 is not a TCP port"),
    ({"platform_database_mode": "dynamodb"}, "platform_database_mode dynamodb is not a database mode"),
    ({"rabbitmq_image": ""}, "rabbitmq_image is empty"),
    ({"service_billing_cpu_target": 150}, "service_billing_cpu_target 150 must be a utilisation percentage"),
    ({"rabbitmq_management_port": 5672}, "rabbitmq_management_port equals rabbitmq_port"),
    ({"service_inventory_db_backup_retention_days": 40}, "service_inventory_db_backup_retention_days 40 must be 1 to 35"),
    ({"platform_database_mode": "container", "service_billing_db_cpu": 512, "service_billing_db_memory": 512},
     "service_billing_db_memory 512 does not go with cpu 512"),
    # The edge.
    ({"platform_domain_name": "not a name"}, "platform_domain_name not a name is not a DNS name"),
    ({"load_balancers_public_alb_ingress_cidrs": ["everyone"]}, "load_balancers_public_alb_ingress_cidrs has everyone"),
    ({"load_balancers_deregistration_delay": 5000}, "load_balancers_deregistration_delay 5000 must be 0 to 3600"),
    ({"api_gateway_routes": [{"key": "FETCH /api/movies"}]}, "api_gateway_routes: FETCH /api/movies must be"),
    ({"load_balancers_tls_enabled": True, "platform_domain_name": ""}, "load_balancers_tls_enabled needs a certificate"),
    # Observability.
    ({"api_gateway_log_retention_days": 30, "observability_log_retention_days": 90},
     "api_gateway_log_retention_days (30) differ from observability_log_retention_days 90"),
    ({"platform_alert_emails": ["oncall"]}, "platform_alert_emails has oncall, not e-mail addresses"),
]


@pytest.mark.parametrize("bad, named", BAD_INPUTS, ids=[b[1].split()[0] + "-" + str(i) for i, b in enumerate(BAD_INPUTS)])
def test_bad_input_fails_before_any_change(ep, bad, named):
    before = inventory_counts(ep)
    run = run_playbook(ep, "playbooks/site.yml", extra_vars=dict(BASE, **bad))
    assert run.failed, run
    assert any(named in msg for msg in run.failure_messages()), run
    assert inventory_counts(ep) == before
