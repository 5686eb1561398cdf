#!/usr/bin/env bash
# Build one local PostgreSQL stack image without any image registry (build-local-images.sh
# calls this once per suite).
#
#   docker/build-pgstack.sh bookworm           # local/pgstack:bookworm, unless the tag exists
#   docker/build-pgstack.sh trixie --force     # local/pgstack:trixie, rebuilt even if it exists
#
# One image serves as the postgres, pgbouncer and pgbench image (point the image overrides
# at it). It is a Debian minbase root filesystem made by debootstrap from the Debian mirror
# apt is configured with, imported with `docker import`:
#   bookworm: postgresql-15, postgresql-client-15, pgbouncer (1.18), pgpool2 (4.3)
#   trixie:   postgresql-17, postgresql-client-17, pgbouncer (1.24), pgpool2 (4.6), pgagroal
# Labels bench.<package>.version hold the Debian versions installed. It has no entrypoint and
# no CMD: the harness passes the command; PATH starts with PostgreSQL's bin directory. Its
# default user is `postgres` (initdb, postgres and pgbouncer all refuse to run as root); pass
# `-u postgres` anyway.
#
# Environment:
#   DOCKER_HOST           engine to use; defaults to unix:///tmp/dockerd/docker.sock when that
#                         socket exists (scripts/start-dockerd.sh)
#   BENCH_PGSTACK_IMAGE   tag of the bookworm image (default local/pgstack:bookworm)
#   BENCH_PGSTACK_TRIXIE_IMAGE  tag of the trixie image (default local/pgstack:trixie)
#   BENCH_DEBIAN_MIRROR   mirror URI (default: read from /etc/apt/sources.list.d/*.sources,
#                         then /etc/apt/sources.list{,.d/*.list}: the suite's own mirror, else
#                         the host's suite's, since one Debian archive serves every suite)
#   BENCH_DEBOOTSTRAP_CACHE_DIR  optional directory where debootstrap keeps the .debs it
#                         downloads, so that a rebuild needs no download
#
# See docker/README.md and docs/containers.md.
set -euo pipefail

SUITE=${1:-}
case $SUITE in
  bookworm)
    PG_MAJOR=15
    IMAGE=${BENCH_PGSTACK_IMAGE:-local/pgstack:bookworm}
    EXTRA_PACKAGES=pgpool2
    ;;
  trixie)
    PG_MAJOR=17
    IMAGE=${BENCH_PGSTACK_TRIXIE_IMAGE:-local/pgstack:trixie}
    EXTRA_PACKAGES=pgpool2,pgagroal
    ;;
  -h | --help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) printf 'build-pgstack: error: expected a suite, bookworm or trixie, got "%s" (try --help)\n' "$SUITE" >&2; exit 2 ;;
esac
shift
PACKAGES="postgresql-$PG_MAJOR,postgresql-client-$PG_MAJOR,pgbouncer,$EXTRA_PACKAGES"
# Label name -> Debian package whose installed version it records (tests read them).
LABEL_PACKAGES="postgresql:postgresql-$PG_MAJOR pgbouncer:pgbouncer ${EXTRA_PACKAGES//,/ }"
IMAGE_PATH="/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LOGFILE="${TMPDIR:-/tmp}/bench-pgstack-$SUITE-debootstrap.log"

say() { printf 'build-pgstack %s: %s\n' "$SUITE" "$*" >&2; }
die() { say "error: $*"; exit 1; }
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

force=
for arg in "$@"; do
  case $arg in
    --force | -f) force=1 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "debootstrap and chroot need root (run as root)"

if [ -z "${DOCKER_HOST:-}" ] && [ -S /tmp/dockerd/docker.sock ]; then
  export DOCKER_HOST=unix:///tmp/dockerd/docker.sock
fi
command -v docker >/dev/null 2>&1 || die "no docker CLI; run scripts/start-dockerd.sh first"
timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}; run: eval \"\$(scripts/start-dockerd.sh)\""

