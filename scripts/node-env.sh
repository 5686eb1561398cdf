# Sourced by the other scripts: puts a Node >= 22 first on PATH, installing one from the npm
# registry into /opt/node22 when the machine's node is older (Debian 12 ships 18/20; our
# dependencies need 22). The system node is left untouched.
bench_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x /opt/node22/bin/node ]; then
  export PATH=/opt/node22/bin:$PATH
fi
if [ "$(bench_node_major)" -lt 22 ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "ERROR: Node.js and npm are needed (apt-get install -y nodejs npm), then rerun" >&2
    exit 3
  fi
  echo "node $(node --version 2>/dev/null || echo none) is older than 22: installing node@22 into /opt/node22" >&2
  if [ "$(id -u)" -eq 0 ]; then npm install -g --prefix /opt/node22 node@22 >&2
  else sudo npm install -g --prefix /opt/node22 node@22 >&2; fi
  export PATH=/opt/node22/bin:$PATH
  if [ "$(bench_node_major)" -lt 22 ]; then
    echo "ERROR: could not get Node >= 22 (have $(node --version))" >&2
    exit 3
  fi
fi
