# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a run has read of the platform, given out again to the tasks after it while no task has changed anything.

The controller counts, through the ``cloud_design.platform.run_reads`` callback, the task results that changed
something or failed (a task that failed may have changed something first). Ansible forks the worker of a task
after the linear strategy has handed the results of the task before it to the callbacks, so a worker sees the
count as of its start. ``platform_info``'s action plugin keeps each family it read under the run's own local
temporary directory (made by Ansible for the run, removed when it ends), with the count it was read at, and gives
it out again while the count is unchanged: a no-op run reads each family once, whichever role asks first.

Nothing is kept unless the callback is enabled and the play runs the linear strategy (or one built on it, as
Mitogen's): without the count a read could not know that something changed it since, and with another strategy
another host's change may not be counted yet when a task starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

# Set in the controller by the callback; each forked worker holds a copy as of its start.
STATE = {"directory": None, "writes": 0, "strategy_ok": False}

# Ansible's linear strategy and those built on it (Mitogen's, and the checkout's tools/strategy one).
LINEAR = ("linear", "mitogen_linear", "platform_linear")


def start(directory):
    """A playbook begins: keep its reads in ``directory`` (one the run owns). The count goes on from the playbook
    before it in the same run (``ansible-playbook destroy.yml site.yml``), so nothing read before it is given out."""
    STATE.update(directory=directory, strategy_ok=False)
    STATE["writes"] += 1


def play(strategy):
    """A play begins with ``strategy`` (a name or FQCN); reads are kept only under a linear one."""
    STATE["strategy_ok"] = str(strategy or "").rsplit(".", 1)[-1] in LINEAR


def wrote():
    """A task changed something or failed: what was read before may be out of date."""
    STATE["writes"] += 1


class Reads:
    """The families one discovery has read, by the name the reader gives each (``get``, ``put``), for one key (the
    host, the platform, the connection and its credentials). Empty whenever a task changed something since."""

    def __init__(self, key, state=None):
        self.state = STATE if state is None else state
        digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=repr).encode("utf-8")).hexdigest()
        self.path = os.path.join(self.state["directory"], digest[:40] + ".json")

    @classmethod
    def kept(cls, key, state=None):
        """The reads for ``key``, or None when this run keeps none (no callback, another strategy)."""
        state = STATE if state is None else state
        if not (state["directory"] and state["strategy_ok"]):
            return None
        return cls(key, state)

    def get(self):
        """What was read since the last change, by name."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                held = json.load(handle)
        except (OSError, ValueError):
            return {}
        return held["families"] if held.get("writes") == self.state["writes"] else {}

    def put(self, families):
        """Keep ``families`` as read at the current count (written whole, then renamed into place)."""
        os.makedirs(self.state["directory"], mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state["directory"], suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"writes": self.state["writes"], "families": families}, handle)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
