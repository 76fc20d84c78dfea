# Makes or updates the app's own database role, run once per change by a one-off ECS task inside the VPC
# (cloud_design.platform.workload, database.yml). It signs in as the master user (PGUSER, PGPASSWORD) to
# PGHOST/PGDATABASE and makes APP_USER:
# - a login role without superuser, CREATEDB, CREATEROLE or replication, that may connect to this database
#   only and create in its public schema;
# - the owner of the tables, views and sequences the master made there (the apps signed in as the master
#   before), so it keeps reading and migrating them;
# - its password set by psql's \password, which hashes it (SCRAM) before it leaves the task: the clear
#   password never reaches the server nor its log.
# Safe to run again: every step converges instead of creating.
#
# Automatic rotation alternates two logins (Secrets Manager's alternating-users strategy): BASE_USER (APP_USER when
# unset) and BASE_USER_clone. The clone is a member of the base role that acts as it in every session (ALTER ROLE ...
# SET role), so what it makes belongs to the base role too and both logins see the same objects; only the password of
# APP_USER changes, so the other login's sessions and tasks keep working until the next rotation. The rotation function
# runs this script with MODE=set for the pending login, then with MODE=test, which only signs in as it.
set -eu
: "${PGHOST:?}" "${PGDATABASE:?}" "${APP_USER:?}" "${APP_PASSWORD:?}"
BASE_USER="${BASE_USER:-$APP_USER}"
for name in "$APP_USER" "$BASE_USER"; do
  case "$name" in
    *[!a-z0-9_]* | [!a-z_]*) echo "APP_USER must be a lower-case PostgreSQL name (and BASE_USER too), got $name" >&2; exit 2 ;;
  esac
done
if [ "$APP_USER" != "$BASE_USER" ] && [ "$APP_USER" != "${BASE_USER}_clone" ]; then
  echo "APP_USER must be BASE_USER or BASE_USER_clone, got $APP_USER for $BASE_USER" >&2; exit 2
fi
# A database just made (a container still starting, a cluster's name still spreading) gets five minutes to answer.
tries=0
until pg_isready -q; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "$PGHOST:${PGPORT:-5432} does not answer" >&2; exit 3; fi
  sleep 5
done
if [ "${MODE:-set}" = test ]; then
  PGUSER="$APP_USER" PGPASSWORD="$APP_PASSWORD" psql -X -q -At -v ON_ERROR_STOP=1 -c 'SELECT 1' >/dev/null
  echo "database role $APP_USER of $PGDATABASE signs in"
  exit 0
fi
: "${PGUSER:?}" "${PGPASSWORD:?}"
psql -X -q -v ON_ERROR_STOP=1 -v app_user="$BASE_USER" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
SELECT format('ALTER ROLE %I LOGIN NOCREATEDB NOCREATEROLE INHERIT', :'app_user') \gexec
-- The master may hand its objects over only as a member of the new owner.
SELECT format('GRANT %I TO %I', :'app_user', current_user)
 WHERE NOT pg_has_role(current_user, :'app_user', 'MEMBER') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'app_user') \gexec
SELECT format('GRANT USAGE, CREATE ON SCHEMA public TO %I', :'app_user') \gexec
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, :'app_user')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND pg_get_userbyid(c.relowner) <> :'app_user' \gexec
-- Sequences a column owns move with their table; the others on their own.
SELECT format('ALTER SEQUENCE %I.%I OWNER TO %I', n.nspname, c.relname, :'app_user')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) <> :'app_user'
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) \gexec
SQL
if [ "$APP_USER" != "$BASE_USER" ]; then
  psql -X -q -v ON_ERROR_STOP=1 -v base_user="$BASE_USER" -v clone_user="$APP_USER" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'clone_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'clone_user') \gexec
SELECT format('ALTER ROLE %I LOGIN NOCREATEDB NOCREATEROLE INHERIT', :'clone_user') \gexec
SELECT format('GRANT %I TO %I', :'base_user', :'clone_user')
 WHERE NOT pg_has_role(:'clone_user', :'base_user', 'MEMBER') \gexec
SELECT format('ALTER ROLE %I SET role = %L', :'clone_user', :'base_user') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'clone_user') \gexec
SQL
fi
# \password reads the new password twice from its terminal, or from standard input when the task has none.
printf '%s\n%s\n' "$APP_PASSWORD" "$APP_PASSWORD" | psql -X -q -v ON_ERROR_STOP=1 -c "\\password $APP_USER"
echo "database role $APP_USER of $PGDATABASE is in place"
