#!/usr/bin/env bash
# Build the local images without any image registry, each unless it exists already:
#
#   local/pgstack:bookworm  PostgreSQL 15, PgBouncer 1.18, pgpool2 4.3 (Debian 12)
#   local/pgstack:trixie    PostgreSQL 17, PgBouncer 1.24, pgpool2 4.6, pgagroal (Debian 13)
#   local/bench:trixie      bench itself on local/pgstack:trixie
#
#   docker/build-local-images.sh            # build what is missing (or stale: the bench image)
#   docker/build-local-images.sh --force    # rebuild all three
#
# Each step is a script of its own (docker/build-pgstack.sh <suite>, docker/build-bench-image.sh)
# with its environment knobs in its header. See docker/README.md and docs/containers.md.
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
for arg in "$@"; do
  case $arg in
    --force | -f) ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'build-local-images: error: unknown argument %s (try --help)\n' "$arg" >&2; exit 2 ;;
  esac
done
bash "$here/build-pgstack.sh" bookworm "$@"
bash "$here/build-pgstack.sh" trixie "$@"
bash "$here/build-bench-image.sh" "$@"
