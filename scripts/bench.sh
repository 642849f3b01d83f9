#!/usr/bin/env bash
# Runs one benchmark with a throwaway PostgreSQL cluster (and Redis) beside it, so
# benchmarks that compare engines can reach both. Usage: scripts/bench.sh NAME
# (a target in benches/, e.g. reports). Prints the benchmark's table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
name="${1:?usage: scripts/bench.sh BENCH_NAME}"
need_postgres
need_redis
work=$(mktemp -d /tmp/rollcall-bench.XXXXXX)
trap 'stop_services "$work"' EXIT
start_postgres "$work"
start_redis "$work"
ROLLCALL_BENCH_PG="$ROLLCALL_PG_ADMIN_URL" ROLLCALL_BENCH_REDIS="$ROLLCALL_TEST_REDIS_URL" \
  cargo bench --locked --bench "$name"
