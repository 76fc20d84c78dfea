"""Bad inputs fail before any change: every role's preflight runs before the first role changes
anything, and the message names the variable and the fix (all inputs in one run, one host each).
Destroy refuses prod without its confirmation and a protected database before any change. Its own
file so that it runs beside the long converged-platform file in the other worker."""

import json

import pytest

from tests.support.harness import inventory_counts, run_playbook

BASE = {"platform_env": "bad"}

BAD_INPUTS = [
    ({"platform_vpc_cidr": "10.0.0.0/33"}, "platform_vpc_cidr"),
    ({"platform_az_count": 0}, "platform_az_count"),
    ({"platform_az_count": 4}, "platform_az_count"),
    ({"network_nat_mode": "double"}, "network_nat_mode"),
    ({"network_acl_public_ingress_ports": [443, 3389]}, "network_acl_public_ingress_ports opens remote administration (3389)"),
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
    ({"rabbitmq_clients": ["api-gateway", "billing-app", "audit-app"]},
     "rabbitmq_client_permissions has no entry for the client audit-app"),
    ({"rabbitmq_user": "billing-app"}, "rabbitmq_clients has billing-app, the name of the broker administrator"),
    ({"rabbitmq_rotation_days": -1}, "rabbitmq_rotation_days -1 must be 0 (no automatic rotation) or 1 to 1000"),
    ({"rabbitmq_user": "billing_clone"}, "billing_clone ends in _clone, the suffix of the second user a rotation alternates with"),
    ({"service_billing_db_user": "b" * 54}, "service_billing_db_user " + "b" * 54 + " must be 1-53 letters"),
    ({"service_inventory_db_rotation_days": 1001}, "service_inventory_db_rotation_days 1001 must be 0 (no automatic rotation) or 1 to 1000"),
    ({"service_inventory_db_backup_retention_days": 40}, "service_inventory_db_backup_retention_days 40 must be 1 to 35"),
    ({"platform_database_mode": "container", "service_billing_db_cpu": 512, "service_billing_db_memory": 512},
     "service_billing_db_memory 512 does not go with cpu 512"),
    # The edge.
    ({"platform_domain_name": "not a name"}, "platform_domain_name not a name is not a DNS name"),
    ({"load_balancers_public_alb_ingress_cidrs": ["everyone"]}, "load_balancers_public_alb_ingress_cidrs has everyone"),
    ({"load_balancers_deregistration_delay": 5000}, "load_balancers_deregistration_delay 5000 must be 0 to 3600"),
    ({"api_gateway_routes": [{"key": "FETCH /api/movies"}]}, "api_gateway_routes: FETCH /api/movies must be"),
    ({"load_balancers_tls_enabled": True, "platform_domain_name": ""}, "load_balancers_tls_enabled needs a certificate"),
    # Backups.
    ({"security_hardening_backup_retention_days": 0}, "security_hardening_backup_retention_days 0 must be 1 to 36500"),
    ({"security_hardening_backup_schedule": "every day"}, "security_hardening_backup_schedule every day is not an AWS Backup cron"),
    # Observability.
    ({"api_gateway_log_retention_days": 30, "observability_log_retention_days": 90},
     "api_gateway_log_retention_days (30) differ from observability_log_retention_days 90"),
    ({"platform_alert_emails": ["oncall"]}, "platform_alert_emails has oncall, not e-mail addresses"),
    ({"observability_alert_endpoints": ["http://hooks.example.com/alert"]},
     "observability_alert_endpoints has http://hooks.example.com/alert: alerts leave only over HTTPS"),
    # Stopped by the preflight of the first role whose log group takes it (security_hardening's WAF logs), with the one
    # list of retentions CloudWatch Logs accepts (module_utils/workload_spec.py). The variable the user set is named,
    # not the web ACL's retention that follows it.
    ({"observability_log_retention_days": 31}, "observability_log_retention_days 31 is not a CloudWatch Logs retention; use one of 1, 3, 5"),
    ({"security_hardening_waf_log_retention_days": 31},
     "security_hardening_waf_log_retention_days 31 is not a CloudWatch Logs retention; use one of 1, 3, 5"),
    ({"network_flow_logs_retention_days": 31},
     "network_flow_logs_retention_days 31 is not a CloudWatch Logs retention; use one of 1, 3, 5"),
    ({"observability_thresholds": {"cpu": 80}}, "observability_thresholds has unknown keys"),
    ({"observability_trail_expiration_days": 30, "observability_trail_transition_days": 90},
     "observability_trail_expiration_days must be greater than observability_trail_transition_days"),
    ({"observability_budget_amount": 0}, "observability_budget_amount must be a positive amount of"),
    ({"observability_budget_actual_percent": [80, 2000]}, "observability_budget_*_percent values must be numbers from 1 to 1000"),
    # The keys, the edge certificate and the web ACL.
    ({"security_hardening_kms_keys": ["logs", "data"]},
     "security_hardening_kms_keys must name logs, data and secrets (the other roles use all three); add secrets"),
    ({"security_hardening_kms_deletion_days": 3}, "security_hardening_kms_deletion_days 3 must be 7 to 30"),
    ({"security_hardening_certificate_source": "import"},
     "security_hardening_certificate_source is import: set security_hardening_certificate_file and security_hardening_private_key_file"),
    ({"security_hardening_certificate_source": "import", "security_hardening_certificate_file": "/nonexistent/edge.pem",
      "security_hardening_private_key_file": "/nonexistent/edge.key"}, "security_hardening_certificate_file /nonexistent/edge.pem does not exist"),
    ({"security_hardening_waf_rate_limit": 5}, "security_hardening_waf_rate_limit must be 10 or more requests per five minutes"),
    ({"security_hardening_access_logs_days": 0}, "security_hardening_access_logs_days 0 must be 1 to 3650"),
    # The cluster and its repositories.
    ({"ecs_cluster_default_capacity_provider_strategy": [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 1}, {"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 1}]},
     "ecs_cluster_default_capacity_provider_strategy may give a base above 0 to one entry only"),
    ({"ecs_cluster_ecr_repositories": ["Billing App"]}, "ecs_cluster_ecr_repositories entries must be lower-case names"),
    # Load balancers' health checks.
    ({"load_balancers_health_check_interval": 2}, "load_balancers_health_check_interval must be 5 to 300 seconds"),
    ({"load_balancers_healthy_threshold": 1}, "load_balancers_healthy_threshold and load_balancers_unhealthy_threshold must be 2 to 10"),
    # The HTTP API and its users.
    ({"api_gateway_routes": [{"key": "GET /api/movies"}, {"key": "GET /api/movies"}]}, "api_gateway_routes lists a route twice"),
    ({"api_gateway_throttling_burst_limit": 0},
     "api_gateway_throttling_burst_limit and api_gateway_throttling_rate_limit must be positive"),
    ({"api_gateway_token_minutes": 2}, "api_gateway_token_minutes must be 5 to 1440"),
    ({"api_gateway_mfa": "SOMETIMES"}, "value of api_gateway_mfa must be one of: OFF, OPTIONAL, ON, got: SOMETIMES"),
    # The broker.
    ({"rabbitmq_user": ""}, "rabbitmq_user is empty"),
    ({"rabbitmq_queue": ""}, "rabbitmq_queue is empty"),
    # The databases.
    ({"service_inventory_db_instance_class": "t4g.medium"}, "service_inventory_db_instance_class t4g.medium is not an RDS instance class"),
    ({"service_billing_db_name": "1orders"}, "service_billing_db_name 1orders must be 1-63 letters"),
    ({"service_inventory_db_backup_window": "2am-3am"}, "service_inventory_db_backup_window 2am-3am must be hh:mm-hh:mm in UTC"),
]


def host_name(index):
    return "bad-%02d" % index


@pytest.fixture(scope="module")
def bad_run(ep, tmp_path_factory):
    """Every bad input in one run: one inventory host per input (its own host vars), beside
    inventories/local for the endpoint's settings. Each host stops at its own preflight; one
    ansible-playbook start instead of one per input (about 2 minutes less)."""
    hosts = {host_name(i): dict(BASE, ansible_connection="local", ansible_python_interpreter="{{ ansible_playbook_python }}", **bad)
             for i, (bad, _named) in enumerate(BAD_INPUTS)}
    inventory = tmp_path_factory.mktemp("bad") / "bad.yml"
    inventory.write_text(json.dumps({"all": {"children": {"platform": {"hosts": hosts}}}}))
    before = inventory_counts(ep)
    # The built-in strategy: with 25 hosts and no AWS module to run, Mitogen's per-host set-up costs
    # more than it saves (measured 75 s against 44 s).
    run = run_playbook(ep, "playbooks/site.yml", "-i", str(inventory), "--limit", "bad-*", "--forks", "8",
                       env={"ANSIBLE_STRATEGY": "linear"})
    assert inventory_counts(ep) == before  # no input changed anything
    return run


def host_failures(run, host):
    """The failure messages of one host, and whether it changed anything."""
    messages, changed = [], False
    for play in run.data.get("plays", []):
        for task in play.get("tasks", []):
            result = task.get("hosts", {}).get(host)
            if result:
                changed = changed or bool(result.get("changed"))
                if result.get("failed"):
                    msg = result.get("msg", "")
                    messages.extend(str(m) for m in (msg if isinstance(msg, list) else [msg]))
    return messages, changed


@pytest.mark.parametrize("index", range(len(BAD_INPUTS)), ids=[b[1].split()[0] + "-" + str(i) for i, b in enumerate(BAD_INPUTS)])
def test_bad_input_fails_before_any_change(bad_run, index):
    _bad, named = BAD_INPUTS[index]
    assert bad_run.failed
    assert run_stats(bad_run, host_name(index)).get("failures") == 1
    messages, changed = host_failures(bad_run, host_name(index))
    assert any(named in msg for msg in messages), messages
    assert not changed


def run_stats(run, host):
    return run.data.get("stats", {}).get(host, {})


def test_destroy_of_prod_needs_its_confirmation(ep):
    before = inventory_counts(ep)
    run = run_playbook(ep, "playbooks/destroy.yml", extra_vars={"platform_env": "prod"})
    assert run.failed
    assert any("Confirm with -e platform_destroy_confirm=demo-prod" in m for m in run.failure_messages()), run.failure_messages()
    assert run.stats["changed"] == 0
    assert inventory_counts(ep) == before


def test_destroy_refuses_to_keep_backups_it_would_make_unreadable(ep):
    """Keeping the recovery points while deleting the data key they are encrypted with: refused before any change."""
    before = inventory_counts(ep)
    run = run_playbook(ep, "playbooks/destroy.yml", "-e", "security_hardening_keep_backups_on_destroy=true",
                       "-e", "security_hardening_keep_keys_on_destroy=false", extra_vars=BASE)
    assert run.failed
    assert any("security_hardening_keep_backups_on_destroy is true but security_hardening_keep_keys_on_destroy is false" in m
               for m in run.failure_messages()), run.failure_messages()
    assert run.stats["changed"] == 0
    assert inventory_counts(ep) == before


def test_destroy_stops_before_any_change_while_deletion_protection_is_on(ep):
    """A database with deletion protection: destroy.yml removes nothing and says how to turn it off."""
    rds = ep.client("rds")
    rds.create_db_cluster(DBClusterIdentifier="demo-bad-inventory-db", Engine="aurora-postgresql", MasterUsername="app",
                          MasterUserPassword="not-a-real-one-1", DeletionProtection=True)
    try:
        before = inventory_counts(ep)
        run = run_playbook(ep, "playbooks/destroy.yml", extra_vars=BASE)
        assert run.failed
        assert any(m.startswith("Deletion protection is on for demo-bad-inventory-db: nothing was removed.")
                   and "service_inventory_db_deletion_protection=false" in m for m in run.failure_messages()), run.failure_messages()
        assert run.stats["changed"] == 0
        assert inventory_counts(ep) == before
    finally:
        rds.modify_db_cluster(DBClusterIdentifier="demo-bad-inventory-db", DeletionProtection=False)
        rds.delete_db_cluster(DBClusterIdentifier="demo-bad-inventory-db", SkipFinalSnapshot=True)


def test_the_first_pass_without_a_hosted_zone_stops_at_the_load_balancers_until_acm_issues_the_certificate(ep):
    """A requested certificate with no hosted zone: ACM issues it only once its validation records are published (the
    endpoint holds it PENDING_VALIDATION until then, as ACM does). The first pass prints the records, builds what needs
    no certificate and stops at the load balancers, before their first change, saying what to do; once the records are
    in the public zone, the second pass builds them with the issued certificate."""
    cert = {"platform_env": "cert", "platform_vpc_cidr": "10.50.0.0/16", "platform_domain_name": "cert.example.test",
            "security_hardening_certificate_source": "request", "security_hardening_account_baseline": False}
    tags = ("--tags", "security_hardening,network,load_balancers")
    elb = ep.client("elbv2")
    try:
        first = run_playbook(ep, "playbooks/site.yml", *tags, extra_vars=cert, callback="default")
        assert first.rc != 0
        assert "ACM waits for DNS validation of cert.example.test: create these CNAME records" in first.stdout, first.stdout[-3000:]
        assert "The load balancers build on what is not there yet: the edge certificate demo-cert-edge issued: ACM has it " \
               "PENDING_VALIDATION" in first.stdout, first.stdout[-3000:]
        assert "aws acm wait certificate-validated --certificate-arn arn:aws:acm:" in first.stdout
        assert not [b for b in elb.describe_load_balancers()["LoadBalancers"] if b["LoadBalancerName"].startswith("demo-cert-")]

        acm, route53 = ep.client("acm"), ep.client("route53")
        arn = [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"] if c["DomainName"] == "cert.example.test"][0]
        zone = route53.create_hosted_zone(Name="cert.example.test", CallerReference="the-user's-dns")["HostedZone"]["Id"]
        for option in acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]:
            record = option["ResourceRecord"]
            route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                "Name": record["Name"], "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": record["Value"]}]}}]})
        assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "ISSUED"

        second = run_playbook(ep, "playbooks/site.yml", *tags, extra_vars=cert)
        assert not second.failed, second.failure_messages()
        listeners = [listener for b in elb.describe_load_balancers()["LoadBalancers"] if b["LoadBalancerName"].startswith("demo-cert-")
                     for listener in elb.describe_listeners(LoadBalancerArn=b["LoadBalancerArn"])["Listeners"]]
        assert [listener["Certificates"][0]["CertificateArn"] for listener in listeners if listener["Protocol"] in ("TLS", "HTTPS")] \
            and all(listener["Certificates"][0]["CertificateArn"] == arn for listener in listeners if listener["Protocol"] in ("TLS", "HTTPS"))
    finally:
        removed = run_playbook(ep, "playbooks/destroy.yml", *tags, extra_vars=cert)
        assert not removed.failed, removed.failure_messages()
