#!/usr/bin/env bash
# Installs what bench needs on Debian/Ubuntu (PostgreSQL server + pgbench, PgBouncer, Pgpool-II,
# valgrind, linux-perf and gcc for cost cells,
# Node >= 22, the npm dependencies from package-lock.json) and builds it. Safe to rerun: it only
# installs what is missing, and leaves the checkout as it found it (`git status` stays clean).
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
# Pgpool-II is the pooler of matrices/pgpool-example.yaml and its test.
if ! command -v pgpool >/dev/null 2>&1 && [ ! -x /usr/sbin/pgpool ]; then missing+=(pgpool2); fi
# Cost cells (docs/cost.md): valgrind counts instructions, perf syscalls and CPU time; gcc builds the
# exact-cost relay (tools/cost-relay) that the cost tests and matrices/cost-example.yaml use.
if ! command -v valgrind >/dev/null 2>&1; then missing+=(valgrind); fi
# Debian ships perf as linux-perf; Ubuntu (GitHub's runners) as linux-tools-common plus the tools of
# the running kernel, which a runner's kernel may not have: there the cost job says perf is missing.
if ! command -v perf >/dev/null 2>&1; then
  if grep -qi '^ID=ubuntu' /etc/os-release 2>/dev/null; then missing+=(linux-tools-common "linux-tools-$(uname -r)"); else missing+=(linux-perf); fi
fi
if ! command -v gcc >/dev/null 2>&1; then missing+=(gcc); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -q
  # bench never uses the clusters or services these packages would start (a postgres on 5432, a
  # pgpool on 9999); it runs its own. A policy-rc.d that answers 101 ("action forbidden") keeps
  # invoke-rc.d from starting them; one the machine already has (Docker images ship one) is kept.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT # also when the install fails
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
    $SUDO rm -f "$policy"
    trap - EXIT
  else
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  fi
fi

# A Node >= 22 beside the system one (Debian 12 ships 18): installed from the npm registry
# into /opt/node22, which scripts/node-env.sh finds. The system node is not touched.
# shellcheck source=scripts/node-env.sh
if ! BENCH_NODE_ENV_QUIET=1 . scripts/node-env.sh; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "ERROR: Node.js and npm are needed to install Node 22 (apt-get install -y nodejs npm), then rerun" >&2
    exit 3
  fi
  echo "node $(node --version 2>/dev/null || echo none) is older than 22: installing node@22 into /opt/node22" >&2
  $SUDO npm install -g --prefix /opt/node22 node@22 >&2
  . scripts/node-env.sh
fi
echo "node $(node --version), npm $(npm --version)" >&2

# Exactly the locked versions, and the lock is never rewritten (a rewritten lock would stamp every
# run's git sha -dirty). Skipped when node_modules was installed from this very lock already:
# npm writes node_modules/.package-lock.json last, so an interrupted install is redone.
if [ ! node_modules/.package-lock.json -nt package-lock.json ] || [ ! node_modules/.package-lock.json -nt package.json ]; then
  npm ci --no-audit --no-fund >&2
fi
npm run build >&2
# The exact-cost relay, into tools/cost-relay/build/ (git-ignored).
bash tools/cost-relay/build.sh >&2
