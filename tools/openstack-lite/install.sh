#!/usr/bin/env bash
# Install what the OpenStack-lite harness needs, idempotently:
#  - Debian packages mariadb-server and rabbitmq-server (and a C compiler for
#    the uWSGI build) when they are missing and we are root;
#  - a venv of its own with nova, keystone, placement and uWSGI, at
#    $MASAKARI_OSLITE_DIR/venv (default /tmp/masakari-oslite/venv, with
#    -<uid> after masakari-oslite when not root), reused
#    when its stamp matches the requirements below.
# Exit status: 0 ready, 3 cannot run here (not root and packages missing),
# anything else a failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
default_dir=/tmp/masakari-oslite
[ "$(id -u)" = 0 ] || default_dir="$default_dir-$(id -u)"
OSLITE_DIR=${MASAKARI_OSLITE_DIR:-$default_dir}
VENV=${MASAKARI_OSLITE_VENV:-$OSLITE_DIR/venv}
PYTHON=${MASAKARI_OSLITE_PYTHON:-python3}
export PATH="$PATH:/usr/sbin:/sbin"

mkdir -p "$OSLITE_DIR"
exec 9>"$OSLITE_DIR/install.lock"
flock 9

# --- Debian packages ---
need=()
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 \
    || need+=(mariadb-server)
command -v rabbitmq-server >/dev/null 2>&1 || need+=(rabbitmq-server)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if ! "$PYTHON" - <<'PY'
import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')) else 1)
PY
then
    need+=(python3-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "openstack-lite: missing ${need[*]} and not root" >&2
        exit 3
    fi
    echo "openstack-lite: apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Python venv ---
stamp_files=("$HERE/requirements.txt")
[ -f "$HERE/constraints.txt" ] && stamp_files+=("$HERE/constraints.txt")
stamp_want=$("$PYTHON" -VV | cat - "${stamp_files[@]}" | sha256sum | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ -f "$VENV/.oslite-stamp" ] \
        && [ "$(cat "$VENV/.oslite-stamp")" = "$stamp_want" ]; then
    exit 0
fi
echo "openstack-lite: building $VENV"
start=$(date +%s)
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip setuptools wheel >/dev/null 2>&1
constraints=()
[ -f "$HERE/constraints.txt" ] && constraints=(-c "$HERE/constraints.txt")
log="$OSLITE_DIR/pip.log"
if ! "$VENV/bin/pip" install "${constraints[@]}" -r "$HERE/requirements.txt" \
        >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" | tail -30 >&2
    exit 1
fi
echo "$stamp_want" >"$VENV/.oslite-stamp"
echo "openstack-lite: venv ready in $(( $(date +%s) - start ))s"
