#!/usr/bin/env bash
# Set up a fresh checkout: a Python 3.12+ virtual environment from the pinned
# requirements, and the checkout itself on the collections path as cloud_design.platform.
# Idempotent: re-running does nothing unless requirements.txt changed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
venv="${PLATFORM_VENV:-$top/.venv}"
stamp="$venv/.requirements.sha256"

# A candidate counts only if it really runs and is 3.12 or newer (pyenv shims answer
# "command not found" for versions that are installed but not selected).
good_python() {
  "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local c
  local -a candidates=()
  [ -n "${PLATFORM_PYTHON:-}" ] && candidates+=("$PLATFORM_PYTHON")
  for c in python3.14 python3.13 python3.12 python3; do
    command -v "$c" >/dev/null 2>&1 && candidates+=("$(command -v "$c")")
  done
  # Interpreters installed by pyenv, uv or the OS but not on PATH.
  local roots=()
  command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root 2>/dev/null)/versions")
  roots+=("$HOME/.pyenv/versions" "$HOME/.local/share/uv/python")
  local r
  for r in "${roots[@]}"; do
    [ -d "$r" ] || continue
    for c in $(ls -1d "$r"/*/bin/python3 "$r"/*/bin/python3.1[2-9] 2>/dev/null | sort -rV); do
      candidates+=("$c")
    done
  done
  for c in /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    [ -x "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    if good_python "$c"; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$venv/bin/python" ] || ! good_python "$venv/bin/python"; then
  if ! py=$(find_python); then
    cat >&2 <<'MSG'
ERROR: no working Python 3.12 or newer was found (ansible-core 2.21 needs it).
Install one, then run the command again:
  - Debian/Ubuntu: apt-get install python3.12 python3.12-venv (or a newer version)
  - pyenv:         pyenv install 3.12
  - uv:            uv python install 3.12
  - or point at an interpreter you have: PLATFORM_PYTHON=/path/to/python3.12 make demo
MSG
    exit 1
  fi
  echo "Creating the virtual environment with $("$py" --version 2>&1) ($py)"
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi

uv_version=0.13.9
want=$(sha256sum "$top/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing pinned requirements into the virtual environment"
  # uv installs the pinned set faster than pip; pip does it when uv cannot be had or cannot reach
  # the index (uv reads UV_INDEX_URL, not pip.conf). Bytecode is compiled at install, as pip does:
  # where PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile botocore and
  # ansible anew on import (measured: molecule 627 s -> 842 s).
  if "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version" >/dev/null 2>&1 &&
    "$venv/bin/uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" -r "$top/requirements.txt"; then
    :
  else
    echo "uv was not usable here; installing with pip (a few minutes the first time)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$top/requirements.txt"
  fi
  echo "$want" > "$stamp"
fi

# The checkout as cloud_design.platform on the collections path that ansible.cfg names.
link="$top/.collections/ansible_collections/cloud_design/platform"
mkdir -p "$(dirname "$link")"
if [ "$(readlink "$link" 2>/dev/null)" != "../../.." ]; then
  rm -rf "$link"
  ln -s ../../.. "$link"
fi

# Mitogen's strategy plugins at a fixed path for ansible.cfg (strategy_plugins), whatever the
# interpreter's site-packages is called: one Python per host serves every task instead of a
# new process per module (make bench measures the difference).
mitogen_dir=$("$venv/bin/python" -c 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))')
if [ "$(readlink "$top/.collections/mitogen" 2>/dev/null)" != "$mitogen_dir" ]; then
  rm -rf "$top/.collections/mitogen"
  ln -s "$mitogen_dir" "$top/.collections/mitogen"
fi

# Graphviz renders the architecture diagram of playbooks/verify.yml as PNG and SVG (without it,
# verify writes DOT and Mermaid only). The set-up never changes the system unasked: it says what to
# install, once, and installs it with apt only when PLATFORM_INSTALL_PACKAGES=1 (make test's servers
# are the suite's own set-up: tools/test.sh).
if ! command -v dot >/dev/null 2>&1; then
  if [ "${PLATFORM_INSTALL_PACKAGES:-0}" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Graphviz (apt-get install graphviz) for the architecture diagram (PLATFORM_INSTALL_PACKAGES=1)"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz >/dev/null 2>&1; }; } ||
      echo "Graphviz could not be installed; verify.yml will write the diagram as DOT and Mermaid only"
  elif [ ! -e "$venv/.graphviz-noted" ]; then
    echo "Note: Graphviz' dot is not installed; verify.yml writes the diagram as DOT and Mermaid only."
    echo "      For PNG and SVG: apt-get install graphviz | brew install graphviz | dnf install graphviz"
    echo "      (or PLATFORM_INSTALL_PACKAGES=1 make venv, as root with apt)"
    touch "$venv/.graphviz-noted"
  fi
fi
