"""The whole platform under faults (issue 9), checked against the fresh converge's counts written out by hand
(tests/support/reference.py).

Through tests/faults/proxy.py at 10 % of each fault kind (throttling in each protocol's format, 500, 503, dropped
connections), 5 % ambiguous writes, 3 % streaks (the same call failing three requests running) and 0.3 % outages (a
service failing every request for half a second, nearly a minute at the run's time scale), seed 7: site.yml
converges, a fault-free re-run reports changed=0, and every resource count read from the endpoint equals the
reference's (a retried create that was not recognised shows up as one more). The kills are in test_kills.py, on an
endpoint of their own, so that both run side by side.

The run through the proxy gives botocore 30 attempts and waits 1 % of each retry's backoff
(tests/faults/fast_backoff): with about half the requests failed and streaks of three, 10 attempts
would leave several calls of a converge failed, and real-time backoff would take hours. Neither changes what is sent.
"""

import os

from tests.faults.proxy import DEFAULT_RATES, FaultProxy, Faults
from tests.support.harness import TOP, Endpoint, Through, duplicate_counts, run_playbook
from tests.support.reference import REFERENCE_COUNTS, differing, more_than

SEED = 7
RATES = DEFAULT_RATES
BASE = {"platform_env": "flt"}
TIME_SCALE = 0.01
FAST_BACKOFF = {"PYTHONPATH": os.path.join(TOP, "tests", "faults", "fast_backoff"), "PLATFORM_FAULTS_TIME_SCALE": str(TIME_SCALE)}


CREATES = ("Create", "Allocate", "Register", "Run", "Import", "Request")


def carried_out_creates(events):
    """{service:operation} of the creates the proxy let through to the endpoint, which carried them out (2xx),
    and whose answers it then lost."""
    return {"%s:%s" % (e["service"], e["operation"]) for e in events
            if e["fault"] == "ambiguous" and 200 <= e.get("upstream_status", 0) < 300 and e["operation"].startswith(CREATES)
            and e["operation"] != "CreateTags"}


def test_the_platform_converges_through_faults_without_a_duplicate(tmp_path):
    want = REFERENCE_COUNTS
    # The run's waits last 1 % of their time: so does the endpoint's IAM propagation window (3 s, 30 ms), or the
    # deployer's retries of a create that waits for a new role (6 of 5 s, 0.3 s) would never outlast it.
    ep = Endpoint(str(tmp_path / "endpoint"), time_scale=TIME_SCALE)
    try:
        faults = Faults(RATES, SEED, str(tmp_path / "faults.jsonl"))
        with FaultProxy(ep.url, faults) as proxy:
            faulty = run_playbook(Through(proxy.port), "playbooks/site.yml",
                                  extra_vars=dict(BASE, platform_aws_max_attempts=30), env=FAST_BACKOFF)
        injected = faults.summary()
        print("faults injected at seed %d over %d requests: %s; ambiguous writes: %s" % (
            SEED, injected["requests"], injected["injected"], injected["by_operation"]["ambiguous"]))
        assert not faulty.failed, (faulty.failure_messages()[:3], injected["injected"])
        # The draw is what the test is about: every kind must have happened, writes lost included, and among the
        # lost writes creates the endpoint carried out (its answer 2xx, then lost) of several kinds: those are what
        # a blind retry would make twice.
        assert all(injected["injected"][kind] > 0 for kind in RATES), injected["injected"]
        print("outages (service, the request that started it): %s" % faults.outages)
        assert len({service for service, _operation in faults.outages}) >= 2, faults.outages
        lost_creates = carried_out_creates(faults.events)
        print("creates carried out, answers lost: %s" % sorted(lost_creates))
        assert len(lost_creates) >= 3, lost_creates
        assert more_than(duplicate_counts(ep), want) == {}
        again = run_playbook(ep, "playbooks/site.yml", extra_vars=BASE)
        assert not again.failed, again.failure_messages()[:3]
        assert again.changed == 0, again.changed_tasks()
        assert differing(duplicate_counts(ep), want) == {}
    finally:
        ep.stop()