# ---------------------------------------------------------------------------------------
verify() {
  # Every binary the harness starts from this image, run the way the harness runs them:
  # host networking, as the postgres user.
  local run=(docker run --rm --network host -u postgres "$IMAGE")
  local t0 t1 pgv pbv pgbv
  t0=$(now_ms)
  pgv=$("${run[@]}" postgres --version) || die "postgres --version failed in $IMAGE"
  pbv=$("${run[@]}" pgbench --version) || die "pgbench --version failed in $IMAGE"
  pgbv=$("${run[@]}" pgbouncer --version | head -n 1) || die "pgbouncer --version failed in $IMAGE"
  # shellcheck disable=SC2016 # $HOME is expanded inside the container
  local extra
  extra=$("${run[@]}" sh -c 'for b in pgpool pgagroal; do command -v "$b" >/dev/null || continue; "$b" --version 2>&1 | head -n 1; done') \
    || die "pgpool/pgagroal --version failed in $IMAGE"
  "${run[@]}" sh -c 'test -d /var/run/postgresql && test -w /var/run/postgresql && test -w /tmp && test -w "$HOME"' \
    || die "/var/run/postgresql, /tmp or \$HOME is not writable by postgres in $IMAGE"
  t1=$(now_ms)
  say "verified in $(secs $((t1 - t0))) (5 containers, --network host -u postgres):"
  say "  $pgv"
  say "  $pbv"
  say "  $pgbv"
  local line
  while IFS= read -r line; do [ -n "$line" ] && say "  $line"; done <<<"$extra"
}

image_size() {
  docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1000000 }'
}

