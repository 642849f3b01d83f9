#!/usr/bin/env bash
# Runs Rollcall's whole test suite on both engines: SQLite, then PostgreSQL in a
# throwaway cluster on 127.0.0.1 that this script creates and removes.
# Installs what is missing (PostgreSQL server, redis-server, Node packages of the
# client tests) when it can; a part that cannot be had fails the run loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

command -v python3 >/dev/null || apt_install python3 python3-pip
need_postgres
need_redis
need_node_clients
need_python_clients

work=$(mktemp -d /tmp/rollcall-test.XXXXXX)
trap 'stop_services "$work"' EXIT
start_postgres "$work"
start_redis "$work"

echo "== building tests (and benchmarks, which are compiled here but never run as tests)"
cargo test --no-run --locked --all-targets 2>&1 | tail -n 3

echo "== test suite on SQLite"
ROLLCALL_TEST_DATABASE=sqlite cargo test --locked

echo "== test suite on PostgreSQL ($ROLLCALL_PG_ADMIN_URL)"
ROLLCALL_TEST_DATABASE="$ROLLCALL_PG_ADMIN_URL" cargo test --locked

echo "== all tests passed on SQLite and PostgreSQL"
