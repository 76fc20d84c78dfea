"""make help lists every documented target of the Makefile (a target with a "## " description)."""

import os
import re
import subprocess

from .conftest import TOP


def test_make_help_lists_every_documented_target():
    with open(os.path.join(TOP, "Makefile"), encoding="utf-8") as handle:
        documented = re.findall(r"^([A-Za-z0-9_.-]+):[^\n]*## ", handle.read(), re.M)
    shown = subprocess.run(["make", "-s", "help"], cwd=TOP, capture_output=True, text=True, check=True).stdout
    listed = re.findall(r"^\s+make (\S+)", shown, re.M)
    assert "e2e" in documented
    assert listed == documented
