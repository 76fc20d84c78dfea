"""One maker per resource type (docs/modules.md, "One owner per resource type"), for those a module of the collection
took over from the stock ones:
- IAM roles: cloud_design.platform.iam_roles, and ecs_workload for a workload's own execution and task roles. amazon.aws's
  modules read each role again per task (and iam_role warns on every run unless told about instance profiles the
  platform's roles never have);
- Lambda functions: cloud_design.platform.lambda_functions, a function and its invoke permissions in one task.
  amazon.aws's lambda and lambda_policy are two, each reading the function again."""

import glob
import os

import pytest
import yaml

from .conftest import TOP

OWNERS = {
    "cloud_design.platform.iam_roles": ("amazon.aws.iam_role", "amazon.aws.iam_policy", "amazon.aws.iam_managed_policy",
                                        "community.aws.iam_role", "community.aws.iam_policy"),
    "cloud_design.platform.lambda_functions": ("amazon.aws.lambda", "amazon.aws.lambda_policy", "amazon.aws.lambda_alias",
                                               "community.aws.lambda", "community.aws.lambda_policy"),
}


def tasks_of(node):
    if isinstance(node, list):
        for item in node:
            yield from tasks_of(item)
    elif isinstance(node, dict):
        yield node
        for key in ("block", "rescue", "always"):
            yield from tasks_of(node.get(key) or [])


@pytest.mark.parametrize("owner, least", [("cloud_design.platform.iam_roles", 12), ("cloud_design.platform.lambda_functions", 2)])
def test_every_task_of_the_type_goes_through_its_owner(owner, least):
    ours, others = 0, []
    for path in sorted(glob.glob(os.path.join(TOP, "roles", "*", "tasks", "*.yml")) + glob.glob(os.path.join(TOP, "playbooks", "*.yml"))):
        with open(path, encoding="utf-8") as handle:
            for task in tasks_of(yaml.safe_load(handle) or []):
                ours += owner in task
                others.extend((os.path.relpath(path, TOP), task.get("name"), name) for name in OWNERS[owner] if name in task)
    assert ours >= least and others == []
