#!/usr/bin/env bash
# The README's second command: lint, typecheck and the whole test suite (unit + integration on
# real PostgreSQL, PgBouncer and pgbench).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
. scripts/node-env.sh
[ -d node_modules ] || npm install --no-audit --no-fund
npm run check
