"""End to end, day 2: on a platform of its own (environment "day"), each role run alone by its tag changes nothing, and
so do the README's check and roll-out blocks; the account baseline runs alone, and the secrets rotate through
playbooks/rotate_secrets.yml; rotation turned off takes away what it made and turned on again brings it back. Checked
through the AWS API.

A file of its own, beside tests/e2e/test_site.py (the platform's life from converge to destroy), so that the two run
side by side, each on its own endpoint.
"""

import json

import pytest

from tests.support.harness import PLATFORM, deployer_lacks, inventory_counts, local_inventory, run_block, run_playbook, the_vpc
from tests.support.workloads import check_broker_identities, check_database_identities, group_by_name, ingress

ENV = "day"
BASE = {"platform_env": ENV}


@pytest.fixture(scope="module")
def converged(ep):
    run = run_playbook(ep, "playbooks/site.yml", extra_vars=BASE)
    assert not run.failed, run
    return run


ROLES = ["security_hardening", "network", "ecs_cluster", "load_balancers", "rabbitmq", "service_inventory", "service_billing",
         "api_gateway", "observability"]


@pytest.mark.parametrize("tag", ROLES)
def test_each_role_runs_alone_by_tag(ep, converged, tag):
    run = run_playbook(ep, "playbooks/site.yml", "--tags", tag, extra_vars=BASE)
    assert not run.failed, run
    assert run.changed == 0, run.changed_tasks()
    assert run.stats["ok"] > 3
    # Only this role (and the platform's and the shared workload role's entry points it uses) is loaded and checked: a
    # role listed under the play's roles would have its argument check run whatever the tags.
    checked = {name.split(" : ")[0].rsplit(".", 1)[-1] for name, _host in run.host_results() if "Validating arguments" in name}
    assert checked - {"platform", "workload"} == {tag}, checked


def test_the_readme_check_and_rollout_blocks_change_nothing(ep, converged, tmp_path):
    """The README's check block (the whole platform in check mode with diff) and roll-out block (the three services'
    roles), as written, on the converged platform: nothing would change, nothing changes."""
    inventory = local_inventory(ep, tmp_path / "inventory", BASE)
    for run in (run_block(ep, "check", inventory), run_block(ep, "rollout", inventory)):
        assert not run.failed, run
        assert run.changed == 0, run.changed_tasks()
        assert run.stats["ok"] > 20, run.stats


def test_the_account_baseline_runs_alone_and_site_leaves_it_unless_asked(ep, converged, tmp_path):
    """playbooks/account_baseline.yml applies the account-wide settings alone (already there: nothing to change); site.yml
    without security_hardening_account_baseline leaves them as they are, even when they differ from its defaults."""
    alone = run_block(ep, "account-baseline", local_inventory(ep, tmp_path / "inventory", BASE))  # the README's, as written
    assert not alone.failed, alone
    assert alone.changed == 0, alone.changed_tasks()
    ep.client("ec2").disable_ebs_encryption_by_default()
    try:
        check = run_playbook(ep, "playbooks/site.yml", "--check", "--tags", "security_hardening",
                             extra_vars=dict(BASE, security_hardening_account_baseline=False))
        assert not check.failed, check
        assert check.changed == 0, check.changed_tasks()
        baseline = run_playbook(ep, "playbooks/account_baseline.yml", "--check", extra_vars=BASE)
        assert baseline.changed == 1, baseline.changed_tasks()
    finally:
        ep.client("ec2").enable_ebs_encryption_by_default()


