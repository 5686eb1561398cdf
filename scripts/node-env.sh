# Sourced by the other scripts and by bin/bench: puts a Node >= 22 first on PATH, the machine's own
# or the one scripts/setup.sh installs into /opt/node22 (Debian 12 ships 18; our dependencies need
# 22). It never installs anything: running bench must not change the machine, setup does that.
# Fails with exit status 3 (a missing tool, as bench's own exit codes say) when no Node >= 22 is found.
bench_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(bench_node_major)" -lt 22 ] && [ -x /opt/node22/bin/node ]; then
  export PATH=/opt/node22/bin:$PATH
fi
if [ "$(bench_node_major)" -lt 22 ]; then
  if [ -z "${BENCH_NODE_ENV_QUIET:-}" ]; then
    echo "ERROR: bench needs Node.js >= 22 (found $(node --version 2>/dev/null || echo none));" \
      "run bash scripts/setup.sh, which installs one into /opt/node22" >&2
  fi
  # `return` when sourced, so an interactive shell survives; `exit` if run as a script.
  return 3 2>/dev/null || exit 3
fi
