"""The README's commands, as the tests run them. Every ```sh block of README.md follows a marker line: either
<!-- test: NAME -->, and a test runs the block by that name as written (harness.run_block), or
<!-- not run here: REASON --> for a block that needs what this machine has not (a real account, a container engine)."""

import os
import re

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(TOP, "README.md")
BLOCK = re.compile(r"^(?P<marker>[^\n]*)\n```sh\n(?P<body>.*?)^```$", re.M | re.S)
TEST = re.compile(r"^<!-- test: (?P<name>[a-z0-9-]+) -->$")
NOT_RUN = re.compile(r"^<!-- not run here: (?P<reason>\S.*\S) -->$")


def all_blocks(path=README):
    """[(marker line, body)] of every ```sh block, in order."""
    with open(path, encoding="utf-8") as handle:
        return [(m.group("marker"), m.group("body")) for m in BLOCK.finditer(handle.read())]


def blocks(path=README):
    """{name: body} of the blocks the tests run."""
    found = {}
    for marker, body in all_blocks(path):
        match = TEST.match(marker)
        if match:
            assert match.group("name") not in found, "two README blocks are named %s" % match.group("name")
            found[match.group("name")] = body
    return found


def script(name, path=README):
    """The block as a bash script that stops at the first failing command and echoes each one."""
    return "set -euo pipefail\nset -x\n" + blocks(path)[name]
