#!/usr/bin/env bash
# The whole test suite, or one stage of it: tools/test.sh [lint|sanity|unit|scenarios|molecule|e2e]...
# The whole suite is lint, sanity, unit and scenarios (the molecule scenarios and the end-to-end files in one pool),
# the pool running beside the other three (run_all, below).
# Each stage that needs AWS starts its own embedded endpoint on a free port and stops it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
venv="${PLATFORM_VENV:-$top/.venv}"
bin="$venv/bin"
export PATH="$bin:$PATH"
export ANSIBLE_CONFIG="$top/ansible.cfg"
py="$bin/python"
stages=("$@")

banner() { printf '\n==== %s ====\n' "$*"; }

stage_lint() {
  banner "ansible-lint (production profile)"
  ansible-lint
}

stage_sanity() {
  banner "ansible-test sanity"
  local pyver site build pipver
  pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections
  # ansible-test downloads a get-pip script from a host offline machines cannot reach;
  # put our stand-in where it looks first (named after the pip version it pins).
  pipver=$(sed -n "s/^ *pip='\([0-9.]*\)',.*/\1/p" "$site/../ansible_test/_internal/python_requirements.py" | head -1)
  mkdir -p "$HOME/.ansible/test/cache"
  cp tools/get_pip_offline.py "$HOME/.ansible/test/cache/get_pip_${pipver//./_}.py"
  # ansible-test wants the tree at .../ansible_collections/<namespace>/<name>, physically,
  # with the collections it depends on beside it.
  # Outside the checkout: inside it, ansible-test would list files through this repo's git,
  # which ignores the copy.
  root="${PLATFORM_SANITY_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cloud_design.platform/sanity}"
  build="$root/ansible_collections/cloud_design/platform"
  mkdir -p "$build"
  # A fresh copy of the tracked and new files each run; tests/output (ansible-test's cache) stays.
  find "$build" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
  find "$build/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} + 2>/dev/null || true
  git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$build"
  for ns in amazon community; do
    ln -sfn "$site/$ns" "$root/ansible_collections/$ns"
  done
  (cd "$build" && ansible-test sanity --venv --python "$pyver" --requirements --color no)
}

# The unit tests run what the one-off jobs run against real servers: PostgreSQL (the apps' database roles) and
# RabbitMQ with its management plugin (the broker's users); the end-to-end verify renders its diagram with
# Graphviz. make test is the suite's set-up: installed where this runs as root with apt (CI machines); elsewhere
# the tests that need them fail and say what to install.
test_servers() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  command -v dot >/dev/null 2>&1 || missing+=(graphviz)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the servers the unit tests use: ${missing[*]}"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; } ||
      echo "Could not install ${missing[*]}; the tests that need them will fail and say so"
  else
    echo "Note: the unit tests need ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]})"
  fi
}

stage_unit() {
  banner "unit tests (pytest)"
  test_servers
  "$py" -m pytest tests/unit -q -p no:cacheprovider -n "${PLATFORM_TEST_WORKERS:-2}"
}

# The scenario tests are whole playbook runs: much of their time is spent waiting (on the endpoint, on the waits that
# rehearse AWS's own: IAM propagation, load balancer provisioning), so more of them run at once than there are cores.
# Each molecule scenario and each end-to-end file is a unit of work on one worker, with its own endpoint, the longest
# first (tests/conftest.py).
scenario_workers() { echo "${PLATFORM_SCENARIO_WORKERS:-3}"; }

run_scenarios() {
  "$py" -m pytest "$@" -q -p no:cacheprovider -n "$(scenario_workers)" --dist loadscope --no-loadscope-reorder --durations=15
}

stage_scenarios() {
  banner "molecule scenarios and end-to-end runs of playbooks/site.yml, each against a private endpoint"
  test_servers
  run_scenarios tests/molecule tests/e2e
}

stage_molecule() {
  banner "molecule (every role, against a private endpoint)"
  run_scenarios tests/molecule
}

stage_e2e() {
  banner "end-to-end: playbooks/site.yml against a private endpoint"
  test_servers
  run_scenarios tests/e2e
}

# The whole suite: the scenario pool starts first, in a session of its own, and the other stages run beside it: the pool
# leaves part of the cores idle (its runs wait), which lint, sanity and the unit tests take. Its output follows theirs.
run_all() {
  local log pid
  test_servers  # before the pool, whose end-to-end verify draws with Graphviz
  log=$(mktemp)
  setsid -w bash "$0" scenarios >"$log" 2>&1 &
  pid=$!
  trap 'kill -- -'"$pid"' 2>/dev/null || true; rm -f "'"$log"'"' EXIT
  stage_lint
  stage_sanity
  stage_unit
  echo
  echo "(waiting for the molecule scenarios and end-to-end runs, started with the stages above)"
  local status=0
  wait "$pid" || status=$?
  cat "$log"
  if [ "$status" -ne 0 ]; then
    echo "the molecule scenarios or end-to-end runs failed (above)"
    exit 1
  fi
  trap - EXIT
  rm -f "$log"
}

start=$(date +%s)
if [ ${#stages[@]} -eq 0 ]; then
  run_all
  stages=(lint sanity unit scenarios)
else
  for s in "${stages[@]}"; do
    "stage_$s"
  done
fi
echo
echo "all stages passed (${stages[*]}) in $(( $(date +%s) - start )) s"
