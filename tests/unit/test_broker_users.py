"""The broker's users (roles/rabbitmq/files/broker_users.py), run against a real RabbitMQ with its management plugin.

The endpoint runs no container, so the script the one-off ECS task runs is proven here: a throw-away broker on loopback,
the script run as the task runs it (python3, the same environment variables), then each app signs in over AMQP and does
what it does (api-gateway publishes billing orders, billing-app consumes them) and nothing more.
"""

import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pika
import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(TOP, "roles", "rabbitmq", "files", "broker_users.py")
SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"
ADMIN, ADMIN_PASSWORD = "billing", "admin-Secret-0"
QUEUE = "billing_queue"
# As the role's defaults (roles/rabbitmq/defaults/main.yml, rabbitmq_client_permissions) give them.
CLIENTS = {
    "api-gateway": {"configure": "^billing_queue$", "write": "^amq\\.default$", "read": "^$"},
    "billing-app": {"configure": "^billing_queue$", "write": "^$", "read": "^billing_queue$"},
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    def __init__(self, base):
        if not os.path.exists(SERVER):
            pytest.fail("these tests need RabbitMQ (rabbitmq-server with its management plugin); on Debian: apt-get install rabbitmq-server")
        self.base = base
        self.amqp, self.http, self.dist = free_port(), free_port(), free_port()
        self.node = "rtest%d@localhost" % self.amqp
        with open(os.path.join(base, "rabbitmq.conf"), "w", encoding="utf-8") as handle:
            handle.write("listeners.tcp.default = 127.0.0.1:%d\nmanagement.tcp.port = %d\nmanagement.tcp.ip = 127.0.0.1\n"
                         "loopback_users = none\n" % (self.amqp, self.http))
        with open(os.path.join(base, "enabled_plugins"), "w", encoding="utf-8") as handle:
            handle.write("[rabbitmq_management].\n")
        self.env = dict(os.environ, HOME=base, RABBITMQ_NODENAME=self.node, RABBITMQ_CONFIG_FILE=os.path.join(base, "rabbitmq.conf"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(base, "enabled_plugins"),
                        RABBITMQ_MNESIA_BASE=os.path.join(base, "mnesia"), RABBITMQ_LOG_BASE=os.path.join(base, "log"),
                        RABBITMQ_DIST_PORT=str(self.dist), RABBITMQ_DEFAULT_USER=ADMIN, RABBITMQ_DEFAULT_PASS=ADMIN_PASSWORD)
        self.proc = None

    def start(self):
        # pylint: disable-next=consider-using-with
        self.proc = subprocess.Popen([SERVER], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                self.api("GET", "/api/overview")
                return
            except OSError:
                time.sleep(0.5)
        raise AssertionError("RabbitMQ did not start in 90 s; its log is in %s" % os.path.join(self.base, "log"))

    def stop(self):
        subprocess.run([CTL, "-n", self.node, "stop"], env=self.env, capture_output=True, timeout=60, check=False)
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)

    def api(self, method, path, user=ADMIN, password=ADMIN_PASSWORD):
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.http, path), method=method)
        request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode())
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read().decode()
            return json.loads(text) if text else None

    def connect(self, user, password):
        return pika.BlockingConnection(pika.ConnectionParameters(
            host="127.0.0.1", port=self.amqp, credentials=pika.PlainCredentials(user, password),
            connection_attempts=1, blocked_connection_timeout=10))


@pytest.fixture(name="broker", scope="module")
def fixture_broker():
    base = tempfile.mkdtemp(prefix="broker-users-")
    broker = Broker(base)
    broker.start()
    yield broker
    broker.stop()
    shutil.rmtree(base, ignore_errors=True)


