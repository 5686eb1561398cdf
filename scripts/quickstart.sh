#!/usr/bin/env bash
# The README's first command: install what is missing, then run the smoke matrix end to end and
# print where its FINDINGS.md is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bin/bench run matrices/smoke.yaml --provider "${BENCH_PROVIDER:-native}" "$@"
