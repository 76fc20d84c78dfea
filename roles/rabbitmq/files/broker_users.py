# The broker's users, by a one-off ECS task inside the VPC (cloud_design.platform.rabbitmq), so that no app signs in as
# the broker's administrator. Through the management HTTP API (RabbitMQ's "Management HTTP API" reference), as the
# administrator (ADMIN_USER, ADMIN_PASSWORD), at BROKER_URL, in the virtual host BROKER_VHOST. By MODE:
# - users (the default; tasks/users.yml, once per change): each client of BROKER_CLIENTS ({"api-gateway": {"configure":
#   regex, "write": regex, "read": regex}, ...}) gets its user: named <CLIENT>_USER (upper case, "-" as "_"; the client's
#   name when unset), without management tags, its password <CLIENT>_PASSWORD;
# - set (the rotation function's setSecret step; tasks/rotation.yml): the login PENDING_USER gets the password
#   PENDING_PASSWORD, with the permissions of the client ROTATE_CLIENT, or as an administrator when ROTATE_CLIENT is
#   empty (the administrator's own secret rotates);
# - test (its testSecret step): PENDING_USER signs in over AMQP at BROKER_AMQP (host:port) to the virtual host with
#   PENDING_PASSWORD; the management API is not used.
# Each password is sent as a salted SHA-256 hash (rabbit_password_hashing_sha256), never in clear; each user gets
# exactly its permissions in the virtual host and none in another. Safe to run again: every call is a PUT of the wanted
# state. Python's standard library only.
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def password_hash(password, salt=None):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + utf-8 password)), a 4-byte salt."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode("ascii")


def call(method, path, body=None):
    url = os.environ["BROKER_URL"].rstrip("/") + path
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode("utf-8"))
    token = base64.b64encode(("%s:%s" % (os.environ["ADMIN_USER"], os.environ["ADMIN_PASSWORD"])).encode("utf-8"))
    request.add_header("Authorization", "Basic " + token.decode("ascii"))
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:  # nosec B310 - the broker's own URL, inside the VPC
        text = answer.read().decode("utf-8")
        return json.loads(text) if text else None


def wait_for_broker(attempts=60, delay=5):
    """A broker just started (a new task, its data on EFS being read) gets five minutes to answer."""
    for attempt in range(attempts):
        try:
            return call("GET", "/api/whoami")
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise SystemExit("the broker refuses the administrator's credentials (HTTP 401): is ADMIN_USER the "
                                 "broker's default user, made from the same secret?")
            error = exc
        except (urllib.error.URLError, OSError) as exc:
            error = exc
        if attempt + 1 < attempts:
            time.sleep(delay)
    raise SystemExit("the broker's management API at %s does not answer: %s" % (os.environ["BROKER_URL"], error))


ADMINISTRATOR = {"configure": ".*", "write": ".*", "read": ".*"}
CLONE = "_clone"


def base_name(name):
    """The login a rotation's alternating logins (<name> and <name>_clone) stand for."""
    return name[:-len(CLONE)] if name.endswith(CLONE) else name


def client_permissions(clients, name):
    return {key: clients[name].get(key, "^$") for key in ("configure", "write", "read")}


def wanted_users():
    """[(user, password, permissions, tags)] from the environment; every problem found before the first call."""
    clients = json.loads(os.environ["BROKER_CLIENTS"])
    admin = base_name(os.environ["ADMIN_USER"])
    users = []
    for name in sorted(clients):
        variable = name.upper().replace("-", "_")
        user = os.environ.get(variable + "_USER") or name
        if admin in (base_name(user), name):
            raise SystemExit("client %s has the administrator's name; give the administrator another" % name)
        if base_name(user) != name:
            raise SystemExit("%s_USER is %s: the client %s signs in as %s or %s%s" % (variable, user, name, name, name, CLONE))
        password = os.environ.get(variable + "_PASSWORD")
        if not password:
            raise SystemExit("%s_PASSWORD is not set: the client %s has no password" % (variable, name))
        users.append((user, password, client_permissions(clients, name), ""))
    return users


def pending_user():
    """[(user, password, permissions, tags)] of the login a rotation sets (MODE=set)."""
    clients = json.loads(os.environ["BROKER_CLIENTS"])
    client = os.environ.get("ROTATE_CLIENT", "")
    user, password = os.environ.get("PENDING_USER"), os.environ.get("PENDING_PASSWORD")
    if not user or not password:
        raise SystemExit("PENDING_USER and PENDING_PASSWORD are the login the rotation sets; one is not set")
    if client and client not in clients:
        raise SystemExit("ROTATE_CLIENT %s is not one of the clients (%s)" % (client, ", ".join(sorted(clients))))
    if base_name(user) != (client or base_name(os.environ["ADMIN_USER"])):
        raise SystemExit("PENDING_USER %s is not a login of %s" % (user, client or "the administrator"))
    if client:
        return [(user, password, client_permissions(clients, client), "")]
    return [(user, password, ADMINISTRATOR, "administrator")]