def run_script(broker, passwords, clients=None, admin_password=ADMIN_PASSWORD, admin=ADMIN, **more):
    env = {"PATH": os.environ["PATH"], "BROKER_URL": "http://127.0.0.1:%d" % broker.http, "BROKER_VHOST": "/",
           "BROKER_AMQP": "127.0.0.1:%d" % broker.amqp,
           "ADMIN_USER": admin, "ADMIN_PASSWORD": admin_password, "BROKER_CLIENTS": json.dumps(clients or CLIENTS)}
    env.update({name.upper().replace("-", "_") + "_PASSWORD": value for name, value in passwords.items()})
    env.update(more)
    return subprocess.run([sys.executable, SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False)


PASSWORDS = {"api-gateway": "gateway-Secret-1", "billing-app": "billing-Secret-1"}


def test_each_app_signs_in_as_itself_and_does_its_part_only(broker):
    done = run_script(broker, PASSWORDS)
    assert done.returncode == 0, done.stderr
    # api-gateway declares the queue and publishes a billing order through the default exchange
    gateway = broker.connect("api-gateway", PASSWORDS["api-gateway"])
    channel = gateway.channel()
    channel.queue_declare(queue=QUEUE, durable=True)
    channel.basic_publish(exchange="", routing_key=QUEUE, body=b'{"order": 1}')
    # ... and may not read it back
    with pytest.raises(pika.exceptions.ChannelClosedByBroker, match="ACCESS_REFUSED"):
        gateway.channel().basic_get(queue=QUEUE)
    gateway.close()
    # billing-app consumes it, and may not publish
    billing = broker.connect("billing-app", PASSWORDS["billing-app"])
    channel = billing.channel()
    channel.queue_declare(queue=QUEUE, durable=True)
    method, dummy, body = channel.basic_get(queue=QUEUE, auto_ack=True)
    assert method is not None and body == b'{"order": 1}'
    with pytest.raises(pika.exceptions.ChannelClosedByBroker, match="ACCESS_REFUSED"):
        other = billing.channel()
        other.basic_publish(exchange="", routing_key=QUEUE, body=b"x")
        other.queue_declare(queue="elsewhere")  # the refusal of the publish closes the channel by the next call
    billing.close()


def test_the_apps_are_no_administrators(broker):
    assert run_script(broker, PASSWORDS).returncode == 0
    for name, password in PASSWORDS.items():
        assert broker.api("GET", "/api/users/" + name)["tags"] in ([], "")
        with pytest.raises(urllib.error.HTTPError) as refused:
            broker.api("GET", "/api/users", user=name, password=password)
        assert refused.value.code == 401
        permissions = broker.api("GET", "/api/users/%s/permissions" % name)
        assert [(p["vhost"], p["configure"], p["write"], p["read"]) for p in permissions] == [
            ("/", CLIENTS[name]["configure"], CLIENTS[name]["write"], CLIENTS[name]["read"])]


def test_the_password_is_sent_hashed_and_a_new_one_replaces_the_old(broker):
    assert run_script(broker, PASSWORDS).returncode == 0
    stored = broker.api("GET", "/api/users/billing-app")
    assert stored["hashing_algorithm"] == "rabbit_password_hashing_sha256"
    raw = base64.b64decode(stored["password_hash"])
    assert raw[4:] == hashlib.sha256(raw[:4] + PASSWORDS["billing-app"].encode()).digest()
    rotated = dict(PASSWORDS, **{"billing-app": "billing-Secret-2"})
    assert run_script(broker, rotated).returncode == 0
    broker.connect("billing-app", "billing-Secret-2").close()
    with pytest.raises(pika.exceptions.ProbableAuthenticationError):
        broker.connect("billing-app", "billing-Secret-1")


def test_bad_input_fails_and_says_why(broker):
    assert run_script(broker, PASSWORDS).returncode == 0
    missing = run_script(broker, {"api-gateway": "gateway-Secret-1"})
    assert missing.returncode != 0 and "BILLING_APP_PASSWORD is not set" in missing.stderr
    wrong = run_script(broker, PASSWORDS, admin_password="not-it")
    assert wrong.returncode != 0 and "refuses the administrator's credentials" in wrong.stderr
    before = broker.api("GET", "/api/users/api-gateway")["password_hash"]
    clash = run_script(broker, dict(PASSWORDS, billing="x" * 20), clients=dict(CLIENTS, billing={"read": ".*"}))
    assert clash.returncode != 0 and "has the administrator's name" in clash.stderr
    # found before the first change: api-gateway (first in order) was not touched
    assert broker.api("GET", "/api/users/api-gateway")["password_hash"] == before


def test_a_rotation_sets_the_other_login_and_signs_in_with_it(broker):
    """MODE=set and MODE=test, as the rotation function runs them for billing-app's secret: the clone login gets the
    pending password and billing-app's permissions (no more), signs in over AMQP, and the login before keeps working."""
    assert run_script(broker, PASSWORDS).returncode == 0
    pending = {"PENDING_USER": "billing-app_clone", "PENDING_PASSWORD": "billing-Secret-9"}
    tested = run_script(broker, {}, MODE="test", **pending)
    assert tested.returncode != 0 and "billing-app_clone cannot sign in" in tested.stderr, tested.stderr
    done = run_script(broker, {}, MODE="set", ROTATE_CLIENT="billing-app", **pending)
    assert done.returncode == 0, done.stderr
    assert broker.api("GET", "/api/users/billing-app_clone")["tags"] in ([], "")
    permissions = broker.api("GET", "/api/users/billing-app_clone/permissions")
    assert [(p["vhost"], p["configure"], p["write"], p["read"]) for p in permissions] == [
        ("/", CLIENTS["billing-app"]["configure"], CLIENTS["billing-app"]["write"], CLIENTS["billing-app"]["read"])]
    tested = run_script(broker, {}, MODE="test", **pending)
    assert tested.returncode == 0 and "billing-app_clone signs in" in tested.stdout, tested.stderr
    wrong = run_script(broker, {}, MODE="test", PENDING_USER="billing-app_clone", PENDING_PASSWORD="not-it")
    assert wrong.returncode != 0 and "403" in wrong.stderr and "ACCESS_REFUSED" in wrong.stderr, wrong.stderr
    clone = broker.connect("billing-app_clone", "billing-Secret-9")
    clone.channel().queue_declare(queue=QUEUE, durable=True)
    clone.close()
    broker.connect("billing-app", PASSWORDS["billing-app"]).close()
    # a converge after it puts the current login (the clone) with its password, and leaves the other as it was
    again = run_script(broker, dict(PASSWORDS, **{"billing-app": "billing-Secret-9"}), BILLING_APP_USER="billing-app_clone")
    assert again.returncode == 0 and "broker user billing-app_clone is in place" in again.stdout, again.stderr
    broker.connect("billing-app", PASSWORDS["billing-app"]).close()


def test_the_administrators_rotation_makes_another_administrator(broker):
    pending = {"PENDING_USER": ADMIN + "_clone", "PENDING_PASSWORD": "admin-Secret-9"}
    done = run_script(broker, {}, MODE="set", ROTATE_CLIENT="", **pending)
    assert done.returncode == 0, done.stderr
    assert run_script(broker, {}, MODE="test", **pending).returncode == 0
    assert broker.api("GET", "/api/users/" + ADMIN + "_clone")["tags"] in (["administrator"], "administrator")
    assert broker.api("GET", "/api/users", user=ADMIN + "_clone", password="admin-Secret-9")
    # the users job signs in as the current administrator, the clone now
    again = run_script(broker, PASSWORDS, admin=ADMIN + "_clone", admin_password="admin-Secret-9")
    assert again.returncode == 0, again.stderr


def test_a_rotation_refuses_a_login_of_another(broker):
    before = broker.api("GET", "/api/users/api-gateway")["password_hash"]
    other = run_script(broker, {}, MODE="set", ROTATE_CLIENT="billing-app", PENDING_USER="api-gateway", PENDING_PASSWORD="x" * 20)
    assert other.returncode != 0 and "PENDING_USER api-gateway is not a login of billing-app" in other.stderr
    admin = run_script(broker, {}, MODE="set", ROTATE_CLIENT="", PENDING_USER="api-gateway_clone", PENDING_PASSWORD="x" * 20)
    assert admin.returncode != 0 and "is not a login of the administrator" in admin.stderr
    unknown = run_script(broker, {}, MODE="set", ROTATE_CLIENT="nobody", PENDING_USER="nobody", PENDING_PASSWORD="x" * 20)
    assert unknown.returncode != 0 and "ROTATE_CLIENT nobody is not one of the clients" in unknown.stderr
    renamed = run_script(broker, PASSWORDS, API_GATEWAY_USER="billing-app")
    assert renamed.returncode != 0 and "API_GATEWAY_USER is billing-app" in renamed.stderr
    assert broker.api("GET", "/api/users/api-gateway")["password_hash"] == before
