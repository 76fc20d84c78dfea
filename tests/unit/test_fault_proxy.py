"""The fault-injection proxy (tests/faults/proxy.py) in front of a moto server: each protocol's own
throttling error, 5xx, dropped connections, ambiguous writes carried out upstream, seeded draws."""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from moto.server import ThreadedMotoServer

from tests.faults.proxy import FaultProxy, Faults, protocol_and_operation

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def upstream():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield "http://%s:%d" % (host, port)
    server.stop()


def client(url, service, config=NO_RETRY):
    return boto3.client(service, endpoint_url=url, region_name="eu-west-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=config)


@pytest.mark.parametrize("service, call, code", [
    ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded"),
    ("iam", lambda c: c.list_roles(), "Throttling"),
    ("logs", lambda c: c.describe_log_groups(), "ThrottlingException"),
    ("efs", lambda c: c.describe_file_systems(), "TooManyRequestsException"),
    ("s3", lambda c: c.list_buckets(), "SlowDown"),
])
def test_throttling_speaks_each_protocol(upstream, service, call, code):
    with FaultProxy(upstream, Faults({"throttle": 1.0})) as proxy:
        with pytest.raises(ClientError) as err:
            call(client(proxy.url, service))
        assert err.value.response["Error"]["Code"] == code
        assert proxy.faults.summary()["injected"]["throttle"] == 1


def test_botocore_retries_absorb_throttling_and_5xx(upstream):
    """Seed 37 draws, for DescribeVpcs: -, 503, -, 500, -, throttle, -, -: five calls, eight requests,
    each fault absorbed by one retry of botocore's standard mode."""
    faults = Faults({"throttle": 0.2, "error500": 0.15, "error503": 0.15}, seed=37)
    with FaultProxy(upstream, faults) as proxy:
        ec2 = client(proxy.url, "ec2", Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        for dummy in range(5):
            ec2.describe_vpcs()
    assert faults.summary()["injected"] == {"throttle": 1, "error500": 1, "error503": 1, "drop": 0, "ambiguous": 0, "streak": 0, "outage": 0}
    assert faults.requests == 8


def test_a_dropped_connection_is_a_connection_error(upstream):
    with FaultProxy(upstream, Faults({"drop": 1.0})) as proxy:
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            client(proxy.url, "sts").get_caller_identity()


def test_an_ambiguous_write_is_carried_out_but_answered_with_an_error(upstream):
    """The client sees a failure; the endpoint holds the VPC: retrying blindly would make a second one."""
    direct = client(upstream, "ec2")
    before = len(direct.describe_vpcs()["Vpcs"])
    faults = Faults({"ambiguous": 1.0}, seed=1)
    with FaultProxy(upstream, faults) as proxy:
        ec2 = client(proxy.url, "ec2")
        with pytest.raises((ClientError, ConnectionClosedError, EndpointConnectionError)):
            ec2.create_vpc(CidrBlock="10.61.0.0/16")
        with pytest.raises((ClientError, ConnectionClosedError, EndpointConnectionError)):
            ec2.create_vpc(CidrBlock="10.62.0.0/16")
        ec2.describe_vpcs()  # a read is never ambiguous
    assert len(direct.describe_vpcs()["Vpcs"]) == before + 2
    events = faults.events
    assert [(e["fault"], e["operation"], e["upstream_status"]) for e in events] == [("ambiguous", "CreateVpc", 200)] * 2
    assert sorted(e["answer"] for e in events) == ["500", "reset"]


def test_draws_are_the_same_for_a_seed_whatever_the_order():
    def draws(seed, order):
        faults = Faults({"throttle": 0.2, "error500": 0.2, "drop": 0.1, "ambiguous": 0.1}, seed=seed)
        out = {}
        for op in order:
            out.setdefault(op, []).append(faults.draw("ec2", op, op.startswith("Create"))[0])
        return out

    ops = ["DescribeVpcs", "CreateVpc"] * 30
    assert draws(7, ops) == draws(7, sorted(ops))
    assert draws(7, ops) != draws(8, ops)
    reads = draws(7, ["DescribeVpcs"] * 200)["DescribeVpcs"]
    assert "ambiguous" not in reads  # reads are never ambiguous
    assert 20 < reads.count("throttle") < 60


def test_a_streak_fails_the_same_call_for_its_length_then_ends(upstream):
    """A streak of 3: the call that drew it fails three requests running with the same answer, whatever
    botocore does in between; the fourth goes through."""
    faults = Faults({"streak": 1.0}, seed=3, streak=3)
    with FaultProxy(upstream, faults) as proxy:
        ec2 = client(proxy.url, "ec2")
        with pytest.raises((ClientError, ConnectionClosedError, EndpointConnectionError)):
            ec2.describe_vpcs()
        faults.rates["streak"] = 0.0  # no new streak: what follows is the first one's end
        for dummy in range(2):
            with pytest.raises((ClientError, ConnectionClosedError, EndpointConnectionError)):
                ec2.describe_vpcs()
        client(proxy.url, "sts").get_caller_identity()  # another operation is not in the streak
        ec2.describe_vpcs()
    events = faults.events
    assert [(e["fault"], e["operation"], e["nth"]) for e in events] == [("streak", "DescribeVpcs", n) for n in (1, 2, 3)]
    assert len({e["answer"] for e in events}) == 1
    assert faults.summary()["injected"]["streak"] == 3


class OneStreak(Faults):
    """The first request draws a streak; no request after it draws a new one."""

    def draw(self, service, operation, write):
        drawn = super().draw(service, operation, write)
        self.rates["streak"] = 0.0
        return drawn


def test_a_streak_outlasts_fewer_attempts_and_yields_to_more(upstream):
    """botocore with 3 attempts loses a call to a streak of 3; with 4 it gets through on the fourth request."""
    for attempts, gets_through in ((3, False), (4, True)):
        faults = OneStreak({"streak": 1.0}, seed=5, streak=3)
        with FaultProxy(upstream, faults) as proxy:
            ec2 = client(proxy.url, "ec2", Config(retries={"total_max_attempts": attempts, "mode": "standard"}))
            try:
                ec2.describe_vpcs()
                went = True
            except (ClientError, ConnectionClosedError, EndpointConnectionError):
                went = False
        assert went == gets_through, (attempts, faults.events)
        assert faults.requests == attempts and len(faults.events) == 3


def test_an_outage_fails_every_operation_of_its_service_for_its_time():
    """An outage drawn on one ec2 request fails every ec2 request until its end, and no other service's."""
    now = [100.0]
    faults = Faults({"outage": 1.0}, seed=1, outage_seconds=2.0, clock=lambda: now[0])
    first = faults.draw("ec2", "DescribeSubnets", False)
    assert first[0] == "outage" and first[2] in ("error503", "error500", "drop")
    faults.rates["outage"] = 0.0
    assert [faults.draw("ec2", op, op.startswith("Create"))[0] for op in ("DescribeVpcs", "CreateSubnet", "DescribeSubnets")] == ["outage"] * 3
    assert faults.draw("sts", "GetCallerIdentity", False)[0] is None
    now[0] = 101.9
    assert faults.draw("ec2", "DescribeVpcs", False)[0] == "outage"
    now[0] = 102.0
    assert faults.draw("ec2", "DescribeVpcs", False)[0] is None


def test_an_outage_is_answered_in_each_protocol_and_never_reaches_the_endpoint(upstream):
    """During an outage a write is not carried out: it is refused or dropped, not answered after the fact."""
    faults = Faults({"outage": 1.0}, seed=2, outage_seconds=60.0)
    with FaultProxy(upstream, faults) as proxy:
        ec2 = client(proxy.url, "ec2")
        for dummy in range(6):
            with pytest.raises((ClientError, ConnectionClosedError, EndpointConnectionError)) as err:
                ec2.create_vpc(CidrBlock="10.9.0.0/16")
            if isinstance(err.value, ClientError):
                assert err.value.response["Error"]["Code"] in ("Unavailable", "InternalError")
        faults.rates["outage"] = 0.0
    assert all(e["fault"] == "outage" and "upstream_status" not in e for e in faults.events)
    assert client(upstream, "ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.9.0.0/16"]}])["Vpcs"] == []


