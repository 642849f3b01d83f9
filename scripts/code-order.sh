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
# Regenerate after toolchain or dependency upgrades and large changes (symbol names carry
# hashes of both): symbols that no longer exist are skipped by the linker, so a stale
# list costs memory, never correctness.
set -euo pipefail
export LC_ALL=C # one byte order for sort and comm, and for the committed list
cd "$(dirname "$0")/.."
order=link/code-order.txt
bin=target/release/rollcall

# Text symbols defined in the binary, one per line, sorted.
text_symbols() {
  nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u
}

if [[ "${1:-}" == "--check" ]]; then
  # Exits non-zero when fewer than 90% of the listed symbols are in the build.
  [[ -x "$bin" ]] || { echo "no $bin: run cargo build --release first" >&2; exit 1; }
  text_symbols >/tmp/rollcall-text.$$
  found=$(comm -12 /tmp/rollcall-text.$$ <(sort -u "$order") | wc -l)
  rm -f /tmp/rollcall-text.$$
  listed=$(wc -l <"$order")
  echo "$found of $listed symbols in $order are in $bin"
  [[ $((found * 10)) -ge $((listed * 9)) ]]
  exit
fi

for tool in valgrind nm curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install valgrind binutils curl python3)" >&2; exit 1; }
done
cargo build --release --locked
bin=$PWD/$bin
work=$(mktemp -d /tmp/rollcall-order.XXXXXX)
server=
trap '[[ -n "$server" ]] && kill -9 "$server" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The same start as the start-up benchmark: a fresh SQLite database, then /health,
# then a few seconds of idling (background jobs and WAL checkpoints tick meanwhile).
# It runs in the scratch folder, so no .env of the checkout is read.
(cd "$work" && exec env -i PORT="$port" DATA_DIR="$work/data" RUST_LOG=warn \
  "$(command -v valgrind)" --tool=callgrind --demangle=no \
  --callgrind-out-file="$work/callgrind.out" "$bin" >"$work/log" 2>&1) &
server=$!
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/log" >&2; exit 1; }
sleep 4
kill -INT "$server"
timeout 30 tail --pid="$server" -f /dev/null || { echo "the server did not stop" >&2; exit 1; }
server=

# Every function callgrind saw run is named once, on an fn= or cfn= line.
sed -n -E 's/^c?fn=\([0-9]+\) (.*)$/\1/p' "$work/callgrind.out" | sort -u >"$work/ran"
text_symbols >"$work/text"
comm -12 "$work/ran" "$work/text" >"$work/order"
# A failed run must not replace the list with a short one.
[[ $(wc -l <"$work/order") -ge 500 ]] || { echo "only $(wc -l <"$work/order") symbols recorded; $order left as it was" >&2; exit 1; }
mkdir -p link
mv "$work/order" "$order"
echo "wrote $(wc -l <"$order") symbols to $order"
