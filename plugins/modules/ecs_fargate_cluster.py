#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_fargate_cluster
short_description: Manage an ECS cluster for Fargate with Container Insights, capacity providers and tags
version_added: 0.1.0
description:
  - Creates, updates or deletes an ECS cluster with its capacity providers, default
    capacity provider strategy, Container Insights setting and tags, in one task.
  - C(community.aws.ecs_cluster) has neither tags nor the Container Insights setting.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the cluster.
    type: str
    required: true
  capacity_providers:
    description: Capacity providers of the cluster.
    type: list
    elements: str
    default: [FARGATE, FARGATE_SPOT]
  default_capacity_provider_strategy:
    description: Default strategy for services that name none.
    type: list
    elements: dict
    default: [{capacity_provider: FARGATE, weight: 1, base: 1}]
    suboptions:
      capacity_provider:
        description: One of I(capacity_providers).
        type: str
        required: true
      weight:
        description: Relative share of tasks.
        type: int
        default: 0
      base:
        description: Tasks placed on this provider first.
        type: int
        default: 0
  container_insights:
    description: The Container Insights setting.
    type: str
    choices: [enabled, enhanced, disabled]
    default: enabled
  state:
    description: Whether the cluster should exist. Deleting fails while services run in it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows settings, capacity providers and tags before and after.
"""

EXAMPLES = r"""
- name: ECS cluster for the platform's Fargate services
  cloud_design.platform.ecs_fargate_cluster:
    name: shop-prod-cluster
    container_insights: enabled
    capacity_providers: [FARGATE, FARGATE_SPOT]
    default_capacity_provider_strategy:
      - capacity_provider: FARGATE
        weight: 1
        base: 1
    tags:
      Project: shop
      Environment: prod
"""

RETURN = r"""
cluster:
  description: The cluster; empty when absent.
  returned: always
  type: dict
  sample:
    cluster_name: shop-prod-cluster
    cluster_arn: arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod-cluster
    status: ACTIVE
    capacity_providers: [FARGATE, FARGATE_SPOT]
    default_capacity_provider_strategy: [{capacity_provider: FARGATE, weight: 1, base: 1}]
    container_insights: enabled
    tags: {Project: shop}
