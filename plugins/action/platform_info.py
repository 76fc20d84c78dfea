# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""platform_info's action: the families this run has read since its last change are given out again, and only the
others are read (``plugin_utils/run_reads.py``, kept when the ``cloud_design.platform.run_reads`` callback is
enabled). Without the callback, or for a task's retries (``until``, which wait for AWS to change), it runs the
module as any action does."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase

from ansible_collections.cloud_design.platform.plugins.plugin_utils.run_reads import Reads

# Given out from what the run read only with the same domain: the edge's certificate is looked up by it.
_BY_DOMAIN = ("edge",)


def _name(family, domain):
    """The name a family is kept under."""
    return "%s@%s" % (family, domain or "") if family in _BY_DOMAIN else family


def _answer_key(family):
    """The key of the module's answer that holds ``family`` (the light form of the edge is returned as ``edge``)."""
    return "edge" if family == "balancers" else family


class ActionModule(ActionBase):
    """Runs platform_info, or answers from the run's reads of the same platform and connection."""

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        self._runs = getattr(self, "_runs", 0) + 1
        args = dict(self._task.args)
        include = args.get("include")
        reads = None
        # Only the first try: a task retried with until waits for AWS to change, so each retry reads.
        if self._runs == 1 and isinstance(include, list) and "audit" not in include:
            environment = {}
            self._compute_environment_string(environment)
            key = {"host": (task_vars or {}).get("inventory_hostname"),
                   "args": {k: v for k, v in args.items() if k not in ("include", "domain_name")},
                   "environment": environment,
                   "aws": {k: v for k, v in os.environ.items() if k.startswith("AWS_")}}
            reads = Reads.kept(key)
        if reads is None:
            result.update(self._execute_module(task_vars=task_vars))
            return result
        if "edge" in include:
            include = [family for family in include if family != "balancers"]  # the full edge holds the balancers
        domain = args.get("domain_name")
        held = reads.get()
        if "balancers" in include and "balancers" not in held:
            # The full edge, read for any domain, holds the load balancers and target groups the light one is.
            edges = sorted(name for name in held if name.startswith("edge@"))
            if edges:
                held["balancers"] = held[edges[0]]
        missing = [family for family in include if _name(family, domain) not in held]
        module_args = dict(args, include=missing)
        if {"ecs", "discovery"} & set(missing) and "network" not in missing and "vpc_id" not in args:
            # The module looks for the namespace in the VPC the run's discovery found, without reading the network again.
            vpc_id = ((held.get("network") or {}).get("vpc") or {}).get("id")
            if vpc_id:
                module_args["vpc_id"] = vpc_id
        if missing or "names" not in held:
            answer = self._execute_module(module_args=module_args, task_vars=task_vars)
            if answer.get("failed"):
                result.update(answer)
                return result
            held.update((_name(family, domain), answer[_answer_key(family)]) for family in missing if _answer_key(family) in answer)
            held["names"] = answer["names"]
            reads.put(held)
            result.update(answer)  # its warnings among them
        result.update(changed=False, names=held["names"])
        result.update((_answer_key(family), held[_name(family, domain)]) for family in include if _name(family, domain) in held)
        return result
