"""The whole application with its databases as containers (platform_database_mode: container),
in an environment of its own beside the aurora one. A user's install (the README's block: runtime
requirements only, the built artifact, no make) converges it at -vvv without a single secret value
in the output, checks and verifies it, and destroys it; between, the tests check it through the AWS
API, break it and verify again, and run one role alone."""

import os
import re
import subprocess
import sys

import pytest

from tests.support.backups import check_backups, plan_of, recovery_points
from tests.support.edge import check_http_api, check_load_balancers
from tests.support.harness import (PLATFORM, TOP, UserInstall, block_inventory, clone_tree, inventory_counts, run_block,
                                   run_playbook)
from tests.support.readme import script
from tests.support.observability import alarms_of, check_observability, dashboard_text
from tests.support.workloads import (account_passwords, check_application, check_broker_identities, check_database_identities,
                                     platform_secret_values)

ENV = "ctr"
INVENTORY = "inventories/shop-dev"  # the README's inventory block names it
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
def user(tmp_path_factory):
    """The collection as a user gets it without make: a copy of the checkout, the README's install block run there as
    written (a virtual environment with the runtime requirements only, the built artifact installed by ansible-galaxy)."""
    top = tmp_path_factory.mktemp("user")
    checkout, home = clone_tree(top / "checkout"), top / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(HOME=str(home), PATH=os.path.dirname(sys.executable) + os.pathsep + env["PATH"])  # a python3 of 3.12 or newer
    proc = subprocess.run(["bash", "-c", script("user-install")], cwd=str(checkout), env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    install = UserInstall(checkout, home / ".venvs" / "cloud-design" / "bin")
    installed = checkout / ".collections" / "ansible_collections" / "cloud_design" / "platform"
    assert (installed / "MANIFEST.json").is_file() and not installed.is_symlink()
    pip = subprocess.run([os.path.join(install.bin, "python"), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True,
                         check=True).stdout.lower()
    assert "boto3==" in pip and "ansible-core==" in pip
    assert not [name for name in ("moto", "molecule", "pytest", "ansible-lint", "mitogen") if "\n%s==" % name in "\n" + pip]
    return install


@pytest.fixture(scope="module")
def user_inventory(ep, user):
    """The README's inventory block run as written, then the inventory filled in as a user would (here: this
    environment's values, the endpoint's settings and the deployer's keys)."""
    run = run_block(ep, "inventory", INVENTORY, install=user)
    assert run.rc == 0, run.stdout[-2000:] + run.stderr[-2000:]
    block_inventory(ep, os.path.join(user.top, INVENTORY), BASE)
    return INVENTORY


@pytest.fixture(scope="module")
def converged(ep, user, user_inventory):
    """Converged by the README's deploy block (cloud_design.platform.site from the user's install), at -vvv --diff."""
    run = run_block(ep, "deploy", user_inventory, install=user, callback="default",
                    env={"ANSIBLE_VERBOSITY": "3", "ANSIBLE_DIFF_ALWAYS": "true"})
    assert run.rc == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "task path: %s/.collections/ansible_collections/cloud_design/platform/roles/" % user.top in run.stdout
    assert "task path: %s/roles/" % TOP not in run.stdout
    yield run
    if environment_vpcs(ep, ENV):  # the last test removes it; this is the clean-up when a test before it failed
        removed = run_playbook(ep, "playbooks/destroy.yml", extra_vars=BASE)
        assert not removed.failed, removed


def test_the_readme_blocks_summarise_and_verify_the_platform(ep, converged, user, user_inventory):
    """The README's blocks, as written, from the user's install: the summary reads the platform; verify passes, its drift
    check a nested site.yml --check run with that install (the README's check and roll-out blocks run on the day-2
    platform, tests/e2e/test_day2.py), and writes its report into the checkout."""
    summary = run_block(ep, "summary", user_inventory, install=user, callback="default")
    assert summary.rc == 0, summary.stdout[-3000:]
    assert "Platform %s-%s in eu-west-1" % (PLATFORM, ENV) in summary.stdout and "6 services" in summary.stdout, summary.stdout[-3000:]
    verify = run_block(ep, "verify", user_inventory, install=user)
    assert not verify.failed, verify.failure_messages()
    report = open(os.path.join(user.top, "reports", "%s-%s-eu-west-1.md" % (PLATFORM, ENV)), encoding="utf-8").read()
    assert "| pass | drift | site.yml | a converge would change nothing (check mode) |" in report, report


def environment_vpcs(ep, env):
    return ep.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Project", "Values": [PLATFORM]},
                                                   {"Name": "tag:Environment", "Values": [env]}])["Vpcs"]


