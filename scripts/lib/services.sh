# Helpers for scripts that need PostgreSQL, Redis or the Node client packages.
# Sourced, not run. Each `need_*` installs a missing part when it may (root with
# apt-get), and otherwise stops the script with a message naming what is missing.

die() { echo "error: $*" >&2; exit 1; }

apt_install() {
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "== installing $*"
    if [ -z "${_apt_updated:-}" ]; then apt-get update -qq >/dev/null || true; _apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
      || die "apt-get install $* failed"
  else
    die "missing $*; install it (Debian: apt-get install $*)"
  fi
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

need_postgres() {
  pg_bindir >/dev/null || apt_install postgresql
  PG_BIN=$(pg_bindir) || die "PostgreSQL server binaries not found after install"
}

need_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  command -v redis-server >/dev/null || die "redis-server not found after install"
}

need_node_clients() {
  [ -f tests/clients/package.json ] || return 0
  command -v node >/dev/null || apt_install nodejs npm
  if [ ! -d tests/clients/node_modules ]; then
    echo "== installing Node packages for the client tests"
    (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in tests/clients"
  fi
}

need_python_clients() {
  command -v python3 >/dev/null || apt_install python3 python3-pip
  if ! python3 -c "import socketio, websocket" 2>/dev/null; then
    echo "== installing the Python Socket.IO client for the client tests"
    local pkgs=("python-socketio[client]>=5" "websocket-client>=1")
    # Debian's own Python refuses system-wide pip installs (PEP 668): then use its packages.
    python3 -m pip install -q "${pkgs[@]}" 2>/dev/null \
      || python3 -m pip install -q --break-system-packages "${pkgs[@]}" 2>/dev/null \
      || apt_install python3-socketio python3-websocket
  fi
  python3 -c "import socketio, websocket" || die "python-socketio (client) is still missing"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts a throwaway cluster in $1/pg; exports ROLLCALL_PG_ADMIN_URL.
start_postgres() {
  local dir="$1/pg" port run_as=()
  port=$(free_port)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: use an unprivileged account.
    id rollcall-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin rollcall-pg
    chown -R rollcall-pg "$1"
    chmod 755 "$1"
    run_as=(runuser -u rollcall-pg --)
  fi
  "${run_as[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null \
    || die "initdb failed"
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start \
    -o "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=400 -c shared_buffers=128MB -c synchronous_commit=off" \
    >/dev/null || { cat "$dir/log" >&2; die "PostgreSQL did not start"; }
  export ROLLCALL_PG_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export ROLLCALL_PG_DIR="$dir"
  export ROLLCALL_PG_RUN_AS="${run_as[*]:-}"
  echo "== PostgreSQL on 127.0.0.1:$port"
}

# Starts redis-server on a free port; exports ROLLCALL_TEST_REDIS_URL.
start_redis() {
  local port
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$1/redis.pid" --logfile "$1/redis.log" >/dev/null || die "redis-server did not start"
  export ROLLCALL_TEST_REDIS_URL="redis://127.0.0.1:$port"
  echo "== redis on 127.0.0.1:$port"
}

stop_services() {
  local dir="$1"
  if [ -n "${ROLLCALL_PG_DIR:-}" ] && [ -d "$ROLLCALL_PG_DIR/data" ]; then
    # shellcheck disable=SC2086
    ${ROLLCALL_PG_RUN_AS:-} "$PG_BIN/pg_ctl" -D "$ROLLCALL_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
