#!/usr/bin/env bash
# Stop the dockerd that scripts/start-dockerd.sh started, by the PID in its pidfile.
#
# Does nothing when there is no pidfile (then this script did not start the engine, and
# it is not ours to stop). Sends SIGTERM, waits up to $BENCH_DOCKERD_STOP_TIMEOUT seconds
# (default 30) for the process to exit, then SIGKILL as a last resort.
# dockerd stops its running containers on the way out (live-restore is off).
set -euo pipefail

DIR=${BENCH_DOCKERD_DIR:-/tmp/dockerd}
PIDFILE="$DIR/pid"
TIMEOUT=${BENCH_DOCKERD_STOP_TIMEOUT:-30}

say() { printf 'stop-dockerd: %s\n' "$*" >&2; }

if [ ! -s "$PIDFILE" ]; then
  say "no pidfile at $PIDFILE: no dockerd started by start-dockerd.sh; nothing to do"
  exit 0
fi

pid=$(cat "$PIDFILE")
case $pid in
  '' | *[!0-9]*) say "pidfile $PIDFILE holds no PID ('$pid'); removing it"; rm -f "$PIDFILE"; exit 0 ;;
esac

if [ ! -d "/proc/$pid" ]; then
  say "pid $pid is not running; removing stale pidfile"
  rm -f "$PIDFILE"
  exit 0
fi

comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
if [ "$comm" != dockerd ]; then
  # The PID was recycled by an unrelated process: never signal it.
  say "pid $pid is '$comm', not dockerd; removing stale pidfile, signalling nothing"
  rm -f "$PIDFILE"
  exit 0
fi

say "stopping dockerd (pid $pid)"
kill -TERM "$pid"
alive() {
  # A zombie (state Z) has exited already; only its parent has not reaped it yet.
  [ -d "/proc/$pid" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}
deadline=$(( $(date +%s) + TIMEOUT ))
while alive; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    say "dockerd did not exit within ${TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
    break
  fi
  sleep 0.2
done
rm -f "$PIDFILE"
say "dockerd stopped"
