# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS constraints on a workload's inputs, checked before any call.

The embedded endpoint accepts sizes, ports and bounds that AWS refuses; these checks reject
them up front with the variable's name and a fix. Used by the roles' preflight (through the
``workload_errors`` filter) and by the ``ecs_workload`` module itself.
"""

from __future__ import annotations

# Fargate task sizes: cpu units -> allowed memory (MiB).
FARGATE_SIZES = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}

LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653]


def _int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def fargate_size_errors(cpu, memory, prefix):
    cpu_i, mem_i = _int(cpu), _int(memory)
    if cpu_i not in FARGATE_SIZES:
        return ["%scpu %s is not a Fargate size; use one of %s (1024 = 1 vCPU)"
                % (prefix, cpu, ", ".join(str(c) for c in sorted(FARGATE_SIZES)))]
    if mem_i not in FARGATE_SIZES[cpu_i]:
        allowed = FARGATE_SIZES[cpu_i]
        return ["%smemory %s does not go with cpu %d on Fargate; use %d to %d MiB%s"
                % (prefix, memory, cpu_i, allowed[0], allowed[-1],
                   "" if len(allowed) < 2 else " in steps of %d" % (allowed[1] - allowed[0]))]
    return []


def port_errors(value, what):
    port = _int(value)
    if port is None or not 1 <= port <= 65535:
        return ["%s %s is not a TCP port; use 1 to 65535" % (what, value)]
    return []


def workload_errors(spec, prefix):
    """What AWS would refuse in a workload spec; ``prefix + key`` is the variable messages name
    (a role passes ``service_billing_`` so messages say ``service_billing_memory``).

    ``spec`` keys: image, cpu, memory, port, desired_count, min_count, max_count, cpu_target,
    memory_target, log_retention_days (any may be missing: only what is given is checked).
    """
    errors = []
    if not isinstance(spec, dict):
        return ["%s... settings must be a dictionary" % prefix]
    if "image" in spec and (not isinstance(spec["image"], str) or not spec["image"].strip()):
        errors.append("%simage is empty; give an image reference such as 'nprimo/billing-app:0.0.2' "
                      "or your ECR repository URI with a tag" % prefix)
    elif isinstance(spec.get("image"), str) and (" " in spec["image"] or spec["image"] != spec["image"].strip()):
        errors.append("%simage '%s' contains spaces; give a plain image reference" % (prefix, spec["image"]))
    if "cpu" in spec or "memory" in spec:
        errors.extend(fargate_size_errors(spec.get("cpu"), spec.get("memory"), prefix))
    if "port" in spec:
        errors.extend(port_errors(spec["port"], "%sport" % prefix))
    counts = {k: _int(spec[k]) for k in ("desired_count", "min_count", "max_count") if k in spec}
    for key, value in counts.items():
        if value is None or value < 0:
            errors.append("%s%s %s must be a whole number of tasks, 0 or more" % (prefix, key, spec[key]))
    lo, hi = counts.get("min_count"), counts.get("max_count")
    if lo is not None and hi is not None and lo >= 0 and hi >= 0:
        if lo > hi:
            errors.append("%smin_count %d is above %smax_count %d; autoscaling needs min <= max" % (prefix, lo, prefix, hi))
        desired = counts.get("desired_count")
        if desired is not None and desired >= 0 and not lo <= desired <= hi:
            errors.append("%sdesired_count %d is outside min_count %d .. max_count %d; autoscaling would move it at once"
                          % (prefix, desired, lo, hi))
        if hi == 0:
            errors.append("%smax_count is 0: the service could never run; give 1 or more" % prefix)
    for key in ("cpu_target", "memory_target"):
        if key in spec:
            value = _int(spec[key])
            if value is None or not 10 <= value <= 95:
                errors.append("%s%s %s must be a utilisation percentage from 10 to 95 (target tracking keeps the "
                              "average there)" % (prefix, key, spec[key]))
    if "log_retention_days" in spec and _int(spec["log_retention_days"]) not in LOG_RETENTION_DAYS:
        errors.append("%slog_retention_days %s is not a CloudWatch Logs retention; use one of %s"
                      % (prefix, spec["log_retention_days"], ", ".join(str(d) for d in LOG_RETENTION_DAYS)))
    return errors