def tagged(ep, env):
    found = ep.client("resourcegroupstaggingapi").get_resources(TagFilters=[
        {"Key": "Project", "Values": [PLATFORM]}, {"Key": "Environment", "Values": [env]}])["ResourceTagMappingList"]
    return sorted(r["ResourceARN"] for r in found)


def platform_keys(ep, env):
    """{alias: key state} of the environment's KMS keys."""
    kms = ep.client("kms")
    return {a["AliasName"]: kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["KeyState"]
            for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/%s-%s-" % (PLATFORM, env))}


def test_a_run_prints_no_skipped_task_and_ends_with_each_roles_time(converged):
    """The user's checkout's ansible.cfg: Ansible's own strategy, skipped tasks not printed (even at -vvv), and
    ansible.posix's profile_roles summing up the time of each role at the end."""
    assert "skipping: [" not in converged.stdout
    # ansible.cfg's own strategy (make opts in to Mitogen's): no third-party strategy, no deprecation for it
    assert "strategy plugins not included in ansible.builtin" not in " ".join((converged.stdout + converged.stderr).split())
    recap = converged.stdout[converged.stdout.index("ROLES RECAP"):]
    for role in ("security_hardening", "network", "service_inventory", "observability"):
        assert re.search(r"^%s -+ +[0-9.]+s$" % role, recap, re.M), recap


def test_application_runs_on_database_containers(ep, converged):
    check_application(ep, ENV, "container")
    check_database_identities(ep, ENV, "container")
    check_broker_identities(ep, ENV)


def test_edge_without_domain_tls_or_public_load_balancer(ep, converged):
    check_load_balancers(ep, ENV, tls=False, alb=False)
    check_http_api(ep, ENV, tls=False, domain=False)


def test_observability_watches_the_database_containers(ep, converged):
    """The databases run as ECS services: watched as services; no Aurora alarm; three NLBs, no ALB."""
    # 38 alarms: 3 for each of 6 services, one for each of 3 balancers, 2 for the API and the trail's 15
    check_observability(ep, ENV, ["api-gateway", "billing-app", "billing-db", "inventory-app", "inventory-db", "rabbitmq"],
                        balancers_expected=3, databases_expected=0, alarms_expected=38)


def test_no_secret_value_in_a_verbose_run(ep, converged):
    """The fresh converge ran at -vvv --diff: no password of the account's secrets in anything it printed."""
    assert "task path:" in converged.stdout and "--- before" in converged.stdout  # -vv and later, and --diff, took effect
    values = [v for doc in platform_secret_values(ep, ENV).values() for k, v in doc.items() if k == "password"]
    # the broker's administrator and its two clients; each database's master and its app's role
    assert len(values) == 7
    assert sorted(account_passwords(ep)) == sorted(values)
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


def test_verify_names_each_break_and_a_converge_repairs_it(ep, converged, tmp_path):
    """Broken through the API (a security group opened to the world, a log group's key taken off, a
    service scaled to zero): verify fails naming each with its fix; a converge of the roles the fixes
    name repairs them; verify passes."""
    args = dict(BASE, verify_output_dir=str(tmp_path), verify_drift=False)
    first = run_playbook(ep, "playbooks/verify.yml", extra_vars=args)
    assert not first.failed, first.failure_messages()
    ec2, prefix = ep.client("ec2"), "%s-%s" % (PLATFORM, ENV)
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [prefix + "-inventory-app"]}])["SecurityGroups"][0]
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ep.client("logs").disassociate_kms_key(logGroupName="/%s/%s/ecs/billing-app" % (PLATFORM, ENV))
    ep.client("ecs").update_service(cluster=prefix + "-cluster", service="inventory-app", desiredCount=0)

    broken = run_playbook(ep, "playbooks/verify.yml", extra_vars=args)
    assert broken.failed
    messages = broken.failure_messages()
    assert messages[0].startswith("The platform does not match its design: 3 findings failed"), messages
    assert ("open_to_world %s-inventory-app (%s): tcp 22 open to 0.0.0.0/0. Fix: remove the rule" % (prefix, group["GroupId"])) in " ".join(messages)
    assert any(m.startswith("encryption log group /%s/%s/ecs/billing-app: encrypted with no customer managed key, "
                            "not the platform's logs key. Fix:" % (PLATFORM, ENV)) for m in messages), messages
    assert any(m.startswith("service_desired inventory-app: desired count 0. Fix:") for m in messages), messages
    assert "| fail | open_to_world |" in (tmp_path / ("%s-eu-west-1.md" % prefix)).read_text()

    # The repair the fixes name: the roles that own what was broken (the service's group and count,
    # every log group's key), as an operator would run them; the whole site.yml repairs the same.
    repair = run_playbook(ep, "playbooks/site.yml", "--tags", "service_inventory,observability", extra_vars=BASE)
    assert not repair.failed, repair
    assert repair.changed >= 3, repair.changed_tasks()
    after = run_playbook(ep, "playbooks/verify.yml", extra_vars=args)
    assert not after.failed, after.failure_messages()
    rules = ec2.describe_security_groups(GroupIds=[group["GroupId"]])["SecurityGroups"][0]["IpPermissions"]
    assert not [r for r in rules if r.get("FromPort") == 22]
    assert ep.client("ecs").describe_services(cluster=prefix + "-cluster", services=["inventory-app"])["services"][0]["desiredCount"] >= 1


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


