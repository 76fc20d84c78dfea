"""What make runs for an inventory: the embedded endpoint only for the inventory that names it."""

import os
import subprocess

from .conftest import TOP


def dry_run(*args):
    env = dict(os.environ)
    env.pop("MAKEFLAGS", None)
    return subprocess.run(["make", "-n"] + list(args), cwd=TOP, env=env, capture_output=True, text=True, check=True).stdout


def test_the_endpoint_starts_only_for_the_inventory_that_names_it():
    for target in ("plan", "verify", "deploy", "summary", "destroy"):
        assert "tools/endpoint.py start" in dry_run(target), target
        real = dry_run(target, "INVENTORY=inventories/prod")
        assert "tools/endpoint.py" not in real, (target, real)
        assert "-i inventories/prod" in real, (target, real)


def test_deploy_summary_and_destroy_run_their_playbooks():
    assert "playbooks/site.yml -i inventories/dev" in dry_run("deploy", "INVENTORY=inventories/dev")
    assert "playbooks/summary.yml -i inventories/dev" in dry_run("summary", "INVENTORY=inventories/dev")
    assert "playbooks/destroy.yml -i inventories/dev" in dry_run("destroy", "INVENTORY=inventories/dev")


def test_mitogen_is_for_what_make_runs_and_ansible_cfg_keeps_ansibles_own_strategy(tmp_path):
    """A plain ansible-playbook run, AWX and an execution environment take ansible.cfg: Ansible's own strategy. make
    opts in to platform_linear (Mitogen's where installed) through the environment, unless told otherwise."""
    import configparser  # pylint: disable=import-outside-toplevel
    config = configparser.ConfigParser()
    config.read(os.path.join(TOP, "ansible.cfg"))
    assert config.get("defaults", "strategy", fallback="linear") in ("linear", "ansible.builtin.linear")
    show = tmp_path / "show.mk"
    show.write_text("show-strategy:\n\t@echo strategy=$$ANSIBLE_STRATEGY\n")
    env = dict(os.environ)
    for name in ("MAKEFLAGS", "ANSIBLE_STRATEGY"):
        env.pop(name, None)

    def strategy(extra_env):
        return subprocess.run(["make", "-s", "-f", "Makefile", "-f", str(show), "show-strategy"], cwd=TOP, env=dict(env, **extra_env),
                              capture_output=True, text=True, check=True).stdout.strip()

    assert strategy({}) == "strategy=platform_linear"
    assert strategy({"ANSIBLE_STRATEGY": "linear"}) == "strategy=linear"
