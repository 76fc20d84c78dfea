"""Shared fixtures: run a module's main() in-process against moto, capture its result."""

import json
import os
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(TOP, ".collections")
if os.path.isdir(COLLECTIONS) and COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

# In-process moto answers as the embedded endpoint does: the endpoint's corrections (calls moto lacks
# or gets wrong, each restoring what AWS documents) are loaded here too.
sys.path.insert(0, os.path.join(TOP, "tools"))

# pylint: disable=wrong-import-position
import endpoint_server  # noqa: E402,F401  pylint: disable=import-error,unused-import
import boto3  # noqa: E402
from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402
from moto import mock_aws  # noqa: E402

REGION = "eu-west-1"


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class ModuleFail(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch):
    """Fake credentials and region; no real endpoint can be reached from a unit test."""
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def aws():
    """moto in-process; yields a factory of boto3 clients."""
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, check=False, diff=False) -> result dict; raises ModuleFail."""

    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs)

    def fail_json(self, **kwargs):
        raise ModuleFail(kwargs)

    warned = []
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kwargs: warned.append(warning))

    def run(module, args, check=False, diff=False):
        full = dict(args)
        full.setdefault("region", REGION)
        full["_ansible_check_mode"] = check
        full["_ansible_diff"] = diff
        warned.clear()
        with patch_module_args(full):
            try:
                module.main()
            except ModuleExit as exc:
                # What AnsibleModule.exit_json would add: the run's warnings (module.warn).
                return dict(exc.result, warnings=list(exc.result.get("warnings", [])) + warned)
        raise AssertionError("module returned without exit_json")

    return run


def dumps(value):
    return json.dumps(value, sort_keys=True, default=str)


class Paging:
    """What pages_of_one does: ``size`` (None: the service's own page size) and {operation: pages read}."""

    def __init__(self):
        self.size = 1
        self.pages = {}


@pytest.fixture
def pages_of_one(monkeypatch):
    """Every boto3 paginator that can be told a page size asks for pages of one item (``paging.size``), as a listing of
    many resources comes in many pages; counts the pages each operation read, so that a test can show it was paged."""
    import botocore.paginate  # pylint: disable=import-outside-toplevel

    paging = Paging()
    paginate, iterate = botocore.paginate.Paginator.paginate, botocore.paginate.PageIterator.__iter__

    def one_by_one(self, **kwargs):
        if paging.size and self._limit_key:  # pylint: disable=protected-access
            kwargs["PaginationConfig"] = dict(kwargs.get("PaginationConfig") or {}, PageSize=paging.size)
        return paginate(self, **kwargs)

    def counted(self):
        for page in iterate(self):
            name = self._method.__name__  # pylint: disable=protected-access
            paging.pages[name] = paging.pages.get(name, 0) + 1
            yield page

    monkeypatch.setattr(botocore.paginate.Paginator, "paginate", one_by_one)
    monkeypatch.setattr(botocore.paginate.PageIterator, "__iter__", counted)
    yield paging


@pytest.fixture
def lose_answers(monkeypatch):
    """{call name: times}: clients without retries (create_once's) carry out those calls, then
    lose the answer (a read timeout), as a reset after the write does on real AWS."""
    import botocore.exceptions  # pylint: disable=import-outside-toplevel
    from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu  # pylint: disable=import-outside-toplevel

    lost = {}
    real_client = pu.PlatformModule.client

    class Losing:
        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            call = getattr(self.conn, name)
            if lost.get(name, 0) <= 0:
                return call

            def carried_out_then_lost(**kwargs):
                lost[name] -= 1
                call(**kwargs)
                raise botocore.exceptions.ReadTimeoutError(endpoint_url="https://aws.example")
            return carried_out_then_lost

    def client(self, service, retry_decorator=None, retries=True, **extra):
        conn = real_client(self, service, retry_decorator=retry_decorator, retries=retries, **extra)
        return conn if retries else Losing(conn)

    monkeypatch.setattr(pu.PlatformModule, "client", client)
    monkeypatch.setattr(pu.time, "sleep", lambda s: None)
    return lost
