#!/usr/bin/env bash
# Records which functions of the release binary run while the server starts and sits
# idle, and writes their symbols to link/code-order.txt. build.rs hands that file to the
# linker (lld's --symbol-ordering-file), which places those functions next to each
# other at the start of the code, so an idle server maps a few hundred pages of code
# instead of pages scattered over the whole binary (idle memory: see BENCHMARKS.md).
#
# Usage: scripts/code-order.sh          regenerate link/code-order.txt (needs valgrind)
#        scripts/code-order.sh --check  how many listed symbols the current build has
#
# Regenerate after dependency upgrades or large changes: symbols that no longer exist
# are skipped by the linker, so a stale list costs memory, never correctness.
set -euo pipefail
cd "$(dirname "$0")/.."
order=link/code-order.txt
bin=target/release/rollcall

# Text symbols defined in the binary, one per line, sorted.
text_symbols() {
  nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u
}

if [[ "${1:-}" == "--check" ]]; then
  [[ -x "$bin" ]] || { echo "no $bin: run cargo build --release first" >&2; exit 1; }
  found=$(comm -12 <(text_symbols) <(sort -u "$order") | wc -l)
  echo "$found of $(wc -l <"$order") symbols in $order are in $bin"
  exit 0
fi

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
cargo build --release --locked
work=$(mktemp -d /tmp/rollcall-order.XXXXXX)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The same start as the start-up benchmark: a fresh SQLite database, then /health,
# then a few seconds of idling (background jobs and WAL checkpoints tick meanwhile).
env -i PORT="$port" DATA_DIR="$work/data" RUST_LOG=warn \
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.out" \
  "$bin" >"$work/log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/log" >&2; exit 1; }
sleep 4
kill -INT "$server"
wait "$server" || true

# Every function callgrind saw run is named once, on an fn= or cfn= line.
sed -n -E 's/^c?fn=\([0-9]+\) (.*)$/\1/p' "$work/callgrind.out" | sort -u >"$work/ran"
mkdir -p link
comm -12 "$work/ran" <(text_symbols) >"$order"
echo "wrote $(wc -l <"$order") symbols to $order"
