"""The whole application with its databases as containers (platform_database_mode: container),
in an environment of its own beside the aurora one: converged at -vvv without a single secret
value in the output, checked through the AWS API, one role alone, then removed."""

import pytest

from tests.support.edge import check_http_api, check_load_balancers
from tests.support.harness import PLATFORM, inventory_counts, run_playbook
from tests.support.observability import alarms_of, check_observability, dashboard_text
from tests.support.workloads import check_application, platform_secret_values

ENV = "ctr"
# This environment also takes the edge's other path: no domain (no certificate, no custom domain),
# TCP on the internal NLBs, no public load balancer and no WAF.
BASE = {"platform_env": ENV, "platform_database_mode": "container", "platform_vpc_cidr": "10.30.0.0/16",
        "platform_domain_name": "", "load_balancers_tls_enabled": False, "load_balancers_public_alb_enabled": False,
        "security_hardening_waf_enabled": False}


def test_check_mode_on_an_empty_account_shows_the_whole_platform(ep):
    """Before anything exists, --check runs through every role, says what it would create and creates nothing."""
    before = inventory_counts(ep)
    run = run_playbook(ep, "playbooks/site.yml", "--check", extra_vars=dict(BASE, platform_env="new"))
    assert not run.failed, run
    assert run.changed > 20, run.changed_tasks()
    assert inventory_counts(ep) == before


@pytest.fixture(scope="module")
def converged(ep):
    run = run_playbook(ep, "playbooks/site.yml", "-vvv", extra_vars=BASE, callback="default")
    assert run.rc == 0, run.stdout[-4000:] + run.stderr[-2000:]
    yield run
    removed = run_playbook(ep, "playbooks/destroy.yml", extra_vars=BASE)
    assert not removed.failed, removed


def test_application_runs_on_database_containers(ep, converged):
    check_application(ep, ENV, "container")


def test_edge_without_domain_tls_or_public_load_balancer(ep, converged):
    check_load_balancers(ep, ENV, tls=False, alb=False)
    check_http_api(ep, ENV, tls=False, domain=False)


def test_observability_watches_the_database_containers(ep, converged):
    """The databases run as ECS services: watched as services; no Aurora alarm; three NLBs, no ALB."""
    check_observability(ep, ENV, ["api-gateway", "billing-app", "billing-db", "inventory-app", "inventory-db", "rabbitmq"],
                        balancers_expected=3, databases_expected=0)


def test_no_secret_value_in_a_verbose_run(ep, converged):
    values = [v for doc in platform_secret_values(ep, ENV).values() for k, v in doc.items() if k == "password"]
    assert len(values) == 3
    leaked = [v for v in values if v in converged.stdout or v in converged.stderr]
    assert leaked == []


def test_billing_role_alone_changes_nothing(ep, converged):
    run = run_playbook(ep, "playbooks/site.yml", "--tags", "service_billing", extra_vars=BASE)
    assert not run.failed, run
    assert run.changed == 0, run.changed_tasks()


def test_switching_database_mode_is_refused(ep, converged):
    """The data lives in containers: asking for Aurora stops before any change with the way out."""
    run = run_playbook(ep, "playbooks/site.yml", "--tags", "service_inventory", extra_vars=dict(BASE, platform_database_mode="aurora"))
    assert run.failed
    assert any("inventory-db data lives in ECS service inventory-db" in m for m in run.failure_messages()), run.failure_messages()
    assert not [c for c in ep.client("rds").describe_db_clusters()["DBClusters"] if c["DBClusterIdentifier"].startswith("%s-%s" % (PLATFORM, ENV))]


def test_a_service_turned_off_loses_its_alarms(ep, converged):
    """rabbitmq removed (its role with platform_state absent), observability alone: its alarms and its
    dashboard row go; the others stay. The environment is removed next, so it is not restored."""
    before = alarms_of(ep, "demo-ctr")
    assert "demo-ctr-rabbitmq-cpu-high" in before and '"rabbitmq"' in dashboard_text(ep, "demo-ctr")
    removed = run_playbook(ep, "playbooks/destroy.yml", "--tags", "rabbitmq", extra_vars=BASE)
    assert not removed.failed, removed
    run = run_playbook(ep, "playbooks/site.yml", "--tags", "observability", extra_vars=BASE)
    assert not run.failed, run
    after = alarms_of(ep, "demo-ctr")
    assert sorted(set(before) - set(after)) == ["demo-ctr-rabbitmq-cpu-high", "demo-ctr-rabbitmq-memory-high",
                                                "demo-ctr-rabbitmq-tasks-missing"]
    assert set(after) < set(before)
    body = dashboard_text(ep, "demo-ctr")
    assert '"rabbitmq"' not in body and '"billing-app"' in body
