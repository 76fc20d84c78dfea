#!/usr/bin/env python
"""make plan: what a converge would create, change and remove, per role, without changing anything.

Runs playbooks/site.yml in check mode with diff (any extra arguments, e.g. --tags network or
-e platform_env=prod, are passed on) and sums up each task that would change: + create,
~ change, - remove, with what the module says would differ. On a converged platform it says
so in one line. Exit code: that of the check run (0 unless it failed).

    python tools/plan.py [-i INVENTORY] [ansible-playbook arguments...]
"""

import json
import os
import subprocess
import sys
import time
from collections import OrderedDict

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYMBOLS = {"create": "+", "change": "~", "remove": "-"}


# The collection's own parser of a check run (verify.yml reads drift with it), from this checkout.
sys.path.insert(0, os.path.join(TOP, ".collections"))
from ansible_collections.cloud_design.platform.plugins.module_utils.audit import (  # noqa: E402  pylint: disable=wrong-import-position
    change_details as details,
    change_kind as kind_of,
    check_run_changes,
)

__all__ = ["details", "kind_of", "plan", "render"]


def plan(data):
    """{role: [(kind, task name, item label, details)]} from a json-callback run, and the task count."""
    roles = OrderedDict()
    for change in check_run_changes(data):
        item = change["item"]
        label = "" if item is None else " [%s]" % (item if isinstance(item, str) else json.dumps(item)[:60])
        roles.setdefault(change["role"], []).append((change["kind"], change["task"], label, change["detail"]))
    tasks = sum(len(task.get("hosts", {})) for play in data.get("plays", []) for task in play.get("tasks", []))
    return roles, tasks


def render(roles, tasks, seconds):
    lines = []
    if not roles:
        return ["No changes: the platform matches its inputs (%d tasks checked in check mode, %.0f s)." % (tasks, seconds)]
    totals = {"create": 0, "change": 0, "remove": 0}
    for role, entries in roles.items():
        counts = {k: sum(1 for e in entries if e[0] == k) for k in totals}
        for key, value in counts.items():
            totals[key] += value
        lines.append("%s: %s" % (role, ", ".join("%d to %s" % (v, k) for k, v in counts.items() if v)))
        for kind, name, label, detail in entries:
            lines.append("  %s %s%s%s" % (SYMBOLS[kind], name, label, (": " + detail) if detail else ""))
    lines.append("Plan: %d to create, %d to change, %d to remove (check mode with diff, nothing was changed; %.0f s)." % (
        totals["create"], totals["change"], totals["remove"], seconds))
    return lines


def main(argv):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "playbooks/site.yml", "--check", "--diff"] + argv
    # The json document alone: no other callback (ansible.cfg's profile_roles) prints after it.
    # run_reads prints nothing: the run shares its discovery's reads as with ansible.cfg.
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_CALLBACKS_ENABLED="ansible.posix.json,cloud_design.platform.run_reads", ANSIBLE_NOCOLOR="1")
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=TOP, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    try:
        data = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        return proc.returncode or 1
    if proc.returncode != 0:
        failures = [r.get("msg") for p in data.get("plays", []) for t in p.get("tasks", []) for h in t.get("hosts", {}).values()
                    for r in [h] + list(h.get("results") or []) if r.get("failed")]
        sys.stderr.write("The check run failed: %s\n" % "; ".join(str(f) for f in failures if f) or proc.stderr[-2000:])
        return proc.returncode
    roles, tasks = plan(data)
    print("\n".join(render(roles, tasks, seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
