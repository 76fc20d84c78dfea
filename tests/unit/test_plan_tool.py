"""make plan: a check run's JSON summed up per role as create, change and remove."""

import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))

import plan as plan_tool  # noqa: E402  pylint: disable=wrong-import-position,import-error


def _task(name, *results, loop=False):
    host = {"results": list(results), "changed": any(r.get("changed") for r in results)} if loop else dict(results[0])
    return {"task": {"name": name}, "hosts": {"h": host}}


def _run(*tasks):
    return {"plays": [{"tasks": list(tasks)}]}


def test_a_converged_platform_is_one_line():
    roles, tasks = plan_tool.plan(_run(_task("cloud_design.platform.network : Create the VPC", {"changed": False}),
                                       _task("cloud_design.platform.ecs_cluster : Cluster", {"changed": False})))
    assert (roles, tasks) == ({}, 2)
    assert plan_tool.render(roles, tasks, 12.3) == [
        "No changes: the platform matches its inputs (2 tasks checked in check mode, 12 s)."]


def test_changes_are_grouped_by_role_and_classified_from_the_diff():
    data = _run(
        _task("cloud_design.platform.network : Create the VPC", {"changed": True, "diff": {"before": {}, "after": {"cidr": "10.0.0.0/16"}}}),
        _task("cloud_design.platform.network : Subnets",
              {"changed": True, "item": {"cidr": "10.0.1.0/24"}, "_ansible_item_label": "public-a",
               "diff": [{"before": {"tags": {}}, "after": {"tags": {"A": "b"}}}]},
              {"changed": False, "_ansible_item_label": "public-b"}, loop=True),
        _task("cloud_design.platform.api_gateway : HTTP API", {"changed": True, "changes": ["remove route DELETE /x"],
                                                               "diff": {"before": {"routes": 1}, "after": {"routes": 0}}}),
        _task("cloud_design.platform.rabbitmq : Storage", {"changed": True, "diff": {"before": {"id": "fs-1"}, "after": {}}}),
    )
    roles, tasks = plan_tool.plan(data)
    assert tasks == 4
    assert list(roles) == ["network", "api_gateway", "rabbitmq"]
    assert roles["network"] == [("create", "Create the VPC", "", ""), ("change", "Subnets", " [public-a]", "")]
    assert roles["api_gateway"] == [("change", "HTTP API", "", "remove route DELETE /x")]
    assert roles["rabbitmq"][0][0] == "remove"
    lines = plan_tool.render(roles, tasks, 5)
    assert lines[0] == "network: 1 to create, 1 to change"
    assert lines[1] == "  + Create the VPC"
    assert lines[2] == "  ~ Subnets [public-a]"
    assert "  ~ HTTP API: remove route DELETE /x" in lines
    assert lines[-1].startswith("Plan: 1 to create, 2 to change, 1 to remove")


def test_a_module_without_diff_says_what_it_would_create():
    result = {"changed": True, "changes": ["create log group /demo/x", "create role x"]}
    assert plan_tool.kind_of(result) == "create"
    assert plan_tool.details(result) == "create log group /demo/x; create role x"
    assert plan_tool.kind_of({"changed": True}) == "change"
