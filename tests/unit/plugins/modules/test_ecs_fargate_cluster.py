"""ecs_fargate_cluster against moto."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import ecs_fargate_cluster

from ...conftest import ModuleFail


def describe(aws, name="c"):
    found = aws("ecs").describe_clusters(clusters=[name], include=["SETTINGS", "TAGS"])["clusters"]
    return [c for c in found if c["status"] == "ACTIVE"]


def test_check_mode_creates_nothing(aws, run_module):
    result = run_module(ecs_fargate_cluster, {"name": "c", "tags": {"Project": "demo"}}, check=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["container_insights"] == "enabled"
    assert describe(aws) == []


def test_create_with_insights_providers_and_tags_then_idempotent(aws, run_module):
    result = run_module(ecs_fargate_cluster, {"name": "c", "tags": {"Project": "demo"}})
    assert result["changed"] is True
    cluster = describe(aws)[0]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    assert cluster["tags"] == [{"key": "Project", "value": "demo"}]
    assert run_module(ecs_fargate_cluster, {"name": "c", "tags": {"Project": "demo"}})["changed"] is False
    assert run_module(ecs_fargate_cluster, {"name": "c", "tags": {"Project": "demo"}}, check=True)["changed"] is False


def test_update_insights_and_strategy(aws, run_module):
    run_module(ecs_fargate_cluster, {"name": "c"})
    strategy = [{"capacity_provider": "FARGATE_SPOT", "weight": 3}, {"capacity_provider": "FARGATE", "weight": 1, "base": 2}]
    result = run_module(ecs_fargate_cluster, {"name": "c", "container_insights": "disabled",
                                              "default_capacity_provider_strategy": strategy}, diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"]["container_insights"] == "enabled"
    cluster = describe(aws)[0]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert {s["capacityProvider"]: s["weight"] for s in cluster["defaultCapacityProviderStrategy"]} == {"FARGATE": 1, "FARGATE_SPOT": 3}


def test_strategy_naming_an_unknown_provider_fails_before_any_change(aws, run_module):
    with pytest.raises(ModuleFail, match="not in capacity_providers"):
        run_module(ecs_fargate_cluster, {"name": "c", "capacity_providers": ["FARGATE"],
                                         "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT"}]})
    assert describe(aws) == []


def test_absent(aws, run_module):
    run_module(ecs_fargate_cluster, {"name": "c"})
    assert run_module(ecs_fargate_cluster, {"name": "c", "state": "absent"})["changed"] is True
    assert describe(aws) == []
    assert run_module(ecs_fargate_cluster, {"name": "c", "state": "absent"})["changed"] is False
