#!/usr/bin/env python
"""make bench: how fast the whole platform converges on a private embedded endpoint.

For playbooks/site.yml, in one run: a fresh converge (median of 3, playbooks/destroy.yml run before
the second and the third, untimed), a no-op re-run and a --check run on the converged platform
(median of 3), and --tags <role> for every role alone (the workload role service_inventory:
median of 3). The first fresh converge is also the endpoint's first work: moto loads each
service's backend on its first request, which a real region does not; the median takes the
middle sample. For each: wall time, module invocations (loop items counted
one by one; assert, debug, set_fact, includes and argument validation left out), changed tasks,
AWS API calls counted at the endpoint (its request log), and of the run's reads (recorded by
tools/api_calls) how many are distinct and how many repeat a read the run has already made.

Latency: a real region answers a call in 30 to 150 ms, the endpoint in a few. The fresh, no-op
and check runs are made again through the fault proxy (tests/faults/proxy.py) with every AWS
request held that many milliseconds, on an environment of their own (lat<ms>) on the same
endpoint (the fresh converge once): BENCH_LATENCY_MS lists the latencies, 0 (no proxy) and 50 unless told.

The floor: the AWS calls of one no-op re-run are recorded by a botocore hook
(tools/api_calls/sitecustomize.py, parameters of read calls only); one Python process then
makes, with boto3, each distinct read call once. That is the least a no-op must do to
confirm the same state; each run is printed with its ratio to it.

A benchmark, not a test: it prints figures and targets and never fails on a figure.
    BENCH_REPEAT=1 make bench              one sample per run instead of three
    BENCH_LATENCY_MS=0 make bench          without the runs at an added latency
"""

import json
import os
import re
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from tests.faults.proxy import FaultProxy, Faults  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.harness import REGION, Endpoint, Through, run_playbook  # noqa: E402  pylint: disable=wrong-import-position

import boto3  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
from botocore.config import Config  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order

NOT_MODULES = {
    "ansible.builtin.assert", "assert", "ansible.builtin.debug", "debug", "ansible.builtin.set_fact", "set_fact",
    "ansible.builtin.include_tasks", "include_tasks", "ansible.builtin.include_role", "include_role", "ansible.builtin.meta", "meta",
    "ansible.builtin.validate_argument_spec", "validate_argument_spec",
}
ROLES = ("security_hardening", "network", "ecs_cluster", "load_balancers", "rabbitmq", "service_inventory",
         "service_billing", "api_gateway", "observability")
WORKLOAD_ROLE = "service_inventory"
REPEAT = max(1, int(os.environ.get("BENCH_REPEAT", "3")))
LATENCIES_MS = sorted({int(ms) for ms in os.environ.get("BENCH_LATENCY_MS", "0,50").split(",") if ms.strip()} | {0})
# The targets of the whole-platform runs at 0 ms and at 50 ms of added latency; each role alone at 0 ms.
TARGETS = {("fresh converge", 0): 40, ("no-op re-run", 0): 25, ("check mode (--check)", 0): 25,
           ("no-op re-run", 50): 30, ("check mode (--check)", 50): 30}
ROLE_TARGET = 6
REQUEST_LINE = re.compile(r'"(GET|POST|PUT|DELETE|HEAD|PATCH) \S+ HTTP/')


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


def endpoint_requests(ep):
    """Requests the endpoint has answered so far (its log has one line per request)."""
    try:
        with open(os.path.join(ep.state_dir, "moto-%d.log" % ep.port), encoding="utf-8", errors="replace") as log:
            return sum(1 for line in log if REQUEST_LINE.search(line))
    except OSError:
        return 0


def reads(record):
    """(reads, distinct reads) of the calls recorded in a run's call log: a read repeats when the run has made the
    same call (service, region, operation, parameters) before."""
    seen, count = set(), 0
    try:
        with open(record, encoding="utf-8") as handle:
            for line in handle:
                call = json.loads(line)
                if call["params"] is None:
                    continue
                count += 1
                seen.add((call["service"], call["region"], call["operation"], json.dumps(call["params"], sort_keys=True)))
    except OSError:
        pass
    return count, len(seen)