def test_two_environments_side_by_side_and_destroy_keeps_the_keys_and_backups_unless_asked(ep, converged, user):
    """A second environment in the same account and region (its keys and network) beside this one: no
    name collides. Destroying this one with the defaults leaves the other exactly as it was and keeps
    this one's keys and backup vault with its recovery points (restorable data stays readable); asked, a
    second destroy deletes the recovery points and the vault and schedules the keys' deletion."""
    check_backups(ep, ENV, retention_days=7)
    database = [f for f in ep.client("efs").describe_file_systems()["FileSystems"] if f["CreationToken"] == "%s-%s-inventory-db" % (PLATFORM, ENV)][0]
    point = ep.client("backup").start_backup_job(  # what the plan's daily rule does, on demand
        BackupVaultName="%s-%s-backup" % (PLATFORM, ENV), ResourceArn=database["FileSystemArn"],
        IamRoleArn=ep.client("iam").get_role(RoleName="%s-%s-backup" % (PLATFORM, ENV))["Role"]["Arn"])["RecoveryPointArn"]
    two = dict(BASE, platform_env="two", platform_vpc_cidr="10.40.0.0/16")
    built = run_playbook(ep, "playbooks/site.yml", "--tags", "security_hardening,network", extra_vars=two)
    assert not built.failed, built
    other = tagged(ep, "two")
    assert len(environment_vpcs(ep, "two")) == 1 and len(environment_vpcs(ep, ENV)) == 1
    assert len(platform_keys(ep, "two")) == 3

    # The README's destroy block, with booleans given as strings (as -e key=value and an AWX survey give them): they
    # behave as YAML booleans.
    block_inventory(ep, os.path.join(user.top, INVENTORY), dict(BASE, security_hardening_keep_keys_on_destroy="true",
                                                                security_hardening_keep_backups_on_destroy="true"))
    removed = run_block(ep, "destroy", INVENTORY, install=user)
    assert not removed.failed, removed
    assert environment_vpcs(ep, ENV) == []
    assert plan_of(ep, ENV) is None and recovery_points(ep, ENV) == [point]
    assert not [s for s in ep.client("ecs").describe_clusters(clusters=["%s-%s-cluster" % (PLATFORM, ENV)])["clusters"] if s["status"] == "ACTIVE"]
    assert platform_keys(ep, ENV) == {"alias/demo-ctr-%s" % p: "Enabled" for p in ("data", "logs", "secrets")}
    assert tagged(ep, "two") == other and platform_keys(ep, "two") == {"alias/demo-two-%s" % p: "Enabled" for p in ("data", "logs", "secrets")}

    asked = run_playbook(ep, "playbooks/destroy.yml", "--tags", "security_hardening", "-e", "security_hardening_keep_keys_on_destroy=false",
                         "-e", "security_hardening_keep_backups_on_destroy=false", extra_vars=BASE)
    assert not asked.failed, asked
    assert asked.changed == 2, asked.changed_tasks()
    assert platform_keys(ep, ENV) == {} and recovery_points(ep, ENV) is None
    assert tagged(ep, "two") == other

    gone = run_playbook(ep, "playbooks/destroy.yml", "--tags", "network,security_hardening", extra_vars=two)
    assert not gone.failed, gone
    assert environment_vpcs(ep, "two") == [] and platform_keys(ep, "two") == {}
