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


def _empty(value):
    return value in (None, "", {}, []) or (isinstance(value, dict) and value.get("state") == "absent")


def kind_of(result):
    """create, change or remove, from the module's diff (before/after) where it gives one."""
    diffs = result.get("diff")
    diffs = diffs if isinstance(diffs, list) else [diffs] if diffs else []
    befores = [d.get("before") for d in diffs if isinstance(d, dict)]
    afters = [d.get("after") for d in diffs if isinstance(d, dict)]
    if befores and all(_empty(b) for b in befores) and not all(_empty(a) for a in afters):
        return "create"
    if afters and all(_empty(a) for a in afters) and not all(_empty(b) for b in befores):
        return "remove"
    if diffs:
        return "change"
    text = " ".join(str(c) for c in result.get("changes") or []).lower()
    if text.startswith(("create", "would create")):
        return "create"
    if text.startswith(("delete", "remove", "would delete", "would remove")):
        return "remove"
    return "change"


def details(result):
    """What the module says would differ, in a few words."""
    changes = result.get("changes")
    if changes:
        return "; ".join(str(c) for c in changes[:6]) + (" (+%d more)" % (len(changes) - 6) if len(changes) > 6 else "")
    return ""


def plan(data):
    """{role: [(kind, task name, item label, details)]} from a json-callback run, and the task count."""
    roles, tasks = OrderedDict(), 0
    for play in data.get("plays", []):
        for task in play.get("tasks", []):
            name = task["task"]["name"]
            role, _sep, short = name.rpartition(" : ")
            role = role.rsplit(".", 1)[-1] or "(playbook)"
            for host in task.get("hosts", {}).values():
                tasks += 1
                for result in host.get("results") or [host]:
                    if not result.get("changed"):
                        continue
                    item = result.get("_ansible_item_label") or result.get("item") if "results" in host else None
                    label = "" if item is None else " [%s]" % (item if isinstance(item, str) else json.dumps(item)[:60])
                    roles.setdefault(role, []).append((kind_of(result), short or name, label, details(result)))
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
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_NOCOLOR="1")
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
