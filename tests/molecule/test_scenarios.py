"""Run every role's molecule scenario (prepare, converge, idempotence, verify, destroy)
against a private embedded endpoint, then confirm through the API that nothing is left."""

import os
import re
import subprocess
import sys

import pytest

from tests.support.harness import TOP, Endpoint, inventory_counts

SCENARIOS = sorted(d for d in os.listdir(os.path.join(TOP, "molecule")) if os.path.isfile(os.path.join(TOP, "molecule", d, "molecule.yml")))


@pytest.fixture(scope="module")
def ep(tmp_path_factory):
    server = Endpoint(str(tmp_path_factory.mktemp("endpoint")))
    yield server
    server.stop()


# The internal role "workload" is the pattern the four workload roles share, and "platform" (the platform-wide inputs
# and the connection, no AWS call) is every role's dependency: the other roles' scenarios run them.
INTERNAL = {"workload", "platform"}


def test_every_role_has_a_scenario():
    roles = sorted(set(os.listdir(os.path.join(TOP, "roles"))) - INTERNAL)
    assert roles and set(roles) <= set(SCENARIOS), "roles without a molecule scenario: %s" % sorted(set(roles) - set(SCENARIOS))


def idempotence_run(output):
    """The recap of the converge molecule's idempotence step ran (between its start and the verify step's), or None."""
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)  # molecule colours its log even into a pipe
    start = re.search(r"idempotence\W+Executing", output)
    if start is None:
        return None
    end = re.search(r"verify\W+Executing", output[start.end():])
    step = output[start.end():start.end() + end.start()] if end else output[start.end():]
    recap = step.rfind("PLAY RECAP")
    return step[recap:] if recap >= 0 else None


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(ep, scenario):
    env = dict(os.environ)
    env["ENDPOINT_PORT"] = str(ep.port)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_CONFIG"] = os.path.join(TOP, "ansible.cfg")
    env.setdefault("ANSIBLE_STRATEGY", "platform_linear")  # Mitogen's, as make runs the playbooks
    molecule = os.path.join(os.path.dirname(sys.executable), "molecule")
    # molecule keeps a scenario's state (created, prepared) outside the checkout, by the project's directory name: a run
    # cut short or failed in its destroy would make the next one skip prepare on a fresh endpoint. Each run starts clean.
    subprocess.run([molecule, "reset", "-s", scenario], cwd=TOP, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                   timeout=120, check=False)
    proc = subprocess.run(
        [molecule, "test", "-s", scenario],
        cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900, check=False,
    )
    output = proc.stdout  # molecule's log and ansible's output interleaved as written, so each step can be found
    failures = [output[max(0, i - 1500):i + 2500] for i in (m.start() for m in re.finditer(r"fatal: |FAILED! =>|ERROR! ", output))]
    assert proc.returncode == 0, "\n...\n".join(failures[:3]) or output[-6000:]
    second = idempotence_run(output)
    assert second is not None, "molecule did not run the idempotence step:\n" + output[-3000:]
    assert re.search(r"ok=[1-9]", second) and not re.search(r"changed=[1-9]", second), second[-3000:]
    assert all(count == 0 for count in inventory_counts(ep).values()), inventory_counts(ep)
