#!/usr/bin/env python
"""make faults: the whole platform converged through the fault-injection proxy, against a reference.

1. A reference: site.yml converged on an endpoint of its own without faults; its resource counts.
2. The same site.yml on a second endpoint, through tests/faults/proxy.py at the given rates and seed.
3. A fault-free re-run on that endpoint (it must converge what the faulty run left), then another
   (it must report changed=0).
4. The table: faults injected per kind, the runs' outcomes, and every resource count that differs
   from the reference (a duplicate made by a retried ambiguous create shows up there).

    python tools/faults.py [--seed 7] [--rate throttle=0.15 ...] [ansible-playbook arguments]

Prints the report; exit code 0 when the run through the proxy converged, the counts match the
reference and the last run changed nothing, 1 otherwise. tests/e2e/test_faults.py runs the same
at the default rates and seed in make test; this tool is for other rates, seeds and tags.
"""

import argparse
import json
import os
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from tests.faults.proxy import DEFAULT_RATES, FaultProxy, Faults  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.harness import Endpoint, Through, duplicate_counts, run_playbook  # noqa: E402  pylint: disable=wrong-import-position


def outcome(run):
    failures = run.failure_messages()
    return "failed: %s" % failures[0][:300] if run.failed else "ok, changed=%s" % run.changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", action="append", default=[],
                        help="KIND=RATE (default: 10 %% of each fault kind, 5 %% ambiguous writes, 3 %% streaks, 0.3 %% outages)")
    parser.add_argument("--env", default="flt")
    parser.add_argument("--log", help="keep the proxy's JSON-lines log of every fault at this path")
    parser.add_argument("--attempts", type=int, default=30,
                        help="botocore attempts per call in the run through the proxy (default 30: with about half the requests "
                             "failed and streaks of three, 10 attempts would leave several calls of a converge failed)")
    parser.add_argument("--time-scale", type=float, default=0.01,
                        help="fraction of each retry's wait actually waited in the run through the proxy (1 = real time)")
    parser.add_argument("--keep", help="keep each run's JSON output (reference, faulty, resume, again) in this directory")
    args, playbook_args = parser.parse_known_args(argv)
    rates = dict(DEFAULT_RATES)
    rates.update((k, float(v)) for k, v in (r.split("=", 1) for r in args.rate))
    base = {"platform_env": args.env}
    with tempfile.TemporaryDirectory() as tmp:
        # The faulty run's waits are scaled, and the target's IAM propagation window with them.
        reference, target = Endpoint(os.path.join(tmp, "ref")), Endpoint(os.path.join(tmp, "flt"), time_scale=args.time_scale)
        try:
            start = time.monotonic()
            ref = run_playbook(reference, "playbooks/site.yml", *playbook_args, extra_vars=base)
            ref_seconds = time.monotonic() - start
            if ref.failed:
                print("the reference converge failed: %s" % outcome(ref))
                return 1
            want = duplicate_counts(reference)
            log = os.path.abspath(args.log) if args.log else os.path.join(tmp, "faults.jsonl")
            faults = Faults(rates, args.seed, log)
            with FaultProxy(target.url, faults) as proxy:
                start = time.monotonic()
                faulty = run_playbook(Through(proxy.port), "playbooks/site.yml", *playbook_args,
                                      extra_vars=dict(base, platform_aws_max_attempts=args.attempts),
                                      env={"PYTHONPATH": os.path.join(TOP, "tests", "faults", "fast_backoff"),
                                           "PLATFORM_FAULTS_TIME_SCALE": str(args.time_scale)})
                faulty_seconds = time.monotonic() - start
            after_faults = duplicate_counts(target)
            resume = run_playbook(target, "playbooks/site.yml", *playbook_args, extra_vars=base)
            again = run_playbook(target, "playbooks/site.yml", *playbook_args, extra_vars=base)
            have = duplicate_counts(target)
        finally:
            reference.stop()
            target.stop()
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for label, run in (("reference", ref), ("faulty", faulty), ("resume", resume), ("again", again)):
            with open(os.path.join(args.keep, label + ".json"), "w", encoding="utf-8") as handle:
                handle.write(run.stdout)
    summary = faults.summary()
    lines = ["Faults at seed %d: %s" % (args.seed, ", ".join("%s %.0f %%" % (k, 100 * v) for k, v in rates.items())),
             "requests through the proxy: %d; injected: %s" % (summary["requests"], json.dumps(summary["injected"])),
             "ambiguous writes: %s" % (", ".join("%s x%d" % kv for kv in sorted(summary["by_operation"]["ambiguous"].items())) or "none"),
             "reference converge: %.0f s; through the proxy: %.0f s, %s" % (ref_seconds, faulty_seconds, outcome(faulty)),
             "fault-free re-run: %s; another: %s" % (outcome(resume), outcome(again)),
             "tasks repeated after a failed attempt (until): %s" % (", ".join(
                 "%s x%d" % (name, host["attempts"] - 1) for name, host in faulty.host_results() if host.get("attempts", 1) > 1) or "none")]
    dupes_after_faults = {k: (after_faults.get(k), v) for k, v in want.items() if after_faults.get(k, 0) > v}
    differ = {k: (have.get(k), v) for k, v in want.items() if have.get(k) != v}
    lines.append("more than the reference right after the faulty run (have, want): %s" % (dupes_after_faults or "none"))
    lines.append("counts that differ from the reference at the end (have, want): %s" % (differ or "none"))
    print("\n".join(lines))
    return 0 if not faulty.failed and not differ and not again.failed and again.changed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
