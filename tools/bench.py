#!/usr/bin/env python
"""make bench: time the platform's converge on a private embedded endpoint.

Prints, for playbooks/site.yml: a fresh converge, a no-op re-run and a --check run on the
converged platform, each with its wall time and the number of module invocations (loop
items counted one by one; assert, debug, set_fact and includes left out). A benchmark, not
a test: it prints figures and never fails on them.
"""

import os
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from tests.support.harness import Endpoint, run_playbook  # noqa: E402  pylint: disable=wrong-import-position

NOT_MODULES = {
    "ansible.builtin.assert", "assert", "ansible.builtin.debug", "debug", "ansible.builtin.set_fact", "set_fact",
    "ansible.builtin.include_tasks", "include_tasks", "ansible.builtin.meta", "meta",
    "ansible.builtin.validate_argument_spec", "validate_argument_spec",
}


def module_invocations(run):
    count = 0
    for _name, host in run.host_results():
        if host.get("action") in NOT_MODULES:
            continue
        if "results" in host:
            count += sum(1 for r in host["results"] if not r.get("skipped"))
        elif not host.get("skipped"):
            count += 1
    return count


def measure(ep, label, *args):
    start = time.monotonic()
    run = run_playbook(ep, "playbooks/site.yml", *args, extra_vars={"platform_env": "bench"})
    elapsed = time.monotonic() - start
    if run.failed:
        print("%s failed: %r" % (label, run), file=sys.stderr)
    return {"label": label, "seconds": elapsed, "modules": module_invocations(run), "changed": run.changed}


def main():
    with tempfile.TemporaryDirectory() as state:
        ep = Endpoint(state)
        try:
            rows = [measure(ep, "fresh converge")]
            rows.append(measure(ep, "no-op re-run"))
            rows.append(measure(ep, "check mode (--check)", "--check"))
            for tag in ("security_hardening", "network", "ecs_cluster", "rabbitmq", "service_inventory", "service_billing",
                        "api_gateway"):
                rows.append(measure(ep, "--tags %s alone" % tag, "--tags", tag))
        finally:
            ep.stop()
    print()
    print("playbooks/site.yml on the embedded endpoint (%d cores)" % os.cpu_count())
    print("%-34s %10s %18s %9s" % ("run", "wall (s)", "module invocations", "changed"))
    for row in rows:
        print("%-34s %10.1f %18d %9s" % (row["label"], row["seconds"], row["modules"], row["changed"]))
    for row in rows:
        if row["modules"]:
            print("%-34s %.2f s per module invocation" % (row["label"], row["seconds"] / row["modules"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
