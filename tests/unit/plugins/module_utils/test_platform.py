"""Adopt-or-refuse, idempotency tokens, tag arithmetic and the retry policy."""

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from ansible_collections.cloud_design.platform.plugins.module_utils import platform as pu


def test_pick_one_zero_candidates_means_create():
    assert pu.pick_one([], "VPCs") is None


def test_pick_one_single_candidate_is_adopted():
    assert pu.pick_one([{"id": "vpc-1"}], "VPCs", ident=lambda c: c["id"]) == {"id": "vpc-1"}


def test_pick_one_refuses_two_and_lists_them():
    with pytest.raises(pu.AmbiguousResourceError) as err:
        pu.pick_one([{"id": "vpc-1"}, {"id": "vpc-2"}], "VPCs tagged demo", ident=lambda c: c["id"])
    message = str(err.value)
    assert "vpc-1" in message and "vpc-2" in message
    assert "found 2 VPCs tagged demo" in message
    assert "delete or re-tag" in message


def test_client_token_is_stable_and_distinct():
    assert pu.client_token("nat", "subnet-1") == pu.client_token("nat", "subnet-1")
    assert pu.client_token("nat", "subnet-1") != pu.client_token("nat", "subnet-2")
    assert len(pu.client_token("x")) == 64


def test_tag_changes_purge_and_keep_aws_tags():
    to_set, to_remove = pu.tag_changes({"a": "1", "b": "2", "aws:x": "y"}, {"a": "1", "c": 3}, purge=True)
    assert to_set == {"c": "3"}
    assert to_remove == ["b"]
    assert pu.tag_changes({"b": "2"}, {}, purge=False) == ({}, [])


def test_resource_names_follow_the_convention():
    names = pu.resource_names("shop", "prod")
    assert names["vpc"] == "shop-prod-vpc"
    assert names["cluster"] == "shop-prod-cluster"
    assert names["private_domain"] == "prod.shop.internal"


def _answer_requests(monkeypatch, answers, sent):
    """Every request botocore sends gets ``answers`` in turn, the last one for good (an error code, answered as AWS
    answers it; an exception, raised; None, an empty success); ``sent`` counts the requests, retries included."""
    import botocore.endpoint  # pylint: disable=import-outside-toplevel
    from botocore.awsrequest import AWSResponse  # pylint: disable=import-outside-toplevel

    class Raw:  # what botocore reads a body from
        def __init__(self, body):
            self.left = body

        def stream(self, **_kwargs):
            yield self.read()

        def read(self, *_args, **_kwargs):
            left, self.left = self.left, b""
            return left

    def send(_endpoint, request):
        sent.append(request.url)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        if answer is None:
            return AWSResponse(request.url, 200, {}, Raw(b"<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>"))
        body = "<Response><Errors><Error><Code>%s</Code><Message>no</Message></Error></Errors></Response>" % answer
        return AWSResponse(request.url, 500 if answer == "InternalError" else 400, {}, Raw(body.encode()))

    monkeypatch.setattr(botocore.endpoint.Endpoint, "_send", send)
    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(pu.time, "sleep", lambda seconds: None)
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)


def _client_answering(monkeypatch, answers, sent):
    """A PlatformModule client whose requests get ``answers`` (``_answer_requests``)."""
    _answer_requests(monkeypatch, answers, sent)
    return _platform_module({"endpoint_url": "http://127.0.0.1:9", "access_key": "a", "secret_key": "b"}).client("ec2")


@pytest.mark.parametrize("transient", ["Throttling", "RequestLimitExceeded", "InternalError", "dropped"])
def test_botocore_retries_throttling_server_errors_and_dropped_connections(monkeypatch, transient):
    sent = []
    first = ConnectionClosedError(endpoint_url="https://aws.example") if transient == "dropped" else transient
    conn = _client_answering(monkeypatch, [first, first, None], sent)
    assert conn.describe_vpcs()["Vpcs"] == []
    assert len(sent) == 3


def test_botocore_does_not_retry_a_real_error(monkeypatch):
    sent = []
    conn = _client_answering(monkeypatch, ["InvalidParameterValue", None], sent)
    with pytest.raises(ClientError):
        conn.describe_vpcs()
    assert len(sent) == 1


