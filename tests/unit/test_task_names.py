"""No task's name templates its loop variable: ansible-core templates a task's name before the loop runs, and printed
"Encountered 1 template error: 'item' is undefined" on every run of such a task (the item goes in loop_control.label)."""

import glob
import os
import re

from .conftest import TOP


def test_no_task_name_templates_its_loop_variable():
    found = []
    for path in glob.glob(os.path.join(TOP, "roles", "*", "tasks", "*.yml")) + glob.glob(os.path.join(TOP, "playbooks", "**", "*.yml"),
                                                                                         recursive=True):
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if re.match(r"^\s*- name: .*\{\{\s*item\b", line):
                    found.append("%s:%d" % (os.path.relpath(path, TOP), number))
    assert found == []
