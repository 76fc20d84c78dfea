#!/usr/bin/env python
"""Start, stop and query the embedded AWS endpoint (moto in server mode on loopback).

Used by the Makefile (``make demo``, ``make stop``) and by the end-to-end tests, which
start their own endpoint on a free port. Only ``inventories/local`` points at it.

    python tools/endpoint.py start [--port 5000]
    python tools/endpoint.py stop [--port 5000]
    python tools/endpoint.py status [--port 5000]
    python tools/endpoint.py reset [--port 5000]
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HOST = "127.0.0.1"
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Windows of the timing rules of tools/endpoint_rules.py for every endpoint started here (seconds): a
# new IAM role is refused by the services it is handed to, a new load balancer is 'provisioning' (WAF
# refuses it), the Resource Groups Tagging API does not see a new certificate yet, an ECS deployment is in progress.
ENDPOINT_TIMING = {
    "ENDPOINT_IAM_PROPAGATION_SECONDS": "3",
    "ENDPOINT_LB_PROVISIONING_SECONDS": "4",
    "ENDPOINT_TAGGING_LAG_SECONDS": "30",
    "ENDPOINT_ECS_ROLLOUT_SECONDS": "2",
}
STATE_DIR = os.environ.get("PLATFORM_ENDPOINT_DIR", os.path.join(TOP, ".endpoint"))


def url(port):
    return "http://%s:%d" % (HOST, port)


def answers(port, timeout=1.0):
    """True when a moto server answers on the port (its dashboard page: data.json dumps the whole
    state and took 3 s on a converged platform, longer than the probe waits)."""
    try:
        with urllib.request.urlopen(url(port) + "/moto-api/", timeout=timeout) as resp:
            return resp.status == 200 and b"moto" in resp.read(4096).lower()
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_in_use(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((HOST, port)) == 0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _pid_file(port, state_dir):
    return os.path.join(state_dir, "moto-%d.pid" % port)


def _read_pid(port, state_dir):
    try:
        with open(_pid_file(port, state_dir), encoding="utf-8") as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(port=5000, state_dir=STATE_DIR, timeout=60.0, windows=None):
    """Start moto on loopback unless it already runs there; wait until it answers. windows: {ENDPOINT_*_SECONDS: value}
    that override the environment's and ENDPOINT_TIMING's."""
    if answers(port):
        return _read_pid(port, state_dir)
    if port_in_use(port):
        raise RuntimeError(
            "port %d is taken by something that is not the embedded endpoint; "
            "choose another with ENDPOINT_PORT=<port>" % port
        )
    os.makedirs(state_dir, exist_ok=True)
    try:
        import moto.server  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError as exc:
        raise RuntimeError("moto[server] is not installed in %s; run 'make venv'" % sys.executable) from exc
    # moto's server with the corrections of tools/endpoint_server.py (where moto departs from AWS).
    server = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "endpoint_server.py")]
    env = dict(os.environ)
    # AWS-managed IAM policies (AmazonECSTaskExecutionRolePolicy, ...) exist only with this.
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    # Where the Lambda functions it runs find it (endpoint_lambda.py).
    env["MOTO_PORT"] = str(port)
    # The timing rules of tools/endpoint_rules.py (IAM propagation, load balancer provisioning, tagging
    # lag), unless the caller set its own windows.
    for name, seconds in ENDPOINT_TIMING.items():
        env.setdefault(name, seconds)
    env.update({name: str(seconds) for name, seconds in (windows or {}).items()})
    log_path = os.path.join(state_dir, "moto-%d.log" % port)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            server + ["-H", HOST, "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    with open(_pid_file(port, state_dir), "w", encoding="utf-8") as handle:
        handle.write(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the endpoint exited at start (code %s); see %s" % (proc.returncode, log_path))
        if answers(port):
            return proc.pid
        time.sleep(0.2)
    stop(port, state_dir)
    raise RuntimeError("the endpoint did not answer on port %d within %.0f s; see %s" % (port, timeout, log_path))


def stop(port=5000, state_dir=STATE_DIR, timeout=10.0):
    """Stop the endpoint started by start(); True when one was stopped."""
    pid = _read_pid(port, state_dir)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Started by this process (the test harness), the server stays a zombie until reaped.
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                break
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.1)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.remove(_pid_file(port, state_dir))
    except OSError:
        pass
    return True


def reset(port=5000):
    """Wipe every resource the endpoint holds."""
    req = urllib.request.Request(url(port) + "/moto-api/reset", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status == 200


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "status", "reset"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("ENDPOINT_PORT", "5000")))
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            was_up = answers(args.port)
            start(args.port)
            print("endpoint %s at %s" % ("already running" if was_up else "started", url(args.port)))
        elif args.action == "stop":
            print("endpoint stopped" if stop(args.port) else "no endpoint of ours runs on port %d" % args.port)
        elif args.action == "reset":
            reset(args.port)
            print("endpoint state wiped at %s" % url(args.port))
        else:
            up = answers(args.port)
            print("endpoint %s at %s" % ("answers" if up else "is not running", url(args.port)))
            return 0 if up else 3
    except (RuntimeError, OSError, urllib.error.URLError) as exc:
        print("ERROR: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