def test_wait_for_backs_off_and_times_out(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    states = iter(["PENDING", "PENDING", "SUCCESS"])
    assert pu.wait_for(lambda: next(states), lambda s: s == "SUCCESS") == "SUCCESS"
    with pytest.raises(pu.PlatformError, match="timed out"):
        pu.wait_for(lambda: "PENDING", lambda s: s == "SUCCESS", timeout=0)


def test_wait_for_pauses_grow_by_half(monkeypatch):
    """A wait ends at most half its time after the condition holds (doubling pauses: up to all of it), and at most
    max_delay after."""
    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    states = iter(["PENDING"] * 8 + ["SUCCESS"])
    assert pu.wait_for(lambda: next(states), lambda s: s == "SUCCESS", delay=1.0, max_delay=10.0) == "SUCCESS"
    assert slept == [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 10.0, 10.0]


def test_wait_for_polls_again_after_a_transient_failure(monkeypatch):
    """A dropped connection that botocore no longer retries (its retry quota spent under many faults) ended a
    whole load balancer converge in the fault test; a wait polls again instead."""
    monkeypatch.setattr("time.sleep", lambda _s: None)
    answers = iter([ConnectionClosedError(endpoint_url="http://aws.example"),
                    ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "DescribeLoadBalancers"), "active"])

    def probe():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer
    assert pu.wait_for(probe, lambda s: s == "active") == "active"

    def refused():
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeLoadBalancers")
    with pytest.raises(ClientError):
        pu.wait_for(refused, lambda s: True)


def test_apply_tags_calls_the_service_and_merges():
    calls = []
    changed, after = pu.apply_tags(False, {"a": "1", "b": "2"}, {"a": "9"}, True,
                                   lambda add: calls.append(("add", add)), lambda keys: calls.append(("remove", keys)))
    assert changed is True
    assert after == {"a": "9"}
    assert calls == [("add", {"a": "9"}), ("remove", ["b"])]


def test_apply_tags_check_mode_and_no_wish_make_no_call():
    def fail(_arg):
        raise AssertionError("no call expected")

    assert pu.apply_tags(True, {"a": "1"}, {"a": "2"}, True, fail, fail) == (True, {"a": "2"})
    assert pu.apply_tags(False, {"a": "1"}, None, True, fail, fail) == (False, {"a": "1"})
    assert pu.apply_tags(False, {"a": "1"}, {"a": "1"}, True, fail, fail) == (False, {"a": "1"})


def _platform_module(args):
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

    with patch_module_args(dict({"region": "eu-west-1"}, **args)):
        return pu.PlatformModule(argument_spec={}, supports_check_mode=True)


def test_platform_module_clients_share_one_service_model_loader(aws):
    module = _platform_module({"aws_config": {"connect_timeout": 7}})
    ec2 = module.client("ec2")
    kms = module.client("kms")
    other = _platform_module({}).client("ec2")
    # one parsed copy of botocore's data per process, whichever module run or session made the client
    assert ec2._loader is kms._loader is other._loader  # pylint: disable=protected-access
    # the caller's options reach the client as amazon.aws passes them; each client keeps its own
    assert ec2.meta.config.connect_timeout == 7
    assert other.meta.config.connect_timeout != 7
    assert ec2.meta.region_name == "eu-west-1"
    assert ec2.describe_vpcs()["Vpcs"]  # moto's default VPC answers through the client
    assert kms.list_keys()["Keys"] == []


def test_a_stock_modules_session_shares_the_loader_and_another_data_path_has_its_own(monkeypatch):
    """amazon.aws's modules make their own boto3 session per run; in the interpreter Mitogen keeps for the play they
    share the service models the collection's modules parsed."""
    import boto3  # pylint: disable=import-outside-toplevel

    made = _platform_module({}).client("ec2")
    stock = boto3.session.Session(region_name="eu-west-1")  # as amazon.aws's boto3_conn makes one
    assert stock._session.get_component("data_loader") is made._loader  # pylint: disable=protected-access
    assert stock.client("ec2")._loader is made._loader  # pylint: disable=protected-access
    monkeypatch.setenv("AWS_DATA_PATH", "/nonexistent-models")
    other = boto3.session.Session(region_name="eu-west-1")._session.get_component("data_loader")  # pylint: disable=protected-access
    assert other is not made._loader and "/nonexistent-models" in other.search_paths  # pylint: disable=protected-access


