#!/usr/bin/env bash
# Record real pgbench output (stdout, stderr, per-transaction logs) as parser fixtures.
#
# Starts a throwaway PostgreSQL cluster on 127.0.0.1, runs a fixed set of pgbench cases against it,
# writes test/fixtures/pgbench15/<case>/{argv.txt,stdout.txt,stderr.txt,exit.txt[,log.txt]} and
# stops the cluster (by PID, from a trap) whatever happens.
#
# Usage: scripts/record-pgbench-fixtures.sh            (as root or as an unprivileged user)
#   PGBIN   PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   PORT    listen port; keep it below the ephemeral range, -C runs fill it with TIME_WAIT sockets
#   OUT     fixture directory (default test/fixtures/pgbench15 next to this script)
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PORT:-25432}
REFUSED_PORT=${REFUSED_PORT:-25439} # nothing listens here: the connection-refused case
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../test/fixtures/pgbench15}
LOG_KEEP=${LOG_KEEP:-150} # lines kept per log file; fixtures stay small

WORK=$(mktemp -d /tmp/pgbench-fixtures.XXXXXX)
DATA=$WORK/data
SOCK=$WORK/sock
PG_PID=
TERMINATOR_PID=

# initdb and postgres refuse to run as root: drop to the postgres user with setpriv, which execs
# (no intermediate process). Not a shell function: a backgrounded function is a subshell, and its
# PID would not be the postmaster's.
AS_PG=()
if [ "$(id -u)" = 0 ]; then AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi

cleanup() {
  local rc=$?
  if [ -n "$TERMINATOR_PID" ] && kill -0 "$TERMINATOR_PID" 2>/dev/null; then
    kill "$TERMINATOR_PID" 2>/dev/null || true
  fi
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    kill -INT "$PG_PID" # fast shutdown
    for _ in $(seq 1 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PG_PID" 2>/dev/null; then kill -KILL "$PG_PID"; fi
    wait "$PG_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" = 0 ]; then chown postgres: "$WORK"; fi
"${AS_PG[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --no-sync >"$WORK/initdb.out" 2>&1
"${AS_PG[@]}" mkdir -p "$SOCK"
"${AS_PG[@]}" "$PGBIN/postgres" -D "$DATA" -c listen_addresses=127.0.0.1 -c port="$PORT" \
  -c unix_socket_directories="$SOCK" -c fsync=off -c max_connections=40 \
  >"$WORK/postgres.out" 2>&1 &
PG_PID=$!
for _ in $(seq 1 100); do
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
  kill -0 "$PG_PID" 2>/dev/null || { cat "$WORK/postgres.out" >&2; exit 1; }
  sleep 0.1
done
# Belt and braces: the postmaster's own word on its PID.
if [ "$(head -n1 "$DATA/postmaster.pid")" != "$PG_PID" ]; then
  echo "postmaster PID $(head -n1 "$DATA/postmaster.pid") is not the started PID $PG_PID" >&2
  PG_PID=$(head -n1 "$DATA/postmaster.pid")
fi

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
"$PGBIN/pgbench" -i -s 1 -q >"$WORK/init.out" 2>&1

# record <case> <pgbench args...>: run pgbench in its own directory (that is where -l writes),
# keep its exit code instead of failing the script (several cases fail on purpose).
record() {
  local name=$1
  shift
  local dir=$OUT/$name run=$WORK/run-$name
  rm -rf "$dir"
  mkdir -p "$dir" "$run"
  printf '%s\n' pgbench "$@" >"$dir/argv.txt"
  local rc=0
  (cd "$run" && exec "$PGBIN/pgbench" "$@") >"$dir/stdout.txt" 2>"$dir/stderr.txt" || rc=$?
  echo "$rc" >"$dir/exit.txt"
  # Per-transaction logs: thread 0 writes pgbench_log.<pid>, thread N pgbench_log.<pid>.<N>.
  # Keep the first LOG_KEEP lines of each, plus up to 50 later non-numeric (failed, skipped,
  # serialization, ...) lines so truncation never drops the interesting cases.
  local f
  for f in $(cd "$run" && ls pgbench_log.* 2>/dev/null | sort -t. -k3,3n); do
    awk -v keep="$LOG_KEEP" 'NR <= keep || ($3 !~ /^[0-9]+$/ && extra++ < 50)' "$run/$f"
  done >"$dir/log.txt"
  [ -s "$dir/log.txt" ] || rm -f "$dir/log.txt"
  echo "recorded $name (exit $rc)" >&2
}

# PGOPTIONS reaches the server: repeatable read makes concurrent tpcb updates of the one branch row
# (scale 1) fail with serialization errors, which pgbench 15 counts as failed transactions.
RR='-c default_transaction_isolation=repeatable\ read'

record tpcb -c 4 -j 2 -T 3 -P 1 -n -l
record readonly -S -c 4 -j 2 -T 3 -P 1 -n
record readonly-prepared -S -M prepared -c 4 -j 2 -T 2 -P 1 -n
record readonly-reconnect -S -C -c 4 -j 2 -T 3 -P 1 -n -l
PGOPTIONS=$RR record failures -c 4 -j 2 -T 3 -P 1 -n -l --max-tries=1
PGOPTIONS=$RR record failures-detailed -c 4 -j 2 -T 3 -P 1 -n -l --max-tries=1 --failures-detailed
PGOPTIONS=$RR record retries -c 4 -j 2 -T 3 -P 1 -n -l --max-tries=3 --failures-detailed
# --verbose-errors prints two stderr lines per error: a fixed transaction count (-t) keeps it small.
PGOPTIONS=$RR record verbose-errors -c 4 -j 2 -t 25 -n --max-tries=1 --verbose-errors
record rate-limit -S -c 4 -j 2 -T 3 -P 1 -n -l -R 4000 -L 0.5

# Aborted run: terminate pgbench's backends mid-run; each client aborts and pgbench says the
# results are incomplete.
(
  sleep 1.5
  "$PGBIN/psql" -qAtX -c "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'pgbench'" >/dev/null
) &
TERMINATOR_PID=$!
record aborted -S -c 4 -j 2 -T 4 -P 1 -n
wait "$TERMINATOR_PID" || true
TERMINATOR_PID=

# Nothing listens on REFUSED_PORT: every initial connection fails.
PGPORT=$REFUSED_PORT record connect-refused -S -c 2 -j 1 -T 1 -n

# More clients than max_connections (40): the initial connections past the limit are refused.
record too-many-clients -S -c 50 -j 2 -T 2 -n

# -C with more clients than max_connections: connections fail mid-run, clients abort one by one.
record reconnect-too-many -S -C -c 50 -j 2 -T 2 -P 1 -n

# Last, because it sends the cluster through crash recovery: SIGKILL one of pgbench's backends
# mid-run (what a crashed server or pooler looks like to the client). Its client sees the socket
# close; the postmaster then terminates every other backend and restarts.
(
  sleep 1.5
  victim=$("$PGBIN/psql" -qAtX -c "select pid from pg_stat_activity where application_name = 'pgbench' limit 1")
  if [ -n "$victim" ]; then kill -KILL "$victim"; fi
) &
TERMINATOR_PID=$!
record backend-killed -S -c 4 -j 2 -T 4 -P 1 -n
wait "$TERMINATOR_PID" || true
TERMINATOR_PID=

"$PGBIN/pgbench" --version >"$OUT/VERSION.txt"