if [ -z "$force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "$IMAGE exists ($(image_size)); skipping the build (use --force to rebuild)"
  verify
  exit 0
fi

# --- the mirror ------------------------------------------------------------------------
# deb822 (*.sources): the URIs of the first enabled `deb` stanza whose Suites list the
# suite as a whole word (bookworm, not bookworm-security).
mirror_from_deb822() {
  local suite=$1
  shift
  awk -v suite="$suite" '
    function flush() {
      if (uris != "" && types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[ \t]*no/ &&
          (" " suites " ") ~ ("[ \t]" suite "[ \t]")) { split(uris, u, /[ \t]+/); print u[1]; found = 1; exit }
      uris = ""; suites = ""; types = ""; enabled = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    tolower($1) == "uris:"    { sub(/^[^:]*:[ \t]*/, ""); uris = $0 }
    tolower($1) == "suites:"  { sub(/^[^:]*:[ \t]*/, ""); suites = $0 }
    tolower($1) == "types:"   { sub(/^[^:]*:[ \t]*/, ""); types = $0 }
    tolower($1) == "enabled:" { sub(/^[^:]*:[ \t]*/, ""); enabled = tolower($0) }
    END { if (!found) flush() }
  ' "$@" 2>/dev/null | head -n 1
}

# one-line format: deb [options] URI suite components...
mirror_from_list() {
  local suite=$1
  shift
  awk -v suite="$suite" '
    $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
      if ($(i + 1) == suite) { print $i; exit }
    }
  ' "$@" 2>/dev/null | head -n 1
}

find_mirror() {
  local suite=$1 m="" f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    m=$(mirror_from_deb822 "$suite" "$f")
    [ -n "$m" ] && { echo "$m"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    m=$(mirror_from_list "$suite" "$f")
    [ -n "$m" ] && { echo "$m"; return; }
  done
}

# A trixie image built on a bookworm host: the host lists only bookworm, but the same archive
# (its URIs) serves every suite.
host_suite() { (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}"); }
MIRROR=${BENCH_DEBIAN_MIRROR:-}
[ -n "$MIRROR" ] || MIRROR=$(find_mirror "$SUITE")
if [ -z "$MIRROR" ] && [ -n "$(host_suite)" ]; then MIRROR=$(find_mirror "$(host_suite)"); fi
[ -n "$MIRROR" ] || die "found no '$SUITE' (or host suite) mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set BENCH_DEBIAN_MIRROR"
say "mirror: $MIRROR (suite $SUITE)"

# --- debootstrap -----------------------------------------------------------------------
if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends debootstrap >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends debootstrap >&2; }
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-pgstack.XXXXXX")
ROOTFS="$WORK/rootfs"

kill_chroot_processes() {
  # A maintainer script run inside the chroot could leave a daemon behind (it would share
  # the host's network namespace). Find processes whose root is the rootfs, by PID.
  local p root
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    case $root in
      "$ROOTFS" | "$ROOTFS"/*)
        say "killing process ${p#/proc/} left running inside the rootfs: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
        kill -KILL "${p#/proc/}" 2>/dev/null || true ;;
    esac
  done
}

remove_work() {
  local m
  [ -d "$WORK" ] || return 0
  [ -d "$ROOTFS" ] && kill_chroot_processes
  # debootstrap mounts /proc and /sys inside the target and normally unmounts them; after a
  # failure they may still be mounted, and rm -rf must never descend into them.
  findmnt -rn -o TARGET | awk -v r="$ROOTFS" 'index($0, r "/") == 1 || $0 == r' | sort -r \
    | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$WORK"
}
# shellcheck disable=SC2154 # rc is assigned inside the trap string
trap 'rc=$?; remove_work; exit "$rc"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cache_args=()
if [ -n "${BENCH_DEBOOTSTRAP_CACHE_DIR:-}" ]; then
  mkdir -p "$BENCH_DEBOOTSTRAP_CACHE_DIR"
  cache_args=(--cache-dir="$(cd "$BENCH_DEBOOTSTRAP_CACHE_DIR" && pwd)")
fi

total0=$(now_ms)
say "debootstrap --variant=minbase --include=$PACKAGES $SUITE (log: $LOGFILE)"
t0=$(now_ms)
# In its own session (setsid does not fork here: a background job of a non-interactive shell
# is no group leader, so $! is both its PID and its process-group ID). A signal to this
# script is forwarded to that group alone; `wait` returns at once when a signal arrives.
setsid debootstrap --variant=minbase --include="$PACKAGES" "${cache_args[@]}" \
  "$SUITE" "$ROOTFS" "$MIRROR" >"$LOGFILE" 2>&1 &
dbs_pid=$!
stop_debootstrap() {
  kill -TERM -- "-$dbs_pid" 2>/dev/null || true
  wait "$dbs_pid" 2>/dev/null || true
}
trap 'say "interrupted; stopping debootstrap"; stop_debootstrap; exit 130' INT
trap 'say "terminated; stopping debootstrap"; stop_debootstrap; exit 143' TERM
dbs_rc=0
wait "$dbs_pid" || dbs_rc=$?
trap 'exit 130' INT
trap 'exit 143' TERM
if [ "$dbs_rc" -ne 0 ]; then
  say "debootstrap failed; last lines of $LOGFILE:"
  tail -n 30 "$LOGFILE" >&2
  tail -n 30 "$ROOTFS/debootstrap/debootstrap.log" >&2 2>/dev/null || true
  exit 1
fi
t1=$(now_ms)
t_debootstrap=$((t1 - t0))
say "debootstrap: $(secs "$t_debootstrap")"
kill_chroot_processes

# --- adjust the root filesystem --------------------------------------------------------
t0=$(now_ms)
labels=""
for lp in $LABEL_PACKAGES; do
  # shellcheck disable=SC2016 # ${Version} is a dpkg-query format field
  v=$(chroot "$ROOTFS" dpkg-query -W -f '${Version}' "${lp#*:}") || die "package ${lp#*:} is not installed in the rootfs"
  labels="$labels bench.${lp%%:*}.version=$v"
done
# The postgresql-common postinst creates a cluster $PG_MAJOR/main; the harness always runs its own
# initdb, so drop it (about 40 MB, and a stray config nobody reads).
rm -rf "$ROOTFS/var/lib/postgresql/$PG_MAJOR/main" "$ROOTFS/etc/postgresql/$PG_MAJOR/main"
# Unix socket directory and home, writable by postgres: /run is no tmpfs in a container,
# so what the image holds is what the container gets.
chroot "$ROOTFS" install -d -o postgres -g postgres -m 2775 /run/postgresql /var/log/postgresql
chroot "$ROOTFS" install -d -o postgres -g postgres -m 0755 /var/lib/postgresql
# Files the engine provides at run time, and caches that only make the image bigger.
rm -f "$ROOTFS/etc/hostname" "$ROOTFS/etc/resolv.conf"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS/debootstrap"
t1=$(now_ms)
t_adjust=$((t1 - t0))
say "adjust rootfs: $(secs "$t_adjust") (labels:$labels)"

# --- import ----------------------------------------------------------------------------
old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
t0=$(now_ms)
# --numeric-owner: keep the rootfs's own uid/gid numbers (its postgres user), never map
# them through the host's /etc/passwd.
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
  -c "ENV PATH=$IMAGE_PATH" \
  -c 'ENV LANG=C.UTF-8' \
  -c 'USER postgres' \
  -c 'WORKDIR /var/lib/postgresql' \
  -c "LABEL org.opencontainers.image.title=pgstack org.opencontainers.image.description=\"Debian $SUITE minbase with ${PACKAGES//,/, }, built by docker/build-local-images.sh\"$labels" \
  - "$IMAGE" >/dev/null
t1=$(now_ms)
t_import=$((t1 - t0))
say "import: $(secs "$t_import") -> $IMAGE ($(image_size))"
# A rebuild (--force) leaves the previous image untagged; drop it unless a container uses it.
new_id=$(docker image inspect -f '{{.Id}}' "$IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  if docker rmi "$old_id" >/dev/null 2>&1; then
    say "removed the previous image ${old_id#sha256:}"
  else
    say "kept the previous image ${old_id#sha256:} (still in use)"
  fi
fi

remove_work
verify
total1=$(now_ms)
say "total: $(secs $((total1 - total0))) (debootstrap $(secs "$t_debootstrap"), adjust $(secs "$t_adjust"), import $(secs "$t_import"))"