def put_users(users):
    vhost_name = os.environ.get("BROKER_VHOST", "/")
    vhost = urllib.parse.quote(vhost_name, safe="")
    for name, password, permissions, tags in users:
        user = urllib.parse.quote(name, safe="")
        call("PUT", "/api/users/" + user, {"password_hash": password_hash(password),
                                           "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": tags})
        call("PUT", "/api/permissions/%s/%s" % (vhost, user), permissions)
        for other in call("GET", "/api/users/%s/permissions" % user) or []:
            if other.get("vhost") != vhost_name:
                call("DELETE", "/api/permissions/%s/%s" % (urllib.parse.quote(other["vhost"], safe=""), user))
        print("broker user %s is in place" % name)


def frame(kind, payload):
    return struct.pack(">BHI", kind, 0, len(payload)) + payload + b"\xce"


def method(class_id, method_id, arguments=b""):
    return frame(1, struct.pack(">HH", class_id, method_id) + arguments)


def shortstr(text):
    data = text.encode("utf-8")
    return struct.pack(">B", len(data)) + data


def read_method(sock):
    """(class, method, arguments) of the next frame, a method frame on channel 0 (AMQP 0-9-1, section 4.2.3)."""
    def exactly(size):
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("the broker closed the connection")
            data += chunk
        return data

    kind, dummy, size = struct.unpack(">BHI", exactly(7))
    payload = exactly(size + 1)[:-1]
    if kind != 1:
        raise ConnectionError("the broker sent frame type %d before the connection was open" % kind)
    class_id, method_id = struct.unpack(">HH", payload[:4])
    return class_id, method_id, payload[4:]


def sign_in(address, user, password, vhost):
    """Open an AMQP 0-9-1 connection as user (PLAIN) to vhost, as a client does, and close it; an error says why not."""
    host, dummy, port = address.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        if read_method(sock)[:2] != (10, 10):  # Connection.Start
            raise ConnectionError("the broker did not start the connection")
        response = b"\x00" + user.encode("utf-8") + b"\x00" + password.encode("utf-8")
        # client-properties {capabilities: {authentication_failure_close: true}}: a refused sign-in is answered with
        # Connection.Close and its reason (RabbitMQ's "Authentication Failure Notifications"), not a dropped socket.
        capability = shortstr("authentication_failure_close") + b"t\x01"
        capabilities = shortstr("capabilities") + b"F" + struct.pack(">I", len(capability)) + capability
        sock.sendall(method(10, 11, struct.pack(">I", len(capabilities)) + capabilities + shortstr("PLAIN")
                            + struct.pack(">I", len(response)) + response + shortstr("en_US")))
        answer = read_method(sock)
        if answer[:2] == (10, 30):  # Connection.Tune: signed in
            channel_max, frame_max, dummy = struct.unpack(">HIH", answer[2][:8])
            sock.sendall(method(10, 31, struct.pack(">HIH", channel_max, frame_max, 0)))
            sock.sendall(method(10, 40, shortstr(vhost) + shortstr("") + b"\x00"))
            answer = read_method(sock)
            if answer[:2] == (10, 41):  # Connection.Open-Ok
                sock.sendall(method(10, 50, struct.pack(">H", 200) + shortstr("rotation test") + struct.pack(">HH", 0, 0)))
                return
        if answer[:2] == (10, 50):  # Connection.Close: its reply code and text say why
            code = struct.unpack(">H", answer[2][:2])[0]
            raise ConnectionError("%d %s" % (code, answer[2][3:3 + answer[2][2]].decode("utf-8", "replace")))
        raise ConnectionError("the broker answered method %d.%d" % answer[:2])


def main():
    mode = os.environ.get("MODE") or "users"
    if mode == "test":
        user = os.environ.get("PENDING_USER", "")
        try:
            sign_in(os.environ["BROKER_AMQP"], user, os.environ.get("PENDING_PASSWORD", ""), os.environ.get("BROKER_VHOST", "/"))
        except (OSError, ConnectionError) as exc:
            raise SystemExit("%s cannot sign in to the broker at %s: %s" % (user, os.environ["BROKER_AMQP"], exc)) from exc
        print("%s signs in to the broker" % user)
        return 0
    if mode not in ("users", "set"):
        raise SystemExit("MODE %s is not users, set or test" % mode)
    users = wanted_users() if mode == "users" else pending_user()
    wait_for_broker()
    put_users(users)
    return 0


if __name__ == "__main__":
    sys.exit(main())
