#!/usr/bin/env bash
# Record real per-transaction logs of clients that starve, as fixtures for the per-client figures
# (src/pgbench/clients.ts): a PgBouncer session pool of 2 behind 6 clients with think time.
#
# Starts a throwaway PostgreSQL and PgBouncer on 127.0.0.1 (as the postgres user when run as root),
# runs the cases below, writes test/fixtures/pgbench15/<case>/{argv.txt,stdout.txt,stderr.txt,
# exit.txt,VERSION.txt,log*.txt} with the logs WHOLE (every client's every line: the figures are exact), and
# stops both servers by PID from a trap whatever happens.
#
#   session-starved   one pgbench, 6 clients, 2 threads: log.txt (both thread files, concatenated)
#   split-starved     two pgbench processes of 3 clients at once, as a split cell runs them
#                     (--log-prefix pgbench_log_p0 / _p1): log_p0.txt, log_p1.txt; client ids
#                     0..2 appear in both
#
# Usage: scripts/record-client-fixtures.sh
#   PGBIN  PostgreSQL binaries (default /usr/lib/postgresql/15/bin); PORT, BOUNCER_PORT listen ports
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PORT:-25442}
BOUNCER_PORT=${BOUNCER_PORT:-25443}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../test/fixtures/pgbench15}

WORK=$(mktemp -d /tmp/client-fixtures.XXXXXX)
PG_PID=
BOUNCER_PID=
AS_PG=()
if [ "$(id -u)" = 0 ]; then AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi

stop() { # stop <pid>: SIGINT (both servers shut down fast on it), then wait, then SIGKILL
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -INT "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop "$BOUNCER_PID"
  stop "$PG_PID"
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" = 0 ]; then chown postgres: "$WORK"; fi
"${AS_PG[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust --no-sync >"$WORK/initdb.out" 2>&1
"${AS_PG[@]}" mkdir -p "$WORK/sock"
"${AS_PG[@]}" "$PGBIN/postgres" -D "$WORK/data" -c listen_addresses=127.0.0.1 -c port="$PORT" \
  -c unix_socket_directories="$WORK/sock" -c fsync=off -c max_connections=40 \
  >"$WORK/postgres.out" 2>&1 &
PG_PID=$!
for _ in $(seq 1 100); do
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
  kill -0 "$PG_PID" 2>/dev/null || { cat "$WORK/postgres.out" >&2; exit 1; }
  sleep 0.1
done
PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres "$PGBIN/pgbench" -i -s 1 -q postgres >"$WORK/init.out" 2>&1

# Session pooling, 2 server connections: the first 2 clients hold them for the whole run.
cat >"$WORK/pgbouncer.ini" <<EOF
[databases]
postgres = host=127.0.0.1 port=$PORT dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
pool_mode = session
default_pool_size = 2
max_client_conn = 100
logfile = $WORK/pgbouncer.log
EOF
echo '"postgres" ""' >"$WORK/userlist.txt"
if [ "$(id -u)" = 0 ]; then chown postgres: "$WORK/pgbouncer.ini" "$WORK/userlist.txt"; fi
"${AS_PG[@]}" /usr/sbin/pgbouncer "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.out" 2>&1 &
BOUNCER_PID=$!
for _ in $(seq 1 100); do
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$BOUNCER_PORT" && break
  kill -0 "$BOUNCER_PID" 2>/dev/null || { cat "$WORK/pgbouncer.out" >&2; exit 1; }
  sleep 0.1
done

# The web-request shape (matrices/scripts/web-request.sql at scale 1): a read, then think time.
cat >"$WORK/web.sql" <<'EOF'
\set aid random(1, 100000 * :scale)
BEGIN;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
END;
\sleep 5 ms
EOF

export PGHOST=127.0.0.1 PGPORT=$BOUNCER_PORT PGUSER=postgres PGDATABASE=postgres

# run <dir> <prefix> <pgbench args...>: one pgbench in $dir, its output into <dir>/<prefix>.*
run() {
  local dir=$1 prefix=$2
  shift 2
  local rc=0
  (cd "$dir" && exec "$PGBIN/pgbench" "$@") >"$dir/$prefix.stdout" 2>"$dir/$prefix.stderr" || rc=$?
  sed -i "s|$WORK/||g" "$dir/$prefix.stdout" # the script's path ("transaction type: web.sql"), not /tmp
  echo "$rc" >"$dir/$prefix.exit"
}

# Whole logs of one prefix, thread files in order (pgbench_log.<pid>, .<pid>.1, ...).
logs() {
  local dir=$1 prefix=$2 f
  for f in $(cd "$dir" && ls "$prefix".* 2>/dev/null | grep -E "^$prefix\.[0-9]+(\.[0-9]+)?$" | sort -t. -k3,3n); do
    cat "$dir/$f"
  done
}

one=$WORK/run-session-starved
rm -rf "$OUT/session-starved"
mkdir -p "$one" "$OUT/session-starved"
args=(-n -c 6 -j 2 -T 3 -P 1 -l -f "$WORK/web.sql")
run "$one" out "${args[@]}"
printf '%s\n' pgbench "${args[@]/#$WORK\//}" >"$OUT/session-starved/argv.txt"
for k in stdout stderr exit; do cp "$one/out.$k" "$OUT/session-starved/$k.txt"; done
logs "$one" pgbench_log >"$OUT/session-starved/log.txt"
echo "recorded session-starved (exit $(cat "$one/out.exit"))" >&2

two=$WORK/run-split-starved
rm -rf "$OUT/split-starved"
mkdir -p "$two" "$OUT/split-starved"
: >"$OUT/split-starved/argv.txt"
pids=()
for i in 0 1; do
  args=(-n -c 3 -j 1 -T 3 -P 1 -l --log-prefix "pgbench_log_p$i" -f "$WORK/web.sql")
  printf '%s\n' pgbench "${args[@]/#$WORK\//}" '' >>"$OUT/split-starved/argv.txt"
  run "$two" "p$i" "${args[@]}" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in 0 1; do
  for k in stdout stderr exit; do
    { echo "# pgbench process $((i + 1)) of 2"; cat "$two/p$i.$k"; } >>"$OUT/split-starved/$k.txt"
  done
  logs "$two" "pgbench_log_p$i" >"$OUT/split-starved/log_p$i.txt"
done
echo "recorded split-starved" >&2

# The version beside each case (the other fixtures' VERSION.txt belongs to their own recording).
for c in session-starved split-starved; do "$PGBIN/pgbench" --version >"$OUT/$c/VERSION.txt"; done