def measure(ep, label, *args, repeat=1, record=None, target=None, env_name="bench", latency=0, extra=None, between=None):
    """Run site.yml ``repeat`` times against ``target`` (the endpoint, or a proxy in front of it); ``ep`` counts the
    requests. Every sample's calls are recorded; the first's in ``record`` where given (the floor's input). ``between``:
    a playbook run, untimed, before every sample but the first (destroy.yml, so that each fresh converge is fresh)."""
    samples = []
    for attempt in range(repeat):
        if attempt and between:
            undone = run_playbook(target or ep, between, extra_vars=dict({"platform_env": env_name}, **(extra or {})))
            if undone.failed:
                print("%s failed before %s: %r" % (between, label, undone), file=sys.stderr)
        log = record if record and attempt == 0 else os.path.join(ep.state_dir, "calls-%s-%d.jsonl" % (re.sub(r"\W+", "-", label), attempt))
        if os.path.exists(log):
            os.unlink(log)
        env = {"PYTHONPATH": os.path.join(TOP, "tools", "api_calls"), "PLATFORM_API_CALL_LOG": log}
        before = endpoint_requests(ep)
        start = time.monotonic()
        run = run_playbook(target or ep, "playbooks/site.yml", *args, extra_vars=dict({"platform_env": env_name}, **(extra or {})), env=env)
        elapsed = time.monotonic() - start
        if run.failed:
            print("%s failed: %r" % (label, run), file=sys.stderr)
        total, distinct = reads(log)
        samples.append({"seconds": elapsed, "modules": module_invocations(run), "changed": run.changed, "failed": bool(run.failed),
                        "api_calls": endpoint_requests(ep) - before, "reads": total, "distinct_reads": distinct})
        print("  %-34s %4d ms %6.1f s  %4d modules  %5d API calls  %5d reads (%d distinct)  changed=%s" % (
            label, latency, elapsed, samples[-1]["modules"], samples[-1]["api_calls"], total, distinct, run.changed), flush=True)
    row = dict(sorted(samples, key=lambda s: s["seconds"])[len(samples) // 2])  # the median sample
    row.update({"label": label, "samples": len(samples), "latency": latency, "failed": any(s["failed"] for s in samples)})
    return row


def floor(ep, record):
    """Seconds for one process to make, with boto3, each distinct read call of the recorded no-op run."""
    calls, seen, recorded = [], set(), 0
    with open(record, encoding="utf-8") as handle:
        for line in handle:
            call = json.loads(line)
            recorded += 1
            if call["params"] is None:
                continue  # a write in a no-op run: not part of confirming the state
            key = (call["service"], call["region"], call["operation"], json.dumps(call["params"], sort_keys=True))
            if key not in seen:
                seen.add(key)
                calls.append(call)
    start = time.monotonic()
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    clients = {}
    for call in calls:
        key = (call["service"], call["region"] or REGION)
        if key not in clients:
            clients[key] = session.client(call["service"], region_name=key[1], endpoint_url=ep.url,
                                          config=Config(inject_host_prefix=False))
        try:
            clients[key]._make_api_call(call["operation"], call["params"])  # pylint: disable=protected-access
        except Exception:  # noqa: BLE001 pylint: disable=broad-except
            pass  # an answer that is an error (a missing optional setting) still confirms the state
    return {"seconds": time.monotonic() - start, "distinct_reads": len(calls), "recorded": recorded}


def main():
    rows = []
    with tempfile.TemporaryDirectory() as state:
        ep = Endpoint(state)
        record = os.path.join(state, "no-op-calls.jsonl")
        try:
            print("playbooks/site.yml on a private embedded endpoint; samples as they come:", flush=True)
            rows.append(measure(ep, "fresh converge", repeat=REPEAT, between="playbooks/destroy.yml"))
            rows.append(measure(ep, "no-op re-run", repeat=REPEAT, record=record))
            rows.append(measure(ep, "check mode (--check)", "--check", repeat=REPEAT))
            for tag in ROLES:
                rows.append(measure(ep, "--tags %s alone" % tag, "--tags", tag, repeat=REPEAT if tag == WORKLOAD_ROLE else 1))
            base = floor(ep, record)
            for ms in LATENCIES_MS[1:]:
                with FaultProxy(ep.url, Faults(latency=ms / 1000.0)) as proxy:
                    # an environment of its own, with a domain of its own (the edge refuses another environment's)
                    through = dict(target=Through(proxy.port), env_name="lat%d" % ms, latency=ms,
                                   extra={"platform_domain_name": "lat%d.example.test" % ms})
                    rows.append(measure(ep, "fresh converge", **through))
                    rows.append(measure(ep, "no-op re-run", repeat=REPEAT, **through))
                    rows.append(measure(ep, "check mode (--check)", "--check", repeat=REPEAT, **through))
        finally:
            ep.stop()
    strategy = os.environ.get("ANSIBLE_STRATEGY", "platform_linear")  # the harness's default, as make's
    print()
    print("playbooks/site.yml on the embedded endpoint (%d cores, strategy %s; wall = median of the samples)" % (
        os.cpu_count(), strategy))
    print("%-34s %7s %8s %7s %8s %9s %7s %8s %9s %12s %14s" % (
        "run", "latency", "wall (s)", "samples", "modules", "API calls", "reads", "distinct", "changed", "run / floor", "target"))
    for row in rows:
        role = row["label"].startswith("--tags")
        target = ROLE_TARGET if role else TARGETS.get((row["label"], row["latency"]))
        verdict = "" if target is None else ("< %d s %s" % (target, "met" if row["seconds"] < target else "MISSED"))
        if row["failed"]:
            verdict = "RUN FAILED"
        # the floor is the whole platform's at 0 ms: a ratio for the whole-platform runs at 0 ms only
        ratio = "%.1fx" % (row["seconds"] / base["seconds"]) if not role and not row["latency"] else "-"
        cells = (row["label"], "%d ms" % row["latency"], row["seconds"], row["samples"], row["modules"], row["api_calls"],
                 row["reads"], row["distinct_reads"], row["changed"], ratio, verdict)
        print("%-34s %7s %8.1f %7d %8d %9d %7d %8d %9s %12s %14s" % cells)
    print()
    print("floor: %.2f s for one Python process to make the %d distinct read calls (of %d recorded) of a no-op re-run" % (
        base["seconds"], base["distinct_reads"], base["recorded"]))
    for row in rows:
        if row["label"] == "no-op re-run":
            extra = row["api_calls"] - row["distinct_reads"]
            print("%-34s at %d ms: %d API calls for %d distinct reads (%d repeated reads); target: no more calls than "
                  "distinct reads %s" % (row["label"], row["latency"], row["api_calls"], row["distinct_reads"],
                                         row["reads"] - row["distinct_reads"],
                                         "RUN FAILED" if row["failed"] else "met" if extra <= 0 else "MISSED"))
    for row in rows:
        if row["modules"]:
            print("%-34s at %d ms: %.2f s per module invocation" % (row["label"], row["latency"], row["seconds"] / row["modules"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
