"""An endpoint of its own for the end-to-end run, started and stopped here."""

import pytest

from tests.support.harness import Endpoint


@pytest.fixture(scope="session")
def ep(tmp_path_factory):
    server = Endpoint(str(tmp_path_factory.mktemp("endpoint")))
    yield server
    server.stop()
