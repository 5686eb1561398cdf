#!/usr/bin/env bash
# Builds the exact-cost relay (tools/cost-relay/relay.c) into tools/cost-relay/build/relay
# (git-ignored). -O2 -g: symbols, so cachegrind names its functions. Prints the binary's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build"
mkdir -p "$out"
if [[ ! -x "$out/relay" || "$here/relay.c" -nt "$out/relay" ]]; then
  command -v gcc >/dev/null || { echo "gcc is missing: apt-get install -y gcc (scripts/setup.sh does)" >&2; exit 3; }
  gcc -O2 -g -Wall -Wextra -Werror -o "$out/relay.tmp" "$here/relay.c"
  mv "$out/relay.tmp" "$out/relay"
fi
echo "$out/relay"