"""

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformError, PlatformModule, apply_tags, tag_list_to_dict


def describe(client, name):
    clusters = client.describe_clusters(clusters=[name], include=["SETTINGS", "TAGS"])["clusters"]
    active = [c for c in clusters if c.get("status") in ("ACTIVE", "PROVISIONING")]
    return active[0] if active else None


def normalise(cluster):
    """A compact, comparable view of a cluster (as returned and diffed)."""
    if not cluster:
        return {}
    settings = {s["name"]: s["value"] for s in cluster.get("settings") or []}
    return {
        "cluster_name": cluster["clusterName"],
        "cluster_arn": cluster.get("clusterArn"),
        "status": cluster.get("status"),
        "capacity_providers": sorted(cluster.get("capacityProviders") or []),
        "default_capacity_provider_strategy": sorted(
            (
                {"capacity_provider": s["capacityProvider"], "weight": s.get("weight", 0), "base": s.get("base", 0)}
                for s in cluster.get("defaultCapacityProviderStrategy") or []
            ),
            key=lambda s: s["capacity_provider"],
        ),
        "container_insights": settings.get("containerInsights", "disabled"),
        "tags": tag_list_to_dict(cluster.get("tags"), "key", "value"),
    }


def wanted_view(params, tags):
    strategy = sorted(params["default_capacity_provider_strategy"], key=lambda s: s["capacity_provider"])
    return {
        "cluster_name": params["name"],
        "capacity_providers": sorted(params["capacity_providers"]),
        "default_capacity_provider_strategy": [dict(s) for s in strategy],
        "container_insights": params["container_insights"],
        "tags": tags,
    }


def strategy_request(view):
    return [
        {"capacityProvider": s["capacity_provider"], "weight": s["weight"], "base": s["base"]}
        for s in view["default_capacity_provider_strategy"]
    ]


def validate(params):
    names = set(params["capacity_providers"])
    unknown = [s["capacity_provider"] for s in params["default_capacity_provider_strategy"] if s["capacity_provider"] not in names]
    if unknown:
        raise PlatformError(
            "default_capacity_provider_strategy names %s, which is not in capacity_providers %s; add it there or drop it from the strategy"
            % (", ".join(unknown), sorted(names))
        )
    if sum(1 for s in params["default_capacity_provider_strategy"] if s["base"]) > 1:
        raise PlatformError("only one entry of default_capacity_provider_strategy may have a base above 0 (an ECS rule)")


def ensure_present(module, client):
    params = module.params
    validate(params)
    current = describe(client, params["name"])
    before = normalise(current)
    if not current:
        want = wanted_view(params, dict(params.get("tags") or {}))
        if module.check_mode:
            return True, before, want
        request = {
            "clusterName": params["name"],
            "capacityProviders": want["capacity_providers"],
            "defaultCapacityProviderStrategy": strategy_request(want),
            "settings": [{"name": "containerInsights", "value": want["container_insights"]}],
        }
        if want["tags"]:
            request["tags"] = [{"key": k, "value": v} for k, v in sorted(want["tags"].items())]
        # CreateCluster is idempotent by name: a retried create returns the same cluster.
        client.create_cluster(**request)
        return True, before, normalise(describe(client, params["name"]))

    want = wanted_view(params, before["tags"])
    changed = False
    if before["container_insights"] != want["container_insights"]:
        changed = True
        if not module.check_mode:
            # UpdateCluster takes the settings too (UpdateClusterSettings does the same on AWS).
            client.update_cluster(cluster=params["name"],
                                  settings=[{"name": "containerInsights", "value": want["container_insights"]}])
    if (before["capacity_providers"], before["default_capacity_provider_strategy"]) != (
        want["capacity_providers"], want["default_capacity_provider_strategy"]
    ):
        changed = True
        if not module.check_mode:
            client.put_cluster_capacity_providers(
                cluster=params["name"],
                capacityProviders=want["capacity_providers"],
                defaultCapacityProviderStrategy=strategy_request(want),
            )
    tags_changed, want["tags"] = apply_tags(
        module.check_mode, before["tags"], params.get("tags"), params["purge_tags"],
        lambda add: client.tag_resource(resourceArn=current["clusterArn"],
                                        tags=[{"key": k, "value": v} for k, v in sorted(add.items())]),
        lambda keys: client.untag_resource(resourceArn=current["clusterArn"], tagKeys=keys))
    changed |= tags_changed
    if not changed:
        return False, before, before
    if module.check_mode:
        return True, before, dict(before, **want)
    return True, before, normalise(describe(client, params["name"]))


def ensure_absent(module, client):
    current = describe(client, module.params["name"])
    if not current:
        return False, {}, {}
    if not module.check_mode:
        client.delete_cluster(cluster=module.params["name"])
    return True, normalise(current), {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        capacity_providers=dict(type="list", elements="str", default=["FARGATE", "FARGATE_SPOT"]),
        default_capacity_provider_strategy=dict(
            type="list",
            elements="dict",
            default=[{"capacity_provider": "FARGATE", "weight": 1, "base": 1}],
            options=dict(
                capacity_provider=dict(type="str", required=True),
                weight=dict(type="int", default=0),
                base=dict(type="int", default=0),
            ),
        ),
        container_insights=dict(type="str", default="enabled", choices=["enabled", "enhanced", "disabled"]),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    client = module.client("ecs")

    def converge():
        if module.params["state"] == "present":
            changed, before, after = ensure_present(module, client)
        else:
            changed, before, after = ensure_absent(module, client)
        result = {"changed": changed, "cluster": after}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage ECS cluster %s" % module.params["name"])


if __name__ == "__main__":
    main()
