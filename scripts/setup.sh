#!/usr/bin/env bash
# Installs what bench needs on Debian/Ubuntu (PostgreSQL server + pgbench, PgBouncer, Node >= 22,
# the npm dependencies) and builds it. Safe to rerun: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/postgres" ] || [ ! -x "$pgbin/initdb" ]; then missing+=(postgresql); fi
if ! command -v pgbench >/dev/null 2>&1 && { [ -z "$pgbin" ] || [ ! -x "$pgbin/pgbench" ]; }; then missing+=(postgresql-client); fi
if ! command -v psql >/dev/null 2>&1; then missing+=(postgresql-client); fi
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then missing+=(pgbouncer); fi
if ! id postgres >/dev/null 2>&1; then missing+=(postgresql); fi
# socat is the stand-in "proxy under test" of matrices/proxy-example.yaml and the proxy tests.
if ! command -v socat >/dev/null 2>&1; then missing+=(socat); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -q
  # bench never uses the clusters or services these packages may start; it runs its own.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

# shellcheck source=scripts/node-env.sh
. scripts/node-env.sh
echo "node $(node --version), npm $(npm --version)" >&2
# Not `npm ci`: npm 11 here leaves other platforms' optional packages (biome's per-OS binaries)
# out of package-lock.json, and `npm ci` then refuses the lock as out of sync. `npm install`
# installs the locked versions all the same.
npm install --no-audit --no-fund >&2
npm run build >&2
