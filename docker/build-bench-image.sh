#!/usr/bin/env bash
# Build local/bench:trixie, the tool's own image, on local/pgstack:trixie, without any registry.
#
#   docker/build-bench-image.sh            # build unless an image of this very source exists
#   docker/build-bench-image.sh --force    # rebuild even then
#
# The image holds bench (dist/ built here, the production node_modules from package-lock.json,
# matrices/, docs/matrix.schema.json) in /opt/bench, the Node >= 22 binary this machine runs
# bench with (scripts/node-env.sh finds it; nothing is downloaded at image-build time) in
# /opt/node/bin, and from its base the PostgreSQL 17 client tools and pgbench. Entry: `bench`
# (/usr/local/bin/bench), working directory /opt/bench, user root (it talks to the Docker socket).
# It is made with `docker create` + `docker cp` + `docker commit`: no builder is needed.
#
# Usage (docker/README.md):
#   docker run --rm --network host --pid host -v /var/run/docker.sock:/var/run/docker.sock \
#     -e TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 -e TESTCONTAINERS_RYUK_DISABLED=true \
#     -v "$PWD/results:/opt/bench/results" local/bench:trixie bench run matrices/smoke.yaml
#
# Environment:
#   DOCKER_HOST                  as for build-pgstack.sh
#   BENCH_TOOL_IMAGE             tag to build (default local/bench:trixie)
#   BENCH_PGSTACK_TRIXIE_IMAGE   the base (default local/pgstack:trixie; build-pgstack.sh trixie)
set -euo pipefail

IMAGE=${BENCH_TOOL_IMAGE:-local/bench:trixie}
BASE=${BENCH_PGSTACK_TRIXIE_IMAGE:-local/pgstack:trixie}
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

say() { printf 'build-bench-image: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

force=
for arg in "$@"; do
  case $arg in
    --force | -f) force=1 ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

if [ -z "${DOCKER_HOST:-}" ] && [ -S /tmp/dockerd/docker.sock ]; then
  export DOCKER_HOST=unix:///tmp/dockerd/docker.sock
fi
docker image inspect "$BASE" >/dev/null 2>&1 || die "base image $BASE is missing: run docker/build-pgstack.sh trixie"
# shellcheck source=scripts/node-env.sh
. "$ROOT/scripts/node-env.sh" || die "no Node >= 22 on this machine (bash scripts/setup.sh installs one)"
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VERSION=$(node --version)

total0=$(now_ms)
t0=$(now_ms)
(cd "$ROOT" && npm run --silent build >&2) || die "npm run build failed"
t_build=$(($(now_ms) - t0))

# What the image is made of, hashed: the image is rebuilt exactly when one of these changed.
source_hash() {
  (
    cd "$ROOT"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -c \
      dist/src dist/summarize matrices docs/matrix.schema.json package.json package-lock.json
    printf '%s\n' "$NODE_VERSION"
  ) | sha256sum | cut -c1-16
}
SOURCE=$(source_hash)

verify() {
  local v
  v=$(docker run --rm --network none "$IMAGE" sh -c 'bench --version && node --version && pgbench --version && psql --version') \
    || die "bench, node, pgbench or psql does not run in $IMAGE"
  say "verified $IMAGE: $(echo "$v" | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
}

if [ -z "$force" ] && [ "$(docker image inspect -f '{{index .Config.Labels "bench.source"}}' "$IMAGE" 2>/dev/null)" = "$SOURCE" ]; then
  say "$IMAGE exists for this source ($SOURCE); skipping the build (use --force to rebuild)"
  verify
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-image.XXXXXX")
container=
cleanup() {
  if [ -n "$container" ]; then docker rm -f "$container" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- stage /opt ------------------------------------------------------------------------
t0=$(now_ms)
app="$WORK/opt/bench"
mkdir -p "$app/docs" "$app/dist" "$WORK/opt/node/bin" "$WORK/usr/local/bin"
cp -a "$ROOT/package.json" "$ROOT/package-lock.json" "$app/"
cp -a "$ROOT/dist/src" "$ROOT/dist/summarize" "$app/dist/"
cp -a "$ROOT/matrices" "$app/"
cp -a "$ROOT/docs/matrix.schema.json" "$app/docs/"
# Production dependencies only, exactly as locked; from npm's cache when it holds them.
# --ignore-scripts: ssh2's optional native build is not needed (its JS fallback serves).
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >&2) \
  || die "npm ci --omit=dev failed"
cp "$NODE_BIN" "$WORK/opt/node/bin/node"
cat >"$WORK/usr/local/bin/bench" <<'EOF'
#!/bin/sh
exec /opt/node/bin/node /opt/bench/dist/src/cli.js "$@"
EOF
chmod 0755 "$WORK/usr/local/bin/bench" "$WORK/opt/node/bin/node"
t_stage=$(($(now_ms) - t0))
say "staged in $(secs "$t_stage") (node $NODE_VERSION from $NODE_BIN; $(du -sh "$app/node_modules" | cut -f1) of node_modules)"

# --- commit ----------------------------------------------------------------------------
t0=$(now_ms)
old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
container=$(docker create --network none "$BASE" true)
tar --numeric-owner --owner=0 --group=0 -C "$WORK" -c opt usr | docker cp - "$container:/"
base_path=$(docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$BASE" | sed -n 's/^PATH=//p')
docker commit \
  -c "ENV PATH=/opt/node/bin:$base_path" \
  -c 'USER root' \
  -c 'WORKDIR /opt/bench' \
  -c 'ENTRYPOINT []' \
  -c 'CMD ["bench", "--help"]' \
  -c "LABEL org.opencontainers.image.title=bench org.opencontainers.image.description=\"bench on $BASE, built by docker/build-local-images.sh\" bench.source=$SOURCE bench.node.version=$NODE_VERSION" \
  "$container" "$IMAGE" >/dev/null
docker rm "$container" >/dev/null
container=
t_commit=$(($(now_ms) - t0))
new_id=$(docker image inspect -f '{{.Id}}' "$IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 && say "removed the previous image ${old_id#sha256:}" \
    || say "kept the previous image ${old_id#sha256:} (still in use)"
fi
verify
say "total: $(secs $(($(now_ms) - total0))) (npm run build $(secs "$t_build"), stage $(secs "$t_stage"), commit $(secs "$t_commit")) -> $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1000000 }'))"
