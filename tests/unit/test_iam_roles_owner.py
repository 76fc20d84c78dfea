"""One maker of the platform's IAM roles (docs/modules.md, "one owner"): cloud_design.platform.iam_roles, and
ecs_workload for a workload's own execution and task roles. No task makes or changes a role or its policies through
amazon.aws's modules, which read each role again per task (and iam_role warns on every run unless told about
instance profiles the platform's roles never have)."""

import glob
import os

import yaml

from .conftest import TOP

OTHER_MAKERS = ("amazon.aws.iam_role", "amazon.aws.iam_policy", "amazon.aws.iam_managed_policy", "community.aws.iam_role",
                "community.aws.iam_policy")


def tasks_of(node):
    if isinstance(node, list):
        for item in node:
            yield from tasks_of(item)
    elif isinstance(node, dict):
        yield node
        for key in ("block", "rescue", "always"):
            yield from tasks_of(node.get(key) or [])


def test_every_role_task_goes_through_iam_roles():
    ours, others = 0, []
    for path in sorted(glob.glob(os.path.join(TOP, "roles", "*", "tasks", "*.yml")) + glob.glob(os.path.join(TOP, "playbooks", "*.yml"))):
        with open(path, encoding="utf-8") as handle:
            for task in tasks_of(yaml.safe_load(handle) or []):
                ours += "cloud_design.platform.iam_roles" in task
                others.extend((os.path.relpath(path, TOP), task.get("name"), name) for name in OTHER_MAKERS if name in task)
    assert ours >= 12 and others == []