def test_bad_rates_are_refused():
    with pytest.raises(ValueError, match="unknown fault kinds"):
        Faults({"slow": 0.1})
    with pytest.raises(ValueError, match="more than 1"):
        Faults({"throttle": 0.6, "drop": 0.6})
    with pytest.raises(ValueError, match="at least 2"):
        Faults({"streak": 0.1}, streak=1)


@pytest.mark.parametrize("headers, path, body, expected", [
    ({"X-Amz-Target": "Logs_20140328.CreateLogGroup"}, "/", b"{}", ("json", "CreateLogGroup")),
    ({"Content-Type": "application/x-www-form-urlencoded",
      "Authorization": "AWS4-HMAC-SHA256 Credential=t/20261203/eu-west-1/ec2/aws4_request"}, "/", b"Action=CreateVpc&Version=1",
     ("ec2", "CreateVpc")),
    ({"Content-Type": "application/x-www-form-urlencoded",
      "Authorization": "AWS4-HMAC-SHA256 Credential=t/20261203/eu-west-1/rds/aws4_request"}, "/", b"Action=CreateDBCluster",
     ("query", "CreateDBCluster")),
    ({"Authorization": "AWS4-HMAC-SHA256 Credential=t/20261203/eu-west-1/efs/aws4_request"}, "/2015-02-01/file-systems/fs-1", b"",
     ("rest-json", "POST /2015-02-01/file-systems")),
])
def test_protocol_and_operation(headers, path, body, expected):
    assert protocol_and_operation("POST", path, headers, body) == expected


