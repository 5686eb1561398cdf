#!/usr/bin/env bash
# Measures what TLS costs per new connection (pgbench -S -C), direct and through PgBouncer in
# transaction mode, TLS off and sslmode=require, with the CPU of pgbench, PgBouncer and PostgreSQL
# read from /proc (utime+stime; the postmaster's cutime+cstime hold the CPU of every reaped -C
# backend). Interleaved reps; loopback only; run as root (servers run as postgres). Needs a build
# (npm run build: the certificates come from src/stack/tls-certs.ts). Env: KEY REPS T C. See docs/tls.md.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
KEY=${KEY:-rsa-2048}; REPS=${REPS:-3}; T=${T:-10}; C=${C:-8}
BIN=/usr/lib/postgresql/15/bin
W=$(mktemp -d /tmp/tlshand-XXXXXX); chmod 755 "$W"; chown postgres: "$W"
U=$(id -u postgres); G=$(id -g postgres)
(cd "$root" && node -e "import('./dist/src/stack/tls-certs.js').then(m=>m.generateTlsCerts('$W/tls','$KEY',{uid:$U,gid:$G}))")
setpriv --reuid=$U --regid=$G --clear-groups $BIN/initdb -D "$W/pg" --auth=trust -U bench >/dev/null
PGPORT=25437; BPORT=26437
setpriv --reuid=$U --regid=$G --clear-groups $BIN/postgres -D "$W/pg" -c port=$PGPORT -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories="$W" -c ssl=on -c ssl_cert_file="$W/tls/server.crt" -c ssl_key_file="$W/tls/server.key" \
  -c max_connections=100 >"$W/pg.log" 2>&1 &
PGPID=$!
cat >"$W/pgb.ini" <<INI
[databases]
bench = host=127.0.0.1 port=$PGPORT dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BPORT
unix_socket_dir = $W
auth_type = trust
auth_file = $W/users.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 200
log_stats = 0
client_tls_sslmode = prefer
client_tls_cert_file = $W/tls/server.crt
client_tls_key_file = $W/tls/server.key
client_tls_ca_file = $W/tls/ca.crt
INI
echo '"bench" ""' >"$W/users.txt"; chown postgres: "$W/pgb.ini" "$W/users.txt"
cleanup() { kill "$BPID" 2>/dev/null || true; kill -INT "$PGPID" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
sleep 2
setpriv --reuid=$U --regid=$G --clear-groups /usr/sbin/pgbouncer "$W/pgb.ini" >"$W/pgb.log" 2>&1 &
BPID=$!
sleep 1
PGSSLMODE=disable $BIN/pgbench -h 127.0.0.1 -p $PGPORT -U bench -i -s 10 -q postgres >/dev/null 2>&1
ticks() { awk '{print $14+$15+$16+$17}' /proc/$1/stat; }
HZ=$(getconf CLK_TCK)
echo "uptime before: $(uptime)"
echo "key=$KEY reps=$REPS T=${T}s clients=$C"
printf '%-18s %4s %9s %12s %14s %14s %14s\n' path rep conn/s pgbench_ms pgbouncer_ms postgres_ms sum_ms
for rep in $(seq 1 "$REPS"); do
  for path in direct direct-tls pgbouncer pgbouncer-tls; do
    case $path in direct) port=$PGPORT; mode=disable; db=postgres;; direct-tls) port=$PGPORT; mode=require; db=postgres;;
      pgbouncer) port=$BPORT; mode=disable; db=bench;; pgbouncer-tls) port=$BPORT; mode=require; db=bench;; esac
    b0=$(ticks $BPID); p0=$(ticks $PGPID)
    out=$( { TIMEFORMAT='%U %S'; time PGSSLMODE=$mode $BIN/pgbench -h 127.0.0.1 -p $port -U bench -n -S -C -c $C -j 2 -T $T $db >"$W/out" 2>/dev/null; } 2>&1 )
    b1=$(ticks $BPID); p1=$(ticks $PGPID)
    tps=$(grep -oP 'tps = \K[0-9.]+' "$W/out" | head -1 || true)
    [ -n "$tps" ] || { echo "$path: pgbench failed"; cat "$W/out"; exit 1; }
    awk -v path=$path -v rep=$rep -v tps="$tps" -v cpu="$out" -v b=$((b1-b0)) -v p=$((p1-p0)) -v hz=$HZ -v t=$T 'BEGIN{
      split(cpu,a," "); n=tps*t; cb=(a[1]+a[2])*1000/n; bb=(path ~ /pgbouncer/)? b*1000/hz/n : 0; pp=p*1000/hz/n;
      printf "%-18s %4d %9.0f %12.3f %14.3f %14.3f %14.3f\n", path, rep, tps, cb, bb, pp, cb+bb+pp}'
  done
done
echo "uptime after: $(uptime)"
