#!/usr/bin/env bash
# Start a private Docker engine for the testcontainers provider, idempotently.
#
#   eval "$(scripts/start-dockerd.sh)"    # starts it if needed, exports DOCKER_HOST
#
# - Installs docker.io with apt-get when dockerd is missing (without letting the
#   package start the system service: that one would create the docker0 bridge).
# - Does nothing when an engine already answers on the socket.
# - Otherwise starts dockerd with no bridge, no iptables, no masquerading, with all
#   of its state under $BENCH_DOCKERD_DIR (default /tmp/dockerd), detached so it
#   outlives this script, and waits (60 s at most) until `docker info` answers.
# - Prints exactly one line on stdout: `export DOCKER_HOST=unix://.../docker.sock`.
#   Everything else goes to stderr.
#
# Stop it with scripts/stop-dockerd.sh. See docs/containers.md.
set -euo pipefail

DIR=${BENCH_DOCKERD_DIR:-/tmp/dockerd}
SOCK="$DIR/docker.sock"
HOST="unix://$SOCK"
PIDFILE="$DIR/pid"
LOG="$DIR/log"
TIMEOUT=${BENCH_DOCKERD_TIMEOUT:-60}

say() { printf 'start-dockerd: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

now_ms() { date +%s%3N; }

answers() {
  # `docker version` needs the server; a short timeout keeps a wedged socket from hanging us.
  command -v docker >/dev/null 2>&1 || return 1
  timeout 10 docker -H "$HOST" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

print_export() { printf 'export DOCKER_HOST=%s\n' "$HOST"; }

[ "$(id -u)" = 0 ] || die "dockerd needs root (run as root)"

# --- 1. the engine package -------------------------------------------------------------
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  say "dockerd or docker missing: installing docker.io"
  # Debian's docker.io postinst starts the system service, which (unlike ours) creates the
  # docker0 bridge on 172.17.0.0/16. A policy-rc.d that exits 101 forbids service starts;
  # create one only for the install and only if none exists.
  created_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  cleanup_policy() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
  trap cleanup_policy EXIT
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends docker.io >&2; then
    say "install failed; running apt-get update and retrying"
    apt-get update >&2
    apt-get install -y --no-install-recommends docker.io >&2
  fi
  cleanup_policy
  trap - EXIT
  command -v dockerd >/dev/null 2>&1 || die "docker.io installed but dockerd is not on PATH"
fi

# --- 2. already running? ---------------------------------------------------------------
if answers; then
  say "dockerd already answers at $HOST"
  print_export
  exit 0
fi

mkdir -p "$DIR"

# A pidfile whose process still lives: a dockerd that is starting (or wedged). Wait for it
# rather than start a second one on the same data-root.
if [ -s "$PIDFILE" ]; then
  oldpid=$(cat "$PIDFILE")
  if [ -d "/proc/$oldpid" ] && [ "$(cat "/proc/$oldpid/comm" 2>/dev/null)" = dockerd ]; then
    say "dockerd pid $oldpid exists but does not answer yet; waiting for it"
    started_pid=$oldpid
  else
    say "removing stale pidfile (pid $oldpid is gone)"
    rm -f "$PIDFILE"
  fi
fi

# --- 3. start --------------------------------------------------------------------------
t0=$(now_ms)
if [ -z "${started_pid:-}" ]; then
  # A socket file left by a dead dockerd would make `answers` fail forever; dockerd
  # recreates it.
  rm -f "$SOCK"
  # setsid: own session, so the caller's Ctrl-C / job control does not reach it;
  # nohup + </dev/null: it survives the end of this script and of its terminal.
  setsid nohup dockerd \
    --bridge=none --iptables=false --ip-masq=false \
    --data-root "$DIR/data" --exec-root "$DIR/exec" \
    -H "$HOST" --pidfile "$PIDFILE" \
    </dev/null >"$LOG" 2>&1 &
  started_pid=$!
  say "started dockerd (pid $started_pid, log $LOG)"
fi

deadline=$(( $(date +%s) + TIMEOUT ))
until answers; do
  if ! kill -0 "$started_pid" 2>/dev/null; then
    say "dockerd (pid $started_pid) exited before answering; last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
    exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    say "dockerd did not answer within ${TIMEOUT}s; last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
    say "it is still running as pid $started_pid; stop it with scripts/stop-dockerd.sh"
    exit 1
  fi
  sleep 0.2
done

t1=$(now_ms)
version=$(docker -H "$HOST" version --format '{{.Server.Version}}' 2>/dev/null || echo '?')
say "dockerd $version answers at $HOST after $(( t1 - t0 )) ms"
print_export