def test_create_once_makes_one_key_where_retries_make_several(upstream):
    """Every write answered with an error after it was carried out: botocore's retries create a KMS key
    per attempt; create_once (no client retries, look before sending again) creates one and adopts it."""
    from ansible_collections.cloud_design.platform.plugins.module_utils.platform import create_once  # pylint: disable=import-outside-toplevel
    kms = client(upstream, "kms")

    def tagged(tag):
        found = []
        for key in kms.list_keys()["Keys"]:
            tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
            if {"TagKey": "test", "TagValue": tag} in tags:
                found.append(key["KeyId"])
        return found

    with FaultProxy(upstream, Faults({"ambiguous": 1.0}, seed=1)) as proxy:
        retrying = client(proxy.url, "kms", Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        with pytest.raises((ClientError, ConnectionClosedError, EndpointConnectionError)):
            retrying.create_key(Tags=[{"TagKey": "test", "TagValue": "retried"}])
        once = client(proxy.url, "kms")
        key, adopted = create_once(lambda: once.create_key(Tags=[{"TagKey": "test", "TagValue": "once"}])["KeyMetadata"]["KeyId"],
                                   lambda: tagged("once"), "KMS keys tagged test=once", sleep=lambda s: None)
    assert len(tagged("retried")) == 3
    assert tagged("once") == [key] and adopted


def test_kill_at_runs_after_the_nth_write_reached_the_endpoint(upstream):
    """Reads are not counted; the second write from kill_at is carried out, then the action runs
    and the client sees a reset; later writes pass."""
    faults = Faults({}, seed=1)
    killed = []
    with FaultProxy(upstream, faults) as proxy:
        ec2 = client(proxy.url, "ec2")
        ec2.describe_vpcs()
        faults.kill_at(2, lambda: killed.append(faults.writes))
        ec2.create_vpc(CidrBlock="10.41.0.0/16")
        ec2.describe_vpcs()
        assert not killed
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            ec2.create_vpc(CidrBlock="10.42.0.0/16")
        assert killed == [2]
        assert faults.killed == {"service": "ec2", "operation": "CreateVpc", "write": 2}
        ec2.create_vpc(CidrBlock="10.43.0.0/16")
    cidrs = {v["CidrBlock"] for v in client(upstream, "ec2").describe_vpcs()["Vpcs"]}
    assert {"10.41.0.0/16", "10.42.0.0/16", "10.43.0.0/16"} <= cidrs
    assert faults.writes == 3


def test_latency_is_added_to_every_aws_request_and_to_no_control_request(upstream):
    import time  # pylint: disable=import-outside-toplevel
    import urllib.request  # pylint: disable=import-outside-toplevel

    def seconds(call):
        start = time.monotonic()
        call()
        return time.monotonic() - start

    ec2 = client(upstream, "ec2")
    ec2.describe_vpcs()  # the endpoint's first answer of a service is slow (its backend is made then)
    with FaultProxy(upstream, Faults(latency=0.2)) as proxy:
        slow = client(proxy.url, "ec2")
        slow.describe_vpcs()  # the connection made
        took = sorted(seconds(slow.describe_vpcs) for _attempt in range(3))
        control = min(seconds(lambda: urllib.request.urlopen(proxy.url + "/moto-api/", timeout=10).read()) for _attempt in range(3))
    direct = min(seconds(ec2.describe_vpcs) for _attempt in range(3))
    control_direct = min(seconds(lambda: urllib.request.urlopen(upstream + "/moto-api/", timeout=10).read()) for _attempt in range(3))
    assert took[0] >= 0.2 and took[0] - direct < 0.35, (took, direct)
    assert control - control_direct < 0.15, (control, control_direct)


def test_latency_is_refused_below_zero():
    with pytest.raises(ValueError, match="latency"):
        Faults(latency=-0.01)