def test_platform_module_makes_each_client_once_per_process_and_settings(aws, monkeypatch):  # pylint: disable=unused-argument
    """A later module run in the same interpreter (Mitogen) gets the client made before, unless a setting differs."""
    first = _platform_module({}).client("ec2")
    assert _platform_module({}).client("ec2") is first
    # each setting a client is made from makes another one
    assert _platform_module({}).client("ec2", retries=False) is not first
    assert _platform_module({"aws_config": {"connect_timeout": 7}}).client("ec2") is not first
    assert _platform_module({"region": "eu-west-2"}).client("ec2") is not first
    assert _platform_module({"endpoint_url": "http://127.0.0.1:1"}).client("ec2") is not first
    assert _platform_module({"access_key": "other", "secret_key": "other"}).client("ec2") is not first
    assert _platform_module({}).client("kms") is not first
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "30")
    retried = _platform_module({}).client("ec2")
    assert retried is not first and retried.meta.config.retries["total_max_attempts"] == 30
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    assert _platform_module({}).client("ec2") is not retried


def test_the_caller_identity_is_asked_once_per_process_and_credentials(aws, monkeypatch):  # pylint: disable=unused-argument
    """STS GetCallerIdentity was asked by every module run that needed the account (26 calls of a no-op re-run, 25 of
    them repeats): the identity of a set of credentials does not change while they hold."""
    import botocore.client  # pylint: disable=import-outside-toplevel

    asked, original = [], botocore.client.BaseClient._make_api_call  # pylint: disable=protected-access

    def counting(client, operation, params):
        asked.append(operation)
        return original(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    # settings of this test's own (clients, and the identity with them, are kept for the process, across tests)
    own = {"aws_config": {"connect_timeout": 41}}
    first = _platform_module(own).caller_identity()
    assert first["Account"] and _platform_module(own).caller_identity() == first
    assert asked.count("GetCallerIdentity") == 1
    _platform_module(dict(own, access_key="other", secret_key="other")).caller_identity()
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    _platform_module(own).caller_identity()
    assert asked.count("GetCallerIdentity") == 3


def test_a_client_handed_to_the_next_module_run_has_a_full_retry_quota(monkeypatch):
    """botocore's standard retries stop once a client's retry quota is spent (a refused connection costs 10 of
    500). A client kept for the next module run must retry again there, as a client made for that run would."""
    import botocore.endpoint  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "200")
    sent = []

    def attempts(module_args):
        conn = _platform_module(module_args).client("sts")
        conn.meta.events.register("before-send.sts", lambda **kwargs: sent.append(1), unique_id="count-sends")
        sent.clear()
        with pytest.raises(EndpointConnectionError):
            conn.get_caller_identity()
        return len(sent)

    closed_port = {"endpoint_url": "http://127.0.0.1:9", "access_key": "a", "secret_key": "b"}
    first = attempts(closed_port)
    assert 10 < first < 200  # the quota, not the 200 attempts, ended the retries
    assert attempts(closed_port) == first


def test_platform_module_reports_a_missing_region(aws, monkeypatch, run_module):  # pylint: disable=unused-argument
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

    with patch_module_args({}):
        module = pu.PlatformModule(argument_spec={}, supports_check_mode=True)
    with pytest.raises(Exception) as err:
        module.client("ec2")
    assert "requires a region" in str(err.value)


def client_error(code, status):
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "CreateThing")


class Scripted:
    """create() answers from a script (an exception or a value); find() lists what exists."""

    def __init__(self, answers, existing=(), appears_after_ambiguous=True):
        self.answers = list(answers)
        self.existing = list(existing)
        self.appears = appears_after_ambiguous
        self.creates = 0
        self.finds = 0

    def create(self):
        self.creates += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            # an ambiguous failure: the write happened, its answer was lost
            if self.appears and pu._failure_kind(answer) == "ambiguous":  # pylint: disable=protected-access
                self.existing.append({"id": "thing-%d" % self.creates})
            raise answer
        self.existing.append(answer)
        return answer

    def find(self):
        self.finds += 1
        return list(self.existing)


