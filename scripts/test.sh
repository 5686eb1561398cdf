#!/usr/bin/env bash
# The README's second command: typecheck, lint, build and the whole test suite (unit tests, and
# integration tests on real PostgreSQL, PgBouncer, pgbench and, when an engine answers, Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
. scripts/node-env.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
# The HTML report's test drives Debian's chromium headless through playwright-core (never a
# downloaded browser); install it once when it is missing.
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing chromium (Debian) for the report's browser test" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium >&2 ||
    { $SUDO apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium >&2; }
fi
npm run typecheck
npm run lint
npm run lint:functions
npm run knip
npm run check:imports
npm run build
mkdir -p .tmp
report=.tmp/vitest-report.json
rm -f "$report"
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$report" || status=$?
# One plain closing line, whatever the runner printed above it.
if [ -f "$report" ]; then
  node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$(pwd)/$report"
fi
exit "$status"