def test_the_account_baseline_removes_an_unused_default_vpc_when_asked(ep, converged):
    """security_hardening_remove_default_vpc: the check run says it would go and leaves it; the run deletes the default VPC
    and its subnets (nothing uses it: the platform's own VPC is another); the run after changes nothing. Through the API."""
    ec2 = ep.client("ec2")

    def default_vpcs():
        return [v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]]

    [vpc] = default_vpcs()
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    assert subnets
    asked = dict(BASE, security_hardening_remove_default_vpc=True)
    check = run_playbook(ep, "playbooks/account_baseline.yml", "--check", extra_vars=asked)
    assert not check.failed, check
    assert check.changed == 1, check.changed_tasks()
    assert default_vpcs() == [vpc]
    run = run_playbook(ep, "playbooks/account_baseline.yml", extra_vars=asked)
    assert not run.failed, run
    assert run.changed == 1, run.changed_tasks()
    assert default_vpcs() == []
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"] == []
    assert the_vpc(ep, ENV), "the platform's own VPC went with the default one"
    again = run_playbook(ep, "playbooks/account_baseline.yml", extra_vars=asked)
    assert again.changed == 0, again.changed_tasks()


def test_rotation_gives_the_apps_new_database_and_broker_passwords(ep, converged, tmp_path):
    """playbooks/rotate_secrets.yml rotates each app's database credentials and the broker's (the administrator's and
    each client's) through their rotation functions, as Secrets Manager does on the schedule: the other login of the two
    takes turns, with a new password; the rotation job set it and signed in with it (one task each, to exit 0); the app
    was redeployed (a new deployment of the same task definition, which reads the current version); the first login
    kept its password; RDS rotates the master. Nothing else changes: the roles and users jobs do not run again, and a
    converge after it changes nothing. Read through the API."""
    sm, ecs = ep.client("secretsmanager"), ep.client("ecs")
    prefix = "%s-%s" % (PLATFORM, ENV)
    secrets = {"inventory-db": "inventory-db-app", "billing-db": "billing-db-app", "rabbitmq": "rabbitmq",
               "rabbitmq-api-gateway": "rabbitmq-api-gateway", "rabbitmq-billing-app": "rabbitmq-billing-app"}

    def values():
        return {name: json.loads(sm.get_secret_value(SecretId="%s/%s" % (prefix, secret))["SecretString"])
                for name, secret in secrets.items()}

    def app_services():
        return {app: ecs.describe_services(cluster=prefix + "-cluster", services=[app])["services"][0]
                for app in ("inventory-app", "billing-app", "api-gateway", "rabbitmq")}

    def rotation_jobs(name):
        arns = set()
        for status in ("RUNNING", "STOPPED"):
            arns.update(ecs.list_tasks(cluster=prefix + "-cluster", startedBy="secrets-rotation", desiredStatus=status)["taskArns"])
        tasks = ecs.describe_tasks(cluster=prefix + "-cluster", tasks=sorted(arns))["tasks"] if arns else []
        return sorted((next(e["value"] for o in t["overrides"]["containerOverrides"] for e in o["environment"] if e["name"] == "MODE"),
                       [c.get("exitCode") for c in t["containers"]])
                      for t in tasks if t["taskDefinitionArn"].split("/")[-1].startswith("%s-%s-rotate:" % (prefix, name)))

    before, services = values(), app_services()
    jobs_before = {name: rotation_jobs(name) for name in before}
    # Turning rotation on tested each function once (its test step, on the current login).
    assert all(jobs == [("test", [0])] for jobs in jobs_before.values()), jobs_before
    counts = inventory_counts(ep)
    checked = run_playbook(ep, "playbooks/rotate_secrets.yml", "--check", extra_vars=BASE)
    assert not checked.failed, checked.failure_messages()
    assert values() == before and {name: rotation_jobs(name) for name in before} == jobs_before
    run = run_block(ep, "rotate", local_inventory(ep, tmp_path / "inventory", BASE))  # the README's, as written
    assert not run.failed, run.failure_messages()
    after = values()
    for name in before:
        assert after[name]["username"] == before[name]["username"] + "_clone", after[name]["username"]
        assert after[name]["password"] != before[name]["password"]
        assert {k: v for k, v in after[name].items() if k not in ("username", "password")} == {
            k: v for k, v in before[name].items() if k not in ("username", "password")}
        assert rotation_jobs(name) == [("set", [0]), ("test", [0]), ("test", [0])], (name, rotation_jobs(name))
    # each app whose credentials rotated was redeployed, the broker was not (its administrator is nobody's login)
    for app, service in app_services().items():
        assert service["taskDefinition"] == services[app]["taskDefinition"]
        redeployed = service["deployments"][0]["id"] != services[app]["deployments"][0]["id"]
        assert redeployed is (app != "rabbitmq"), app
    # The roles and users jobs did not run again: the functions set the passwords.
    check_database_identities(ep, ENV, "aurora", job_runs=1)
    check_broker_identities(ep, ENV)
    assert {k: v for k, v in inventory_counts(ep).items() if "task_definition" not in k} == {
        k: v for k, v in counts.items() if "task_definition" not in k}
    again = run_playbook(ep, "playbooks/site.yml", "--tags", "rabbitmq,service_inventory,service_billing", extra_vars=BASE)
    assert not again.failed and again.changed == 0, again.changed_tasks()


