"""The README's commands are run by the tests as written: every shell block is named for the test that runs it, or
says why nothing here can (tests/support/readme.py)."""

import glob
import os
import re

from tests.support.readme import NOT_RUN, TEST, all_blocks, blocks

from .conftest import TOP


def test_every_shell_block_is_run_by_a_test_or_says_why_not():
    found = all_blocks()
    assert len(found) > 10
    unmarked = [body.splitlines()[0] for marker, body in found if not (TEST.match(marker) or NOT_RUN.match(marker))]
    assert not unmarked, "README shell blocks with neither <!-- test: NAME --> nor <!-- not run here: REASON -->: %s" % unmarked
    tests = ""
    for path in glob.glob(os.path.join(TOP, "tests", "**", "*.py"), recursive=True):
        if not path.endswith(os.path.join("tests", "unit", "test_readme.py")):
            with open(path, encoding="utf-8") as handle:
                tests += handle.read()
    ran = set(re.findall(r"""(?:run_block\(\w+, |script\()"([a-z0-9-]+)\"""", tests))
    assert sorted(set(blocks()) - ran) == [], "README blocks no test runs"
    assert sorted(ran - set(blocks())) == [], "tests run README blocks that are not there"


def test_the_blocks_run_as_written_hold_no_placeholder():
    """A block the tests run is the command a user types: no <...> to fill in."""
    for name, body in blocks().items():
        assert not re.search(r"<[a-z][^>]*>", body), (name, body)


def test_the_install_block_pins_the_ansible_the_project_is_tested_with():
    with open(os.path.join(TOP, "requirements.txt"), encoding="utf-8") as handle:
        locked = next(line.strip() for line in handle if line.startswith("ansible=="))
    assert locked in blocks()["user-install"].split()


def test_the_emulator_and_the_tests_are_described_for_contributors_not_users():
    with open(os.path.join(TOP, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert "(docs/contributing.md)" in readme
    for heading in ("## The embedded AWS endpoint", "## Tests", "### What the endpoint refuses"):
        assert heading not in readme
    with open(os.path.join(TOP, "docs", "contributing.md"), encoding="utf-8") as handle:
        contributing = handle.read()
    for heading in ("## The embedded AWS endpoint", "## Tests", "### What the endpoint refuses, as AWS does"):
        assert heading in contributing


def test_each_role_readme_has_an_example_play_that_parses(tmp_path):
    """Each public role's README shows the role alone in a play; the plays, one after another, pass
    ansible-playbook --syntax-check (each role alone by its tag runs end to end: tests/e2e/test_day2.py)."""
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel

    import yaml  # pylint: disable=import-outside-toplevel
    plays = []
    roles = sorted(r for r in os.listdir(os.path.join(TOP, "roles")) if r != "workload")
    assert len(roles) == 10
    for role in roles:
        with open(os.path.join(TOP, "roles", role, "README.md"), encoding="utf-8") as handle:
            example = re.search(r"^## Example playbook\n.*?^```yaml\n(.*?)^```$", handle.read(), re.M | re.S)
        assert example, role
        play = yaml.safe_load(example.group(1))
        assert [r["role"] for p in play for r in p["roles"]] == ["cloud_design.platform." + role]
        plays.extend(play)
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "--syntax-check", str(playbook),
                           "-i", "inventories/local"], cwd=TOP, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg")),
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_commands_in_the_prose_are_make_targets_only():
    """Outside the shell blocks the README names make targets only (each a target of the Makefile, which the suite's
    own make test and the tests of tests/unit/test_make_targets.py run); every other command is in a block."""
    with open(os.path.join(TOP, "README.md"), encoding="utf-8") as handle:
        prose = re.sub(r"```.*?```", "", handle.read(), flags=re.S)
    with open(os.path.join(TOP, "Makefile"), encoding="utf-8") as handle:
        targets = set(re.findall(r"^([a-z0-9-]+):", handle.read(), re.M))
    commands = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)
                if re.match(r"(make|ansible-playbook|ansible-galaxy|ansible-builder|python3?|aws|pip|curl|docker|jq)\s+\S", span)]
    assert commands, "the README names no make target at all"
    others = [c for c in commands if not re.fullmatch(r"make ([a-z0-9-]+)( [A-Z_]+=\S+)*", c)]
    assert others == [], "commands in the README's prose, outside a shell block"
    unknown = [c for c in commands if c.split()[1] not in targets]
    assert unknown == [], "make targets the Makefile does not have"
