#!/usr/bin/env bash
# Install what the test suite needs and run it. Usage: tools/run-tests.sh [pytest args]
#
# - Debian packages for the real servers the tests use (PostgreSQL, MariaDB,
#   RabbitMQ) and Chromium are installed when missing and we are root.
# - Python packages go into .venv (created when missing).
# - The servers themselves are started by the test fixtures, on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v pg_ctlcluster >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_pkgs+=(mariadb-server)
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || need_pkgs+=(rabbitmq-server)
# The browser of the Horizon panel tests (driven by Playwright).
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "Installing ${need_pkgs[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
    else
        echo "Not root: tests that need ${need_pkgs[*]} will be skipped" >&2
    fi
fi
export PATH="$PATH:/usr/sbin"

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r requirements.txt -r test-requirements.txt
.venv/bin/pip install -q --no-deps -e .

if [ "$(id -u)" = 0 ]; then
    # With the servers installed, a skipped server test is a failure.
    export MASAKARI_TEST_REQUIRE_SERVERS=${MASAKARI_TEST_REQUIRE_SERVERS:-1}
fi
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
