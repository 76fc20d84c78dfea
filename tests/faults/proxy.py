"""A fault-injection proxy between the AWS clients (Ansible, boto3) and the embedded endpoint.

Every request is forwarded to the endpoint unless a fault is drawn for it. Faults, each with its
own rate:

- ``throttle``: the request is answered, without reaching the endpoint, by the throttling error
  of the service's own protocol: JSON services (``X-Amz-Target``) 400 ``ThrottlingException``;
  REST-JSON services 429 ``TooManyRequestsException``; query services (form ``Action=``) 400
  ``Throttling`` in an ``ErrorResponse``, EC2 503 ``RequestLimitExceeded`` in its ``Response``;
  S3 (REST-XML) 503 ``SlowDown``.
- ``error500`` / ``error503``: 500 ``InternalError`` / 503 ``ServiceUnavailable`` in the protocol's
  format, without reaching the endpoint.
- ``drop``: the connection is closed with no answer, without reaching the endpoint.
- ``ambiguous`` (writes only): the request reaches the endpoint and is carried out, then its answer
  is replaced by a 500 or the connection is reset: the client cannot know the write happened.
- ``streak``: the request and the next ones of the same operation, ``streak`` requests in all
  (3 unless told), fail the same way (one of throttle, error500, error503, drop): the same call
  failing attempt after attempt, which independent draws seldom give.
- ``outage``: the request's service fails every request, whatever the operation, for
  ``outage_seconds`` of wall time (0.5 unless told): 503 ``ServiceUnavailable``, 500 or a dropped
  connection, drawn per request. In a run whose sleeps are scaled (tests/faults/fast_backoff at
  0.01), half a second stands for nearly a minute of a real service's outage.

Draws are deterministic for a seed: the n-th request of one operation (service, operation) gets
the same draw whatever the interleaving of other operations; only how many requests fall in an
outage's window depends on timing. Every fault is logged as one JSON line (``--log``);
``summary()`` counts them per kind and operation (a streak or an outage counts each request it
failed).

``latency``: seconds every AWS request waits in the proxy before it is answered (or failed), as a
real region's round trip does (30 to 150 ms a call); the endpoint's control requests (``/moto-api``)
do not wait. ``make bench`` runs the platform at 0 and 50 ms (tools/bench.py).

``Faults.kill_at(n, action)`` stops a client in the middle of its work: the n-th write from then
on is carried out by the endpoint, then ``action()`` runs (the kill-mid-run test sends SIGKILL to
the ansible-playbook process group there) and the connection is reset.

    python tests/faults/proxy.py --upstream http://127.0.0.1:5000 --port 5100 --seed 7 \\
        --rate throttle=0.15 --rate error500=0.15 --rate error503=0.15 --rate drop=0.15 \\
        --rate ambiguous=0.05 --log faults.jsonl
    python tests/faults/proxy.py --upstream http://127.0.0.1:5000 --port 5100 --latency-ms 50
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KINDS = ("throttle", "error500", "error503", "drop", "ambiguous", "streak", "outage")
# How a request that a streak or an outage fails is answered.
STREAK_ANSWERS = ("throttle", "error500", "error503", "drop")
OUTAGE_ANSWERS = ("error503", "error503", "error500", "drop")
# What make faults and the fault test inject unless told: 40 % of requests fail on their own, 5 % of writes are
# carried out and their answers lost, 3 % start a streak of failures of the same call (about 9 % more requests
# failed), 0.3 % an outage of a service. At 15 % of each kind with streaks on top, a module run spends botocore's
# retry quota (its token bucket per client) and its calls are no longer retried: a converge through an outage that
# bad fails, as it should, and a re-run completes it.
DEFAULT_RATES = {"throttle": 0.10, "error500": 0.10, "error503": 0.10, "drop": 0.10, "ambiguous": 0.05, "streak": 0.03, "outage": 0.003}
# Operations that change something: an ambiguous failure matters only for them.
WRITE_PREFIXES = ("Create", "Put", "Allocate", "Associate", "Attach", "Authorize", "Run", "Register", "Modify", "Update",
                  "Request", "Import", "Enable", "Tag", "Start", "Add", "Set", "Copy", "Restore", "Subscribe", "Replace",
                  "Schedule", "Delete", "Deregister", "Detach", "Disassociate", "Release", "Revoke", "Remove", "Untag",
                  "Disable", "Stop", "Cancel", "Unsubscribe", "Publish", "Rotate", "Apply", "Batch", "Generate")
CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def service_of(headers):
    match = CREDENTIAL.search(headers.get("Authorization", ""))
    return match.group(1) if match else "unknown"


def protocol_and_operation(method, path, headers, body):
    """(protocol, operation) of a request: json, rest-json, query, ec2 or rest-xml."""
    target = headers.get("X-Amz-Target")
    if target:
        return "json", target.rsplit(".", 1)[-1]
    content_type = headers.get("Content-Type", "")
    if "x-www-form-urlencoded" in content_type or "Action=" in urllib.parse.urlsplit(path).query:
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body else {}
        params.update(urllib.parse.parse_qs(urllib.parse.urlsplit(path).query))
        action = (params.get("Action") or ["Unknown"])[0]
        return ("ec2" if service_of(headers) == "ec2" else "query"), action
    service = service_of(headers)
    # the first two path segments name the resource collection (/2015-02-01/file-systems, /v2/apis)
    route = "%s /%s" % (method, "/".join(urllib.parse.urlsplit(path).path.split("/")[1:3]))
    return ("rest-xml" if service in ("s3", "route53", "cloudfront") else "rest-json"), route


def is_write(method, protocol, operation):
    if protocol in ("json", "query", "ec2"):
        return operation.startswith(WRITE_PREFIXES)
    return method in ("POST", "PUT", "DELETE", "PATCH")


ERRORS = {
    # kind: (status, code, message)
    "throttle": {"json": (400, "ThrottlingException", "Rate exceeded"), "rest-json": (429, "TooManyRequestsException", "Too Many Requests"),
                 "query": (400, "Throttling", "Rate exceeded"), "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
                 "rest-xml": (503, "SlowDown", "Please reduce your request rate.")},
    "error500": {p: (500, "InternalError" if p in ("ec2", "rest-xml") else "InternalFailure", "We encountered an internal error. Please try again.")
                 for p in ("json", "rest-json", "query", "ec2", "rest-xml")},
    "error503": {p: (503, "ServiceUnavailable" if p != "ec2" else "Unavailable", "Service is unavailable. Please try again.")
                 for p in ("json", "rest-json", "query", "ec2", "rest-xml")},
}


def error_body(protocol, status, code, message, request_id="fault-injected"):
    """(headers, body) of an AWS error in the protocol's own format."""
    if protocol == "json":
        return {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id}, \
            json.dumps({"__type": code, "message": message}).encode()
    if protocol == "rest-json":
        return {"Content-Type": "application/json", "x-amzn-ErrorType": code, "x-amzn-RequestId": request_id}, \
            json.dumps({"message": message, "Message": message}).encode()
    if protocol == "ec2":
        return {"Content-Type": "text/xml"}, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>%s</Code>"
                                              "<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>"
                                              % (code, message, request_id)).encode()
    if protocol == "rest-xml":
        return {"Content-Type": "application/xml"}, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>%s</Message>"
                                                     "<RequestId>%s</RequestId></Error>" % (code, message, request_id)).encode()
    return {"Content-Type": "text/xml"}, ("<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>"
                                          "<RequestId>%s</RequestId></ErrorResponse>"
                                          % ("Receiver" if status >= 500 else "Sender", code, message, request_id)).encode()