def test_rotation_turned_off_removes_what_it_made_and_on_again_restores_it(ep, converged):
    """rabbitmq_rotation_days 0: the broker's secrets no longer rotate, and their functions, the functions' roles and log
    groups, the rotation jobs and the broker's AMQP opening for them are gone; the secrets and users stay. 30 again
    brings all of it back, and the next run changes nothing. Read through the API."""
    prefix = "%s-%s" % (PLATFORM, ENV)
    names = ["rabbitmq", "rabbitmq-api-gateway", "rabbitmq-billing-app"]
    sm, iam, logs, ecs = ep.client("secretsmanager"), ep.client("iam"), ep.client("logs"), ep.client("ecs")

    def state():
        functions = {f["FunctionName"] for f in ep.client("lambda").list_functions()["Functions"]}
        roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
        groups = {g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/%s-rabbitmq" % prefix)["logGroups"]}
        jobs = {n for n in names if ecs.list_task_definitions(familyPrefix="%s-%s-rotate" % (prefix, n), status="ACTIVE")["taskDefinitionArns"]}
        rotating = {n for n in names if sm.describe_secret(SecretId="%s/%s" % (prefix, n)).get("RotationEnabled")}
        made = {n for n in names if "%s-%s-rotation" % (prefix, n) in functions and "%s-%s-rotation" % (prefix, n) in roles
                and "/aws/lambda/%s-%s-rotation" % (prefix, n) in groups}
        return made, jobs, rotating

    assert state() == (set(names), set(names), set(names))
    values = {n: sm.get_secret_value(SecretId="%s/%s" % (prefix, n))["SecretString"] for n in names}
    off = run_playbook(ep, "playbooks/site.yml", "--tags", "rabbitmq", extra_vars=dict(BASE, rabbitmq_rotation_days=0))
    assert not off.failed, off.failure_messages()
    assert state() == (set(), set(), set())
    assert {n: sm.get_secret_value(SecretId="%s/%s" % (prefix, n))["SecretString"] for n in names} == values
    vpc = the_vpc(ep, ENV)["VpcId"]
    users_job = group_by_name(ep, vpc, "%s-rabbitmq-users" % prefix)["GroupId"]
    assert (5672, users_job) not in ingress(group_by_name(ep, vpc, "%s-rabbitmq" % prefix))
    on = run_playbook(ep, "playbooks/site.yml", "--tags", "rabbitmq", extra_vars=BASE)
    assert not on.failed, on.failure_messages()
    assert state() == (set(names), set(names), set(names))
    assert (5672, users_job) in ingress(group_by_name(ep, vpc, "%s-rabbitmq" % prefix))
    again = run_playbook(ep, "playbooks/site.yml", "--tags", "rabbitmq", extra_vars=BASE)
    assert not again.failed and again.changed == 0, again.changed_tasks()


def test_the_deployer_policy_allows_every_call_the_runs_made(ep, converged):
    """Converge, each role alone, the baseline and the rotations, as recorded on this endpoint: each call's IAM action
    and the actions AWS documents it depends on are in docs/iam/platform-<n>.json."""
    assert deployer_lacks(ep) == []
