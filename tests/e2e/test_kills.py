"""The whole platform killed mid-run (issue 9), checked against the fresh converge's counts written out by hand
(tests/support/reference.py).

site.yml is sent SIGKILL (its whole process group) right after its n-th write has reached the endpoint, three runs in
a row, each at a seeded point within the writes that remain (a run that ends before its point fails the test):
nothing is ever duplicated and a plain re-run converges to the reference's counts.
"""

import os
import random
import signal

from tests.faults.proxy import FaultProxy, Faults
from tests.support.harness import Endpoint, Through, duplicate_counts, finish_playbook, run_playbook, start_playbook
from tests.support.reference import FRESH_WRITES, REFERENCE_COUNTS, differing, more_than

SEED = 7
BASE = {"platform_env": "flt"}
KILLS = 3


def descendants(pid):
    """Every live process under ``pid`` (Linux /proc), whatever its process group or session."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, encoding="utf-8") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def kill_group(pid):
    """SIGKILL to the playbook's process group, as the issue asks, and to anything under it that
    left the group: Mitogen's helpers start sessions of their own and would linger, idle."""
    stray = descendants(pid)
    for target in [pid] + stray:
        try:
            (os.killpg if target == pid else os.kill)(target, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_run_killed_at_any_write_resumes_without_a_duplicate(tmp_path):
    want = REFERENCE_COUNTS
    draw = random.Random(SEED)
    ep = Endpoint(str(tmp_path / "endpoint"))
    points = []
    try:
        faults = Faults({}, SEED)
        with FaultProxy(ep.url, faults) as proxy:
            for _kill in range(KILLS):
                # Each point falls within the writes that remain: a run converges what the killed ones made and
                # writes about the rest of the fresh converge's writes; half of that bounds the point.
                left = FRESH_WRITES - faults.writes
                point = draw.randint(1, max(1, left // 2))
                points.append(point)
                started = {}
                faults.kill_at(point, lambda: kill_group(started["proc"].pid))
                started["proc"] = start_playbook(Through(proxy.port), "playbooks/site.yml", extra_vars=BASE)
                run = finish_playbook(started["proc"])
                assert faults.killed is not None, ("the run ended before its write %d: %d of %d written" % (point, faults.writes, FRESH_WRITES),
                                                   run.failure_messages()[:3])
                print("killed at write %d of the %d left: %s" % (point, left, faults.killed))
                assert run.rc == -signal.SIGKILL, (point, faults.killed, run.rc)
                assert more_than(duplicate_counts(ep), want) == {}, (point, faults.killed)
        resumed = run_playbook(ep, "playbooks/site.yml", extra_vars=BASE)
        assert not resumed.failed, (points, resumed.failure_messages()[:3])
        assert differing(duplicate_counts(ep), want) == {}, points
    finally:
        ep.stop()