def run_once(script, **kwargs):
    pauses = []
    result = pu.create_once(script.create, script.find, "things named demo", sleep=pauses.append, **kwargs)
    return result, pauses


def test_create_once_creates_when_nothing_failed():
    script = Scripted([{"id": "thing-1"}])
    assert run_once(script) == (({"id": "thing-1"}, False), [])
    assert script.finds == 0


def test_create_once_sends_a_throttled_create_again_without_looking():
    script = Scripted([client_error("ThrottlingException", 400), client_error("RequestLimitExceeded", 503), {"id": "thing-3"}])
    (result, adopted), pauses = run_once(script)
    assert (result, adopted) == ({"id": "thing-3"}, False)
    assert script.creates == 3 and script.finds == 0
    assert pauses == [1.0, 2.0]


@pytest.mark.parametrize("failure", [
    client_error("InternalError", 500),
    client_error("ServiceUnavailable", 503),
    pu.botocore.exceptions.ConnectionClosedError(endpoint_url="https://ec2.example"),
    pu.botocore.exceptions.ReadTimeoutError(endpoint_url="https://ec2.example"),
])
def test_create_once_adopts_the_one_an_ambiguous_failure_made(failure):
    """One candidate after a failure that came after the write: adopted, never created again."""
    script = Scripted([failure, {"id": "never"}])
    (result, adopted), dummy = run_once(script)
    assert (result, adopted) == ({"id": "thing-1"}, True)
    assert script.creates == 1 and script.existing == [{"id": "thing-1"}]


def test_create_once_creates_again_when_the_failure_made_nothing():
    """Zero candidates: the 5xx came before the write; the create is sent again."""
    script = Scripted([client_error("InternalFailure", 500), {"id": "thing-2"}], appears_after_ambiguous=False)
    (result, adopted), pauses = run_once(script)
    assert (result, adopted) == ({"id": "thing-2"}, False)
    assert script.creates == 2 and script.finds == 1 and pauses == [1.0]


def test_create_once_refuses_two_candidates_and_lists_them():
    """Two candidates (a leftover of another tool beside the one just made): stop, name both."""
    script = Scripted([client_error("InternalError", 500)], existing=[{"id": "leftover-1"}])
    with pytest.raises(pu.AmbiguousResourceError) as err:
        run_once(script)
    assert "found 2 things named demo" in str(err.value)
    assert script.creates == 1


def test_create_once_adopts_on_already_exists_when_asked():
    script = Scripted([client_error("InvalidGroup.Duplicate", 400)], existing=[{"id": "sg-1"}])
    (result, adopted), dummy = run_once(script, exists_codes=("InvalidGroup.Duplicate",))
    assert (result, adopted) == ({"id": "sg-1"}, True)


def test_create_once_raises_a_real_error_at_once():
    script = Scripted([client_error("InvalidParameterValue", 400)])
    with pytest.raises(ClientError):
        run_once(script, exists_codes=("InvalidGroup.Duplicate",))
    assert script.creates == 1 and script.finds == 0


def test_create_once_gives_up_after_its_attempts_with_the_last_error():
    script = Scripted([client_error("Throttling", 400)] * 3)
    with pytest.raises(ClientError) as err:
        run_once(script, attempts=3)
    assert err.value.response["Error"]["Code"] == "Throttling"
    assert script.creates == 3 and script.finds == 0


def test_create_once_names_an_exists_answer_it_cannot_find():
    script = Scripted([client_error("RepositoryAlreadyExistsException", 400)] * 2)
    with pytest.raises(pu.PlatformError) as err:
        run_once(script, exists_codes=("RepositoryAlreadyExistsException",), attempts=2)
    assert "none can be found" in str(err.value)


class LookupOutage(Scripted):
    """find() fails transiently its first ``failures`` times: its client's own retries spent in an outage."""

    def __init__(self, answers, failures, **kwargs):
        super().__init__(answers, **kwargs)
        self.failures = failures

    def find(self):
        self.finds += 1
        if self.finds <= self.failures:
            raise pu.botocore.exceptions.EndpointConnectionError(endpoint_url="https://ec2.example")
        return list(self.existing)


