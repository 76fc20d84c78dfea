"""The app's own database role (roles/workload/files/database_roles.sh), run against a real PostgreSQL server.

The endpoint runs no container, so the script the one-off ECS task runs is proven here: a throw-away cluster on
loopback, with a master that is no superuser (as Aurora's master is not), objects the master made before, and the
script run as the task runs it (sh, the same environment variables).
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(TOP, "roles", "workload", "files", "database_roles.sh")
MASTER, MASTER_PASSWORD = "billing", "master-Secret-0"
APP, DB = "billing_app", "billing"


def server_bin():
    for candidate in [os.path.dirname(shutil.which("postgres") or "")] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if candidate and os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    pytest.fail("these tests need a PostgreSQL server (initdb, postgres) and psql; on Debian: apt-get install postgresql")
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, base):
        self.bin = server_bin()
        self.data = os.path.join(base, "data")
        self.socket_dir = os.path.join(base, "socket")
        self.log = os.path.join(base, "server.log")
        self.port = free_port()
        os.makedirs(self.socket_dir)
        # PostgreSQL refuses to run as root: as root, the server runs as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(base, "postgres")
            shutil.chown(self.socket_dir, "postgres")

    def run(self, *argv):
        done = subprocess.run(self.as_user + list(argv), capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, "%s: %s%s" % (" ".join(argv), done.stdout, done.stderr)
        return done

    def start(self):
        self.run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres", "--auth-local=trust",
                 "--auth-host=scram-sha-256")
        options = "-c listen_addresses=127.0.0.1 -p %d -k %s -c log_statement=all -c log_min_error_statement=error" % (
            self.port, self.socket_dir)
        self.run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self):
        self.run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop")

    def admin(self, sql, db="postgres"):
        """As the cluster's superuser, over the socket."""
        return self.run("psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir, "-p", str(self.port),
                        "-U", "postgres", "-d", db, "-c", sql).stdout.strip()

    def sign_in(self, user, password, sql, db=DB):
        """As a user with a password, over TCP (scram-sha-256, as the tasks sign in)."""
        env = dict(os.environ, PGPASSWORD=password)
        return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", user, "-d", db, "-c", sql], capture_output=True, text=True, timeout=60, env=env, check=False)

    def server_log(self):
        with open(self.log, encoding="utf-8") as handle:
            return handle.read()


@pytest.fixture(name="server")
def fixture_server():
    # Not under pytest's own temporary directory: that one is private to this user, and the server may run as another.
    base = tempfile.mkdtemp(prefix="database-roles-")
    os.chmod(base, 0o755)
    server = Server(base)
    server.start()
    # Aurora's master: a login with CREATEROLE and CREATEDB, not a superuser, owning the app's database.
    server.admin("CREATE ROLE %s LOGIN CREATEROLE CREATEDB PASSWORD '%s'" % (MASTER, MASTER_PASSWORD))
    server.admin("CREATE DATABASE %s OWNER %s" % (DB, MASTER))
    server.admin("GRANT ALL ON SCHEMA public TO %s" % MASTER, db=DB)
    made = server.sign_in(MASTER, MASTER_PASSWORD, "CREATE TABLE orders (id serial PRIMARY KEY, total int);"
                          "CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;"
                          "CREATE SEQUENCE invoice_numbers; INSERT INTO orders (total) VALUES (7)")
    assert made.returncode == 0, made.stderr
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


