#!/usr/bin/env bash
# Attendance check-in/out load (see BENCHMARKS.md): builds the release server and the
# load generator (benches/checkin_load.rs), then for SQLite and for PostgreSQL starts a
# fresh server pinned to core 0 (`taskset -c 0`) and runs the generator pinned to
# core 1. PostgreSQL itself (a throwaway cluster) is not pinned.
# Knobs: BENCH_ENGINES ("sqlite postgres"), BENCH_EMPLOYEES, BENCH_CONCURRENCY,
# BENCH_SECONDS, BENCH_WARMUP_SECONDS; BENCH_PERF=DIR adds a perf profile of the server
# during the load (a separate pass: profiling costs CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

engines=${BENCH_ENGINES:-sqlite postgres}
echo "== building release server and load generator"
bench_bin=$(cargo build --release --locked --bin rollcall --bench checkin_load --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "checkin_load" and m.get("executable"):
        print(m["executable"])')
[ -x "$bench_bin" ] || die "load generator not built"

work=$(mktemp -d /tmp/rollcall-bench.XXXXXX)
secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
pid=
# (`|| true`: under `set -e` a failed kill of an already stopped server would end the
# trap before the cluster is stopped.)
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; stop_services "$work"' EXIT

start_server() { # label url port -> sets $pid
  env DATA_DIR="$work/data-$1" DATABASE_URL="$2" PORT="$3" JWT_SECRET="$secret" \
    FREE_PLAN_MAX_USERS=100000 RUST_LOG=warn RATE_LOGIN_PER_IP=1000000 \
    taskset -c 0 target/release/rollcall &
  pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$3/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || die "the server exited during start-up"
    sleep 0.1
  done
  die "the server did not answer /health within 60 s"
}

# Setup (sign-ups and sign-ins, which hash passwords) runs against one server; the
# load runs against a fresh one on the same database, so its memory is the load's.
run_engine() {
  local label=$1 url=$2 port
  port=$(free_port)
  echo "== $label: setup"
  start_server "$label" "$url" "$port"
  ROLLCALL_URL="http://127.0.0.1:$port" ROLLCALL_PID=$pid taskset -c 1 "$bench_bin" --bench setup "$work/tokens-$label"
  kill "$pid"; wait "$pid" || true
  echo "== $label: server on 127.0.0.1:$port (core 0), load generator on core 1"
  start_server "$label" "$url" "$port"
  local perf_pid=
  if [ -n "${BENCH_PERF:-}" ]; then
    # Profiling pass (not for the figures): samples the server during the load.
    perf record -F 499 -g -p "$pid" -o "$work/perf-$label.data" -- sleep "${BENCH_SECONDS:-20}" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  ROLLCALL_URL="http://127.0.0.1:$port" ROLLCALL_PID=$pid taskset -c 1 "$bench_bin" --bench load "$work/tokens-$label"
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    mkdir -p "$BENCH_PERF"
    perf report -i "$work/perf-$label.data" --stdio --no-children --sort dso,symbol --percent-limit 0.7 \
      > "$BENCH_PERF/perf-$label.txt" 2>/dev/null || true
    echo "profile: $BENCH_PERF/perf-$label.txt"
  fi
  kill "$pid"; wait "$pid" || true
}

for engine in $engines; do
  case $engine in
    sqlite) run_engine sqlite "sqlite://$work/data-sqlite/rollcall.db" ;;
    postgres)
      need_postgres
      start_postgres "$work"
      run_engine postgres "$ROLLCALL_PG_ADMIN_URL"
      ;;
    *) die "unknown engine $engine" ;;
  esac
done
