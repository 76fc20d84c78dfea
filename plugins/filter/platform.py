# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for preflight checks: input validation, subnet planning and tags.

They make no AWS call, so a role can reject bad input before its first change.
"""

from __future__ import annotations

import ipaddress
import re

from ansible.errors import AnsibleFilterError
from ansible_collections.cloud_design.platform.plugins.module_utils.audit import check_run_changes, finding_line, platform_audit
from ansible_collections.cloud_design.platform.plugins.module_utils.diagram import platform_dot, platform_mermaid
from ansible_collections.cloud_design.platform.plugins.module_utils.observability import observability_plan
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import boundary_arn, resource_names, workload_names
from ansible_collections.cloud_design.platform.plugins.module_utils.workload_spec import workload_errors


NAME_RE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$")
ENV_RE = re.compile(r"^[a-z][a-z0-9]*$")
NAME_MAX = 12
ENV_MAX = 8
MANAGED_BY = "cloud_design.platform"


def platform_input_errors(platform_name, platform_env, platform_region=None):
    """List what is wrong with the platform-wide identity inputs (empty when fine)."""
    errors = []
    if not isinstance(platform_name, str) or not platform_name.strip():
        errors.append(
            "platform_name is empty; set it to a short lower-case name such as 'shop' "
            "(it prefixes every resource name)"
        )
    elif len(platform_name) > NAME_MAX or not NAME_RE.match(platform_name):
        errors.append(
            "platform_name '%s' must be 1-%d characters of a-z, 0-9 and '-', starting with a letter "
            "and not ending with '-' (AWS name limits: load balancers and target groups take 32); "
            "use e.g. 'shop'" % (platform_name, NAME_MAX)
        )
    if not isinstance(platform_env, str) or not platform_env.strip():
        errors.append("platform_env is empty; set it to the environment name, e.g. 'dev' or 'prod'")
    elif len(platform_env) > ENV_MAX or not ENV_RE.match(platform_env):
        errors.append(
            "platform_env '%s' must be 1-%d characters of a-z and 0-9, starting with a letter; "
            "use e.g. 'dev', 'staging' or 'prod'" % (platform_env, ENV_MAX)
        )
    if platform_region is not None and not re.match(r"^[a-z]{2}(-gov)?-[a-z]+-\d$", str(platform_region)):
        errors.append("platform_region '%s' is not an AWS region name; use e.g. 'eu-west-1'" % (platform_region,))
    return errors


def _parse_cidr(value, variable, errors, example):
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        hint = ""
        try:
            hint = "; did you mean %s?" % ipaddress.IPv4Network(str(value), strict=False)
        except ValueError:
            hint = "; use e.g. %s" % example
        errors.append("%s '%s' is not a valid IPv4 CIDR (%s)%s" % (variable, value, exc, hint))
        return None


def network_plan(vpc_cidr, az_count, public_cidrs=None, private_cidrs=None, new_bits=4):
    """Validate the network inputs and carve subnets.

    Returns ``{'errors': [...], 'public': [cidr, ...], 'private': [cidr, ...]}``. Public
    subnets take the first ``az_count`` blocks of ``/(prefix + new_bits)``, private ones
    the blocks from the middle of the range, unless explicit lists are given.
    """
    errors = []
    plan = {"errors": errors, "public": [], "private": []}
    try:
        count = int(az_count)
    except (TypeError, ValueError):
        count = -1
    if isinstance(az_count, bool) or count < 1 or count > 3:
        errors.append("platform_az_count '%s' must be 1, 2 or 3 (AZs used for subnets); use 2 or 3 for production" % (az_count,))
        count = 0
    vpc = _parse_cidr(vpc_cidr, "platform_vpc_cidr", errors, "10.20.0.0/16")
    if vpc is not None and not 16 <= vpc.prefixlen <= 24:
        errors.append(
            "platform_vpc_cidr '%s' has a /%d prefix; AWS subnets need room: use a /16 to /24 block, e.g. 10.20.0.0/16"
            % (vpc_cidr, vpc.prefixlen)
        )
        vpc = None
    if vpc is not None and not vpc.is_private:
        errors.append("platform_vpc_cidr '%s' is not a private (RFC 1918) range; use e.g. 10.20.0.0/16" % (vpc_cidr,))

    subnets = {}
    for tier, given, variable in (("public", public_cidrs, "network_public_subnet_cidrs"),
                                  ("private", private_cidrs, "network_private_subnet_cidrs")):
        nets = []
        if given:
            if count and len(given) != count:
                errors.append(
                    "%s has %d entries but platform_az_count is %d; give one CIDR per AZ or leave it empty to carve them"
                    % (variable, len(given), count)
                )
            for value in given:
                net = _parse_cidr(value, variable, errors, "10.20.0.0/20")
                if net is None:
                    continue
                if vpc is not None and not net.subnet_of(vpc):
                    errors.append("%s entry %s is outside platform_vpc_cidr %s; pick blocks inside it" % (variable, net, vpc))
                elif not 16 <= net.prefixlen <= 28:
                    errors.append("%s entry %s must be a /16 to /28 block (AWS subnet limits)" % (variable, net))
                nets.append(net)
        elif vpc is not None and count:
            blocks = list(vpc.subnets(prefixlen_diff=new_bits))
            start = 0 if tier == "public" else len(blocks) // 2
            nets = blocks[start:start + count]
        subnets[tier] = nets

    every = [(tier, net) for tier in ("public", "private") for net in subnets[tier]]
    for i, (tier_a, net_a) in enumerate(every):
        for tier_b, net_b in every[i + 1:]:
            if net_a.overlaps(net_b):
                errors.append(
                    "subnets overlap: %s %s and %s %s; give network_public_subnet_cidrs and "
                    "network_private_subnet_cidrs disjoint blocks" % (tier_a, net_a, tier_b, net_b)
                )
    if not errors:
        plan["public"] = [str(n) for n in subnets["public"]]
        plan["private"] = [str(n) for n in subnets["private"]]
    return plan


def platform_tags(component, platform_name, platform_env, extra=None):
    """The tags every resource carries, with the user's extra tags merged under them."""
    if not component:
        raise AnsibleFilterError("platform_tags needs a component name")
    tags = dict(extra or {})
    tags.update(
        {
            "Project": platform_name,
            "Environment": platform_env,
            "Component": component,
            "ManagedBy": MANAGED_BY,
        }
    )
    return tags


class FilterModule:
    """cloud_design.platform filters."""

    def filters(self):
        return {
            "platform_input_errors": platform_input_errors,
            "network_plan": network_plan,
            "platform_tags": platform_tags,
            "platform_names": resource_names,
            "boundary_arn": boundary_arn,
            "workload_names": workload_names,
            "workload_errors": workload_errors,
            "observability_plan": observability_plan,
            "platform_audit": platform_audit,
            "check_run_changes": check_run_changes,
            "finding_line": finding_line,
            "platform_dot": platform_dot,
            "platform_mermaid": platform_mermaid,
        }