def run_script(server, app_password, app_user=APP, **more):
    env = {"PATH": os.environ["PATH"], "PGHOST": "127.0.0.1", "PGPORT": str(server.port), "PGDATABASE": DB,
           "PGUSER": MASTER, "PGPASSWORD": MASTER_PASSWORD, "APP_USER": app_user, "APP_PASSWORD": app_password}
    env.update(more)
    # No terminal, as in an ECS task: \password reads standard input.
    return subprocess.run(["sh", SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL, start_new_session=True)


def test_the_app_gets_its_own_role_that_keeps_the_masters_data(server):
    done = run_script(server, "app-Secret-1")
    assert done.returncode == 0, done.stderr
    # The app signs in with its own password, reads and writes what the master made, and makes its own tables.
    used = server.sign_in(APP, "app-Secret-1", "INSERT INTO orders (total) VALUES (200); SELECT count(*) FROM big_orders;"
                          "SELECT nextval('invoice_numbers'); CREATE TABLE payments (id int); SELECT current_user")
    assert used.returncode == 0, used.stderr
    assert used.stdout.split() == ["1", "1", APP]
    owners = server.admin("SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class c "
                          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'", db=DB)
    assert owners == APP


def test_the_app_role_holds_no_power_beyond_its_database(server):
    assert run_script(server, "app-Secret-1").returncode == 0
    flags = server.admin("SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles "
                         "WHERE rolname = '%s'" % APP)
    assert flags == "f|f|f|f|f"
    # Not a member of the master's role: it cannot act as the master.
    assert server.admin("SELECT pg_has_role('%s', '%s', 'MEMBER')" % (APP, MASTER)) == "f"
    # PUBLIC lost CONNECT on the app's database; the app has it by name.
    assert server.admin("SELECT has_database_privilege('public', '%s', 'CONNECT')" % DB) == "f"
    refused = server.sign_in(APP, "app-Secret-1", "CREATE ROLE sneaky")
    assert refused.returncode != 0 and "permission denied" in refused.stderr


def test_the_clear_password_never_reaches_the_server(server):
    assert run_script(server, "app-Secret-Unique-42").returncode == 0
    stored = server.admin("SELECT rolpassword FROM pg_authid WHERE rolname = '%s'" % APP)
    assert stored.startswith("SCRAM-SHA-256$")
    log = server.server_log()
    # The server logs every statement here (log_statement=all): the role's statements are there, its password not.
    assert "ALTER ROLE" in log or "ALTER USER" in log
    assert "app-Secret-Unique-42" not in log


def test_a_second_run_changes_nothing_and_a_new_password_replaces_the_old(server):
    assert run_script(server, "app-Secret-1").returncode == 0
    again = run_script(server, "app-Secret-1")
    assert again.returncode == 0, again.stderr
    assert server.sign_in(APP, "app-Secret-1", "SELECT 1").returncode == 0
    rotated = run_script(server, "app-Secret-2")
    assert rotated.returncode == 0, rotated.stderr
    assert server.sign_in(APP, "app-Secret-2", "SELECT 1").returncode == 0
    old = server.sign_in(APP, "app-Secret-1", "SELECT 1")
    assert old.returncode != 0 and "password authentication failed" in old.stderr


def test_bad_input_stops_before_any_change(server):
    bad = run_script(server, "app-Secret-1", app_user="Robert'); DROP TABLE orders;--")
    assert bad.returncode == 2 and "APP_USER must be" in bad.stderr
    assert server.admin("SELECT count(*) FROM orders", db=DB) == "1"
    # The master's password wrong: the script fails, says so, and has made nothing.
    env = {"PATH": os.environ["PATH"], "PGHOST": "127.0.0.1", "PGPORT": str(server.port), "PGDATABASE": DB,
           "PGUSER": MASTER, "PGPASSWORD": "not-it", "APP_USER": APP, "APP_PASSWORD": "x" * 20}
    failed = subprocess.run(["sh", SCRIPT], env=env, capture_output=True, text=True, timeout=60, check=False,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    assert failed.returncode != 0 and "password authentication failed" in failed.stderr
    assert server.admin("SELECT count(*) FROM pg_roles WHERE rolname = '%s'" % APP) == "0"


CLONE = APP + "_clone"


def test_rotation_alternates_two_logins_that_share_one_owner(server):
    """Alternating users: the clone gets its password, the base login keeps its own; both act as the base role."""
    assert run_script(server, "app-Secret-1").returncode == 0
    made = server.sign_in(APP, "app-Secret-1", "CREATE TABLE stock (id int)")
    assert made.returncode == 0, made.stderr
    cloned = run_script(server, "clone-Secret-2", app_user=CLONE, BASE_USER=APP)
    assert cloned.returncode == 0, cloned.stderr
    # The base login still signs in with its password: the tasks that hold it keep working.
    assert server.sign_in(APP, "app-Secret-1", "SELECT 1").returncode == 0
    # The clone signs in with the new one, acts as the base role, uses its objects and makes objects it owns.
    used = server.sign_in(CLONE, "clone-Secret-2", "INSERT INTO stock VALUES (1); ALTER TABLE stock ADD COLUMN n int;"
                          "CREATE TABLE shipments (id int); SELECT current_user, session_user")
    assert used.returncode == 0, used.stderr
    assert used.stdout.split() == ["%s|%s" % (APP, CLONE)]
    assert server.admin("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'shipments'", db=DB) == APP
    flags = server.admin("SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles "
                         "WHERE rolname = '%s'" % CLONE)
    assert flags == "f|f|f|f|f"
    # The next rotation goes back to the base login: its new password works, the clone's stays as it was.
    back = run_script(server, "app-Secret-3", BASE_USER=APP)
    assert back.returncode == 0, back.stderr
    assert server.sign_in(APP, "app-Secret-3", "SELECT 1").returncode == 0
    assert server.sign_in(APP, "app-Secret-1", "SELECT 1").returncode != 0
    assert server.sign_in(CLONE, "clone-Secret-2", "SELECT 1").returncode == 0


def test_test_mode_only_signs_in(server):
    assert run_script(server, "app-Secret-1").returncode == 0
    tested = run_script(server, "app-Secret-1", MODE="test", PGPASSWORD="not-the-master")
    assert tested.returncode == 0, tested.stderr
    wrong = run_script(server, "not-it", MODE="test")
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr
    # Test mode changed nothing: the password is still the first one.
    assert server.sign_in(APP, "app-Secret-1", "SELECT 1").returncode == 0


def test_a_clone_must_be_the_base_users_clone(server):
    bad = run_script(server, "x" * 20, app_user="someone_else", BASE_USER=APP)
    assert bad.returncode == 2 and "BASE_USER_clone" in bad.stderr
    assert server.admin("SELECT count(*) FROM pg_roles WHERE rolname IN ('%s', 'someone_else')" % APP) == "0"
