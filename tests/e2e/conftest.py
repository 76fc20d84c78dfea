"""An endpoint of its own for each end-to-end file, started and stopped here: the files run side by side and in any
order (tests/conftest.py), and one's platform never shows in another's counts."""

import pytest

from tests.support.harness import Endpoint


@pytest.fixture(scope="module")
def ep(tmp_path_factory):
    server = Endpoint(str(tmp_path_factory.mktemp("endpoint")))
    # Every run of the end-to-end tests is the least-privilege deployer of its environment
    # (docs/iam/platform-<n>.json, tests/support/harness.py), with IAM
    # enforced by the endpoint; the tests read state as an admin of their own.
    server.enforce_iam()
    yield server
    server.stop()
