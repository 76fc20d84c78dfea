"""An endpoint of its own for the end-to-end run, started and stopped here."""

import pytest

from tests.support.harness import Endpoint


@pytest.fixture(scope="session")
def ep(tmp_path_factory):
    server = Endpoint(str(tmp_path_factory.mktemp("endpoint")))
    yield server
    server.stop()


def pytest_collection_modifyitems(items):
    """The converged-platform file first: it is the longest, so the other worker takes the rest
    (xdist --dist loadfile hands out files in collection order)."""
    items.sort(key=lambda item: 0 if item.nodeid.startswith("tests/e2e/test_site.py") else 1)
