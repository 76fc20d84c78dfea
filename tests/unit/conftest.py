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
    def client(service):
        made = boto3.client(service, region_name=REGION)
        made.test_reader = True  # the test's own reads: split_pages leaves them whole
        return made

    with mock_aws():
        yield client


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
    """What split_pages does: ``size`` (1, or None for the emulator's own pages) and {operation: pages read}."""

    def __init__(self):
        self.size = 1
        self.pages = {}


@pytest.fixture
def split_pages(monkeypatch):
    """Every listing a module makes answered one item per page, whatever the emulator pages: each operation botocore
    knows as paginated (its ``paginators-1`` model) is read whole from moto once, then handed out an item at a time
    behind tokens of its own, to paginators and to hand-written token loops alike. A module that stops after the first
    page misses what the later pages hold. EC2 describe calls without MaxResults answer whole, as on AWS; the test's own
    clients (``aws``) read whole. ``paging.pages`` counts the pages each operation was asked for; ``paging.size`` None
    answers every listing as the emulator does."""
    import copy  # pylint: disable=import-outside-toplevel
    import botocore.client  # pylint: disable=import-outside-toplevel
    import botocore.session  # pylint: disable=import-outside-toplevel

    loader = botocore.session.get_session().get_component("data_loader")
    real = botocore.client.BaseClient._make_api_call  # pylint: disable=protected-access
    paging, models, held = Paging(), {}, {}

    def config(client, operation):
        service = client.meta.service_model.service_name
        if service not in models:
            try:
                models[service] = loader.load_service_model(service, "paginators-1")["pagination"]
            except Exception:  # pylint: disable=broad-except
                models[service] = {}
        conf = models[service].get(operation)
        keys = conf and conf["result_key"]
        keys = [keys] if isinstance(keys, str) else keys
        if not conf or isinstance(conf["input_token"], list) or any(not k.isidentifier() for k in keys):
            return None
        return conf, keys

    def whole(client, operation, params, conf, keys):
        params = {k: v for k, v in params.items() if k != conf["input_token"]}
        first, items = None, []
        while True:
            answer = real(client, operation, params)
            first = first or answer
            items += [(key, item) for key in keys for item in answer.get(key) or []]
            token = answer.get(conf["output_token"])
            if not token or (conf.get("more_results") and not answer.get(conf["more_results"])):
                return first, items
            params[conf["input_token"]] = token

    def make_api_call(self, operation, params):
        found = None if getattr(self, "test_reader", False) or not paging.size else config(self, operation)
        if found is None:
            return real(self, operation, params)
        conf, keys = found
        token = params.get(conf["input_token"])
        if self.meta.service_model.service_name == "ec2" and not token and not params.get(conf.get("limit_key")):
            # EC2's describe calls without MaxResults answer every item in one page (Amazon EC2 API Reference,
            # "Pagination"); every other service pages with a size of its own.
            return real(self, operation, params)
        if isinstance(token, str) and token.startswith("split-"):
            ident, index = token.rsplit("-", 1)[0], int(token.rsplit("-", 1)[1])
            first, items = held[ident]
        else:
            first, items = whole(self, operation, params, conf, keys)
            ident, index = "split-%d" % len(held), 0
            held[ident] = (first, items)
        paging.pages[operation] = paging.pages.get(operation, 0) + 1
        page = copy.deepcopy(first)
        for key in keys:
            page[key] = [item for k, item in items[index:index + 1] if k == key]
        page.pop(conf["output_token"], None)
        if conf.get("more_results"):
            page[conf["more_results"]] = index + 1 < len(items)
        if index + 1 < len(items):
            page[conf["output_token"]] = "%s-%d" % (ident, index + 1)
        return page

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", make_api_call)
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

    def client(self, service, retries=True, **extra):
        conn = real_client(self, service, retries=retries, **extra)
        return conn if retries else Losing(conn)

    monkeypatch.setattr(pu.PlatformModule, "client", client)
    monkeypatch.setattr(pu.time, "sleep", lambda s: None)
    return lost


@pytest.fixture
def transient_answers(monkeypatch):
    """{operation: [(code, status, carried_out), ...]}: the next requests of the operation get that error answer, as
    AWS answers (below botocore's retries, which see it as they would see AWS's), the endpoint having carried the
    request out first when ``carried_out``. botocore's backoff does not wait."""
    import botocore.endpoint  # pylint: disable=import-outside-toplevel
    from botocore.awsrequest import AWSResponse  # pylint: disable=import-outside-toplevel

    script = {}
    real = botocore.endpoint.Endpoint._do_get_response  # pylint: disable=protected-access

    def do_get_response(self, request, operation_model, context):
        planned = script.get(operation_model.name)
        if not planned:
            return real(self, request, operation_model, context)
        code, status, carried_out = planned.pop(0)
        if carried_out:
            real(self, request, operation_model, context)
        parsed = {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}
        http = AWSResponse(request.url, status, {}, None)
        http._content = b""  # pylint: disable=protected-access
        return (http, parsed), None

    monkeypatch.setattr(botocore.endpoint.Endpoint, "_do_get_response", do_get_response)
    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)
    return script


@pytest.fixture
def slow_calls(monkeypatch):
    """Every AWS call of the test holds ``delay`` seconds (50 ms unless set), as a real region's round trip does.
    ``start()`` begins a count: ``calls`` (operations in order), ``most`` (the most calls in flight at once)."""
    import threading  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel

    import botocore.client  # pylint: disable=import-outside-toplevel

    original = botocore.client.BaseClient._make_api_call  # pylint: disable=protected-access

    class Slow:
        delay = 0.05
        lock = threading.Lock()

        def start(self):
            self.now, self.most, self.calls = 0, 0, []
            return self

        def call(self, client, operation, params):
            with self.lock:
                self.now += 1
                self.calls.append(operation)
                self.most = max(self.most, self.now)
            try:
                time.sleep(self.delay)
                return original(client, operation, params)
            finally:
                with self.lock:
                    self.now -= 1

    slow = Slow().start()

    def call(client, operation, params):
        return slow.call(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)
    return slow