class Faults:
    """The fault plan: rates per kind, a seed, per-operation counters and the log."""

    def __init__(self, rates=None, seed=0, log_path=None, streak=3, outage_seconds=0.5, clock=time.monotonic, latency=0.0):
        unknown = set(rates or {}) - set(KINDS)
        if unknown:
            raise ValueError("unknown fault kinds %s; known: %s" % (sorted(unknown), ", ".join(KINDS)))
        self.rates = {k: float((rates or {}).get(k, 0.0)) for k in KINDS}
        if sum(self.rates.values()) > 1.0:
            raise ValueError("the fault rates add up to more than 1")
        if streak < 2 or outage_seconds <= 0:
            raise ValueError("a streak is at least 2 requests and an outage lasts more than 0 s")
        if latency < 0:
            raise ValueError("the latency is 0 s or more, not %r" % latency)
        self.latency = latency
        self.seed = seed
        self.streak = streak
        self.outage_seconds = outage_seconds
        self.clock = clock
        self.counts = {}
        self.streaks = {}  # (service, operation): [requests still to fail, answer]
        self.down = {}  # service: the clock's time its outage ends
        self.outages = []  # (service, operation) of each request that started an outage
        self.events = []
        self.lock = threading.Lock()
        self.log_path = log_path
        self.requests = 0
        self.writes = 0
        # kill_at(n, action): after the n-th write has reached the endpoint, action() runs (it kills
        # the client) and the connection is reset: the write happened, nobody learnt it.
        self.kill_write = None
        self.kill_action = None
        self.killed = None

    def _value(self, *parts):
        digest = hashlib.sha256("|".join(str(p) for p in (self.seed,) + parts).encode()).digest()
        return struct.unpack(">Q", digest[:8])[0] / 2.0 ** 64

    def _pick(self, answers, *parts):
        """One of ``answers``, drawn from the seed and ``parts``."""
        return answers[int(self._value(*parts) * len(answers))]

    def draw(self, service, operation, write):
        """(fault, n, answer) for the next request of this operation: fault None or one of KINDS, n the request's
        number within its operation, answer the fault it is answered with (the fault itself but for a streak
        or an outage)."""
        with self.lock:
            self.requests += 1
            key = (service, operation)
            n = self.counts[key] = self.counts.get(key, 0) + 1
            now = self.clock()
            if self.down.get(service, 0) > now:
                return "outage", n, self._pick(OUTAGE_ANSWERS, service, operation, n, "outage")
            going = self.streaks.get(key)
            if going and going[0] > 0:
                going[0] -= 1
                return "streak", n, going[1]
            value = self._value(service, operation, n)
            edge = 0.0
            for kind in KINDS:
                rate = self.rates[kind]
                if kind == "ambiguous" and not write:
                    continue
                edge += rate
                if value < edge:
                    break
            else:
                return None, n, None
            if kind == "streak":
                answer = self._pick(STREAK_ANSWERS, service, operation, n, "streak")
                self.streaks[key] = [self.streak - 1, answer]
                return kind, n, answer
            if kind == "outage":
                self.down[service] = now + self.outage_seconds
                self.outages.append((service, operation))
                return kind, n, self._pick(OUTAGE_ANSWERS, service, operation, n, "outage")
            return kind, n, kind

    def kill_at(self, write, action):
        """Run ``action`` once the ``write``-th write (counting from now) has been carried out."""
        with self.lock:
            self.kill_write, self.kill_action, self.killed = self.writes + write, action, None

    def note_write(self, service, operation):
        """Count a write; True when it is the one to kill the client after."""
        with self.lock:
            self.writes += 1
            if self.kill_write is not None and self.writes == self.kill_write:
                self.killed = {"service": service, "operation": operation, "write": self.writes}
                return True
        return False

    def record(self, **event):
        with self.lock:
            self.events.append(event)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(event, sort_keys=True) + "\n")

    def summary(self):
        """{kind: count} and {kind: {service:operation: count}} of what was injected."""
        by_kind, by_op = {k: 0 for k in KINDS}, {k: {} for k in KINDS}
        for event in self.events:
            by_kind[event["fault"]] += 1
            op = "%s:%s" % (event["service"], event["operation"])
            by_op[event["fault"]][op] = by_op[event["fault"]].get(op, 0) + 1
        return {"requests": self.requests, "injected": by_kind, "by_operation": by_op}


