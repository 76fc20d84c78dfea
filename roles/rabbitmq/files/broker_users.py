# Makes or updates one broker user per client app, run once per change by a one-off ECS task inside the VPC
# (cloud_design.platform.rabbitmq, converge.yml), so that no app signs in as the broker's administrator.
#
# Through the management HTTP API (RabbitMQ's "Management HTTP API" reference), as the administrator (ADMIN_USER,
# ADMIN_PASSWORD), at BROKER_URL, in the virtual host BROKER_VHOST:
# - each client of BROKER_CLIENTS ({"api-gateway": {"configure": regex, "write": regex, "read": regex}, ...}) becomes a
#   user without management tags whose password is <CLIENT>_PASSWORD (upper case, "-" as "_"), sent as a salted SHA-256
#   hash (rabbit_password_hashing_sha256), never in clear;
# - the user gets exactly those permissions in the virtual host and none in another.
# Safe to run again: every call is a PUT of the wanted state.
import base64
import hashlib
import json
import os
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


def wanted_users():
    """[(name, password, permissions)] from the environment; every problem found before the first call."""
    clients = json.loads(os.environ["BROKER_CLIENTS"])
    admin = os.environ["ADMIN_USER"]
    users = []
    for name, permissions in sorted(clients.items()):
        if name == admin:
            raise SystemExit("client %s has the administrator's name; give the administrator another" % name)
        variable = name.upper().replace("-", "_") + "_PASSWORD"
        password = os.environ.get(variable)
        if not password:
            raise SystemExit("%s is not set: the client %s has no password" % (variable, name))
        users.append((name, password, {key: permissions.get(key, "^$") for key in ("configure", "write", "read")}))
    return users


def main():
    users = wanted_users()
    vhost_name = os.environ.get("BROKER_VHOST", "/")
    vhost = urllib.parse.quote(vhost_name, safe="")
    wait_for_broker()
    for name, password, permissions in users:
        user = urllib.parse.quote(name, safe="")
        call("PUT", "/api/users/" + user, {"password_hash": password_hash(password),
                                           "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ""})
        call("PUT", "/api/permissions/%s/%s" % (vhost, user), permissions)
        for other in call("GET", "/api/users/%s/permissions" % user) or []:
            if other.get("vhost") != vhost_name:
                call("DELETE", "/api/permissions/%s/%s" % (urllib.parse.quote(other["vhost"], safe=""), user))
        print("broker user %s is in place" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
