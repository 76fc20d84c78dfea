"""amazon.aws.iam_role deprecates leaving create_instance_profile and delete_instance_profile unset (a warning on every
run): the platform's roles never have an instance profile, and every iam_role task says so."""

import glob
import os

import yaml

from .conftest import TOP


def tasks_of(node):
    if isinstance(node, list):
        for item in node:
            yield from tasks_of(item)
    elif isinstance(node, dict):
        yield node
        for key in ("block", "rescue", "always"):
            yield from tasks_of(node.get(key) or [])


def test_every_iam_role_task_says_there_is_no_instance_profile():
    found, lacking = 0, []
    for path in sorted(glob.glob(os.path.join(TOP, "roles", "*", "tasks", "*.yml")) + glob.glob(os.path.join(TOP, "playbooks", "*.yml"))):
        with open(path, encoding="utf-8") as handle:
            for task in tasks_of(yaml.safe_load(handle) or []):
                args = task.get("amazon.aws.iam_role")
                if args is None:
                    continue
                found += 1
                if args.get("create_instance_profile") is not False or args.get("delete_instance_profile") is not False:
                    lacking.append((os.path.relpath(path, TOP), task.get("name")))
    assert found >= 10 and lacking == []
