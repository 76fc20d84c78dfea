# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The workload service's target tracking on CPU and memory (Application Auto Scaling). A part of Workload
(workload.py)."""

from __future__ import annotations

from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload.spec import SCALABLE
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import Plan, all_pages, concurrently


class Autoscaling(Plan):
    def autoscaling(self):
        scaling = self.params["autoscaling"]
        aas = self.client("application-autoscaling")
        resource_id = "service/%s/%s" % (self.params["cluster"], self.names["service"])
        targets, policies = self.reads.take(("scaling",), self._scaling)
        if not scaling:
            for name in sorted(policies):
                self.change("remove scaling policy %s" % name, aas.delete_scaling_policy, PolicyName=name, ResourceId=resource_id, **SCALABLE)
            if targets:
                self.change("stop autoscaling %s" % self.names["service"], aas.deregister_scalable_target, ResourceId=resource_id, **SCALABLE)
            return {}
        target = targets[0] if targets else {}
        if target.get("MinCapacity") != scaling["min_count"] or target.get("MaxCapacity") != scaling["max_count"]:
            self.change("autoscaling %s: %d..%d tasks" % (self.names["service"], scaling["min_count"], scaling["max_count"]),
                        aas.register_scalable_target, ResourceId=resource_id, MinCapacity=scaling["min_count"], MaxCapacity=scaling["max_count"], **SCALABLE)
        wanted = {
            self.names["cpu_policy"]: ("ECSServiceAverageCPUUtilization", scaling["cpu_target"]),
            self.names["memory_policy"]: ("ECSServiceAverageMemoryUtilization", scaling["memory_target"]),
        }
        for name, (metric, value) in wanted.items():
            config = {
                "TargetValue": float(value),
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                "ScaleInCooldown": scaling["scale_in_cooldown"],
                "ScaleOutCooldown": scaling["scale_out_cooldown"],
                "DisableScaleIn": False,
            }
            have = (policies.get(name) or {}).get("TargetTrackingScalingPolicyConfiguration") or {}
            same = (float(have.get("TargetValue", -1)) == config["TargetValue"]
                    and (have.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType") == metric
                    and have.get("ScaleInCooldown") == config["ScaleInCooldown"]
                    and have.get("ScaleOutCooldown") == config["ScaleOutCooldown"]
                    and not have.get("DisableScaleIn", False))
            if not same:
                self.change("scaling policy %s: %s at %s%%" % (name, metric, value),
                            aas.put_scaling_policy, PolicyName=name, ResourceId=resource_id, PolicyType="TargetTrackingScaling",
                            TargetTrackingScalingPolicyConfiguration=config, **SCALABLE)
        for name in sorted(set(policies) - set(wanted)):
            self.change("remove scaling policy %s" % name, aas.delete_scaling_policy, PolicyName=name, ResourceId=resource_id, **SCALABLE)
        return {"min_count": scaling["min_count"], "max_count": scaling["max_count"], "policies": sorted(wanted)}

    def _scaling(self):
        """(scalable targets, {policy name: policy}) of the service, read at once."""
        aas = self.client("application-autoscaling")
        resource_id = "service/%s/%s" % (self.params["cluster"], self.names["service"])
        # Only this service's: an API emulation has matched the id as a substring (billing-db within billing-db-roles).
        targets, policies = concurrently(
            lambda: aas.describe_scalable_targets(ResourceIds=[resource_id], **SCALABLE)["ScalableTargets"],
            lambda: all_pages(aas.describe_scaling_policies, "ScalingPolicies", ResourceId=resource_id, **SCALABLE))
        return ([t for t in targets if t.get("ResourceId") == resource_id],
                {p["PolicyName"]: p for p in policies if p.get("ResourceId") == resource_id})
