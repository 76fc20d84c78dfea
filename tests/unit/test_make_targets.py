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