def test_create_once_looks_again_when_the_lookup_fails_in_an_outage_and_never_creates_meanwhile():
    """An ambiguous create, then two lookups lost to an outage: the third lookup finds the one made; one create."""
    script = LookupOutage([client_error("InternalError", 500), {"id": "never"}], failures=2)
    (result, adopted), pauses = run_once(script)
    assert (result, adopted) == ({"id": "thing-1"}, True)
    assert script.creates == 1 and script.finds == 3
    assert pauses == [1.0, 2.0, 4.0]


def test_create_once_raises_the_lookup_failure_when_no_lookup_ever_answers():
    """Lookups that never answer: the run stops on the lookup's error; the create is not sent a second time."""
    script = LookupOutage([client_error("ServiceUnavailable", 503), {"id": "never"}], failures=99)
    with pytest.raises(pu.botocore.exceptions.EndpointConnectionError):
        run_once(script, attempts=4)
    assert script.creates == 1 and script.finds == 4


def test_create_once_raises_a_lookup_that_fails_for_good_at_once():
    """A lookup refused for good (no permission to list): stop at once, never create blind."""
    class Refused(Scripted):
        def find(self):
            self.finds += 1
            raise client_error("AccessDenied", 403)

    script = Refused([client_error("InternalError", 500), {"id": "never"}])
    with pytest.raises(ClientError) as err:
        run_once(script)
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert script.creates == 1 and script.finds == 1


def pages_of(items, token_key="NextToken", key="Items", empty_after=()):
    """A listing call that answers one item a page (and an empty page after the positions in ``empty_after``,
    a token still given), recording what it was asked."""
    asked = []
    pages = []
    for index, item in enumerate(items):
        pages.append([item])
        if index in empty_after:
            pages.append([])

    def call(**kwargs):
        asked.append(kwargs)
        position = int(kwargs.get(token_key, "0"))
        page = {key: pages[position]}
        if position + 1 < len(pages):
            page[token_key] = str(position + 1)
        return page
    return call, asked


def test_all_pages_reads_every_page_of_one_item():
    call, asked = pages_of(["a", "b", "c"])
    assert pu.all_pages(call, "Items", MaxResults=1) == ["a", "b", "c"]
    assert asked == [{"MaxResults": 1}, {"MaxResults": 1, "NextToken": "1"}, {"MaxResults": 1, "NextToken": "2"}]


def test_all_pages_goes_on_after_an_empty_page_that_gives_a_token():
    """AWS may answer a page with no item and a token (EC2 API Reference, "Pagination": keep calling until the
    token is null); stopping there would miss what follows."""
    call, _asked = pages_of(["a", "b"], empty_after=(0,))
    assert pu.all_pages(call, "Items") == ["a", "b"]


def test_all_pages_with_other_token_names():
    call, asked = pages_of(["a", "b"], token_key="Marker", key="Things")
    assert pu.all_pages(call, "Things", token="Marker") == ["a", "b"]
    assert asked[1]["Marker"] == "1"
    call, asked = pages_of(["a", "b"], token_key="nextToken")
    # the request's token parameter and the answer's differ in some APIs (next_token)
    assert pu.all_pages(call, "Items", token="nextToken", next_token="nextToken") == ["a", "b"]


def test_all_pages_stops_on_a_token_given_twice():
    """A listing that answers the token it was given would loop for ever: it is read once."""
    calls = []

    def call(aws_retry=False, **kwargs):
        calls.append(kwargs)
        return {"Items": ["x"], "NextToken": "same"}
    with pytest.raises(pu.PlatformError, match="same page token twice"):
        pu.all_pages(call, "Items")
    assert len(calls) == 2


@pytest.mark.parametrize("attempts", [None, "4"])
def test_a_throttled_call_is_sent_at_most_ten_times(monkeypatch, run_module, attempts):
    """botocore's standard retries are the only retries: a module's first call, throttled for good, is sent 10 times
    (or AWS_MAX_ATTEMPTS, the connection role's setting), then the module fails with the throttling error. With a
    retry wrapper around the client as well, it was sent 10 times per attempt of the wrapper: about 90."""
    from ansible_collections.cloud_design.platform.plugins.modules import vpc  # pylint: disable=import-outside-toplevel
    from ...conftest import ModuleFail  # pylint: disable=import-outside-toplevel

    sent = []
    _answer_requests(monkeypatch, ["RequestLimitExceeded"], sent)
    if attempts:
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", attempts)
    with pytest.raises(ModuleFail) as err:
        run_module(vpc, {"name": "demo-dev-vpc", "cidr_block": "10.0.0.0/16", "endpoint_url": "http://127.0.0.1:9"})
    assert "RequestLimitExceeded" in str(err.value.result)
    assert len(sent) == int(attempts or 10)