def make_handler(upstream, faults):
    target = urllib.parse.urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # An answer goes out as headers then body: with Nagle's algorithm the body waits for the
        # client's delayed ACK of the headers, 40 ms per call (measured: 50 ms a call through the
        # proxy against 5 ms direct, a 45 % slower converge). TCP_NODELAY sends both at once.
        disable_nagle_algorithm = True

        def log_message(self, *args):  # quiet: the fault log says what matters
            pass

        def _reset(self):
            """Close the connection with a TCP reset and no answer."""
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            self.close_connection = True

        def _answer(self, status, headers, body):
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, body):
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                return resp.status, dict(resp.getheaders()), resp.read()
            finally:
                conn.close()

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/moto-api"):
                self._answer(*self._forward(body))
                return
            if faults.latency:
                time.sleep(faults.latency)
            protocol, operation = protocol_and_operation(self.command, self.path, self.headers, body)
            service = service_of(self.headers)
            write = is_write(self.command, protocol, operation)
            kind, nth, answer = faults.draw(service, operation, write)
            if write and faults.note_write(service, operation):
                self._forward(body)
                faults.kill_action()
                self._reset()
                return
            if kind is None:
                self._answer(*self._forward(body))
                return
            event = {"fault": kind, "service": service, "operation": operation, "nth": nth, "protocol": protocol}
            if answer == "drop":
                event["answer"] = "reset"
                faults.record(**event)
                self._reset()
                return
            if kind == "ambiguous":
                status, _headers, _body = self._forward(body)
                event["upstream_status"] = status
                # half of them answered by a 500, half by a reset, by the draw's own order
                if nth % 2:
                    event["answer"] = "reset"
                    faults.record(**event)
                    self._reset()
                    return
                event["answer"] = "500"
                faults.record(**event)
                self._answer(500, *error_body(protocol, *ERRORS["error500"][protocol]))
                return
            status, code, message = ERRORS[answer][protocol]
            event["answer"] = "%d %s" % (status, code)
            faults.record(**event)
            headers, payload = error_body(protocol, status, code, message)
            self._answer(status, headers, payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle  # noqa: N815

    return Handler


class QuietServer(ThreadingHTTPServer):
    """A client that goes away (a killed run, a reset of ours seen on a kept-alive connection)
    is part of the game, not an error to print."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FaultProxy:
    """The proxy in a background thread: ``with FaultProxy(upstream, faults) as proxy: proxy.url``."""

    def __init__(self, upstream, faults, port=0, host="127.0.0.1"):
        self.faults = faults
        self.server = QuietServer((host, port), make_handler(upstream, faults))
        self.port = self.server.server_address[1]
        self.url = "http://%s:%d" % (host, self.port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate", action="append", default=[], help="KIND=RATE, KIND one of " + ", ".join(KINDS))
    parser.add_argument("--streak", type=int, default=3, help="requests a streak fails (default 3)")
    parser.add_argument("--outage-seconds", type=float, default=0.5, help="how long an outage lasts (default 0.5)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="milliseconds every AWS request waits (default 0)")
    parser.add_argument("--log")
    args = parser.parse_args(argv)
    rates = dict((k, float(v)) for k, v in (r.split("=", 1) for r in args.rate))
    faults = Faults(rates, args.seed, args.log, streak=args.streak, outage_seconds=args.outage_seconds, latency=args.latency_ms / 1000.0)
    proxy = FaultProxy(args.upstream, faults, port=args.port)
    print("fault proxy on %s -> %s" % (proxy.url, args.upstream), flush=True)
    try:
        proxy.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        print(json.dumps(proxy.faults.summary(), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
