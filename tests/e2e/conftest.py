"""An endpoint of its own for the end-to-end run, started and stopped here."""

import pytest

from tests.support.harness import Endpoint


@pytest.fixture(scope="session")
def ep(tmp_path_factory):
    server = Endpoint(str(tmp_path_factory.mktemp("endpoint")))
    # Every run of the end-to-end tests is the least-privilege deployer of its environment
    # (docs/iam/platform-<n>.json, tests/support/harness.py), with IAM
    # enforced by the endpoint; the tests read state as an admin of their own.
    server.enforce_iam()
    yield server
    server.stop()


def pytest_collection_modifyitems(items):
    """The longest files first, the converged platform and the platform under faults, one per
    worker; the workers take the rest as each frees (xdist --dist loadfile hands out
    files in collection order)."""
    first = ("tests/e2e/test_site.py", "tests/e2e/test_faults.py")
    items.sort(key=lambda item: next((i for i, name in enumerate(first) if item.nodeid.startswith(name)), len(first)))