def test_no_client_of_the_collection_is_wrapped_in_a_second_retry_layer():
    """One retry layer: botocore's. No module or module_utils imports amazon.aws' AWSRetry or its client wrapper,
    passes a retry decorator, or sends ``aws_retry=True`` (which only such a wrapper understands)."""
    import ast  # pylint: disable=import-outside-toplevel
    import pathlib  # pylint: disable=import-outside-toplevel

    plugins = pathlib.Path(pu.__file__).resolve().parents[1]
    found = []
    for path in sorted(plugins.glob("module*/*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.keyword):
                names = [node.arg]
            elif isinstance(node, ast.Name):
                names = [node.id]
            elif isinstance(node, ast.arg):
                names = [node.arg]
            found += ["%s:%d %s" % (path.name, node.lineno, name) for name in names
                      if name in ("AWSRetry", "RetryingBotoClientWrapper", "retry_decorator", "aws_retry")]
    assert not found


def test_a_plan_records_each_change_and_makes_its_call_only_outside_check_mode():
    class Module:
        check_mode = False
        params = {"name": "a"}

    made = []
    plan = pu.Plan(Module())
    assert plan.module.params is plan.params and plan.params["name"] == "a"
    assert isinstance(plan.reads, pu.Prefetched) and plan.reads.answers == {}
    assert plan.change("delete a", lambda **kw: made.append(kw) or "answer", Name="a") == "answer"
    Module.check_mode = True
    checked = pu.Plan(Module())
    assert checked.change("delete b", lambda **kw: made.append(kw), Name="b") is None
    assert plan.changes == ["delete a"] and checked.changes == ["delete b"]
    assert made == [{"Name": "a"}]


def test_concurrently_overlaps_the_calls_keeps_their_order_and_raises_the_first_error():
    import threading  # pylint: disable=import-outside-toplevel

    barrier = threading.Barrier(3, timeout=5)  # each call waits for the other two: only concurrent calls get through

    def call(value):
        return lambda: (barrier.wait(), value)[1]

    assert pu.concurrently(call("a"), call("b"), call("c")) == ["a", "b", "c"]
    assert pu.concurrently() == [] and pu.concurrently(lambda: 1) == [1]
    ended = []

    def fails(message):
        def run():
            raise pu.PlatformError(message)
        return run

    with pytest.raises(pu.PlatformError, match="first"):
        pu.concurrently(fails("first"), lambda: ended.append("ran"), fails("second"))
    assert ended == ["ran"]  # every call ends before the error is raised


def test_clients_made_from_many_threads_at_once_are_one_client(aws):  # pylint: disable=unused-argument
    import concurrent.futures  # pylint: disable=import-outside-toplevel

    module = _platform_module({"aws_config": {"connect_timeout": 11}})
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(lambda _n: module.client("ecs"), range(16)))
    assert all(c is made[0] for c in made)


def test_a_prefetched_answer_is_handed_out_once_then_read_again():
    reads = []

    def read(value):
        return lambda: reads.append(value) or value

    prefetched = pu.Prefetched().fetch({"a": read("a0"), "b": read("b0")})
    assert sorted(reads) == ["a0", "b0"]
    assert prefetched.take("a", read("a1")) == "a0"  # the kept answer, no call
    assert prefetched.take("a", read("a1")) == "a1"  # read again
    assert prefetched.take("c", read("c1")) == "c1"  # never prefetched
    assert sorted(reads) == ["a0", "a1", "b0", "c1"]


def test_a_second_round_of_prefetched_reads_is_given_the_first_rounds_answers():
    prefetched = pu.Prefetched().fetch({"lb": lambda: "arn-1"}, then=lambda found: {"tags": lambda: "tags of " + found["lb"]})
    assert prefetched.take("tags", lambda: "read again") == "tags of arn-1"
    assert prefetched.take("lb", lambda: "read again") == "arn-1"
