import { readFileSync } from 'node:fs';

/**
 * Sockets in TIME_WAIT, from /proc/net/tcp and tcp6: each holds its local port for 60 s after a
 * connection closes, so a reconnect storm (pgbench -C with many clients) can use up the
 * ephemeral port range. State 06 is TCP_TIME_WAIT in the kernel's numbering.
 */
export function countTimeWait(procNetTcp: string): number {
  let n = 0;
  for (const line of procNetTcp.split('\n')) {
    // "  sl  local_address rem_address   st ..." ; fields: sl, local, remote, st
    const f = line.trim().split(/\s+/);
    if (f[3] === '06' && /^\d+:$/.test(f[0] ?? '')) n++;
  }
  return n;
}

/** TIME_WAIT sockets in this network namespace now; undefined where /proc cannot be read. */
export function timeWaitNow(
  read: (f: string) => string = (f) => readFileSync(f, 'utf8'),
): number | undefined {
  let total: number | undefined;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      total = (total ?? 0) + countTimeWait(read(f));
    } catch {
      // tcp6 is absent without IPv6
    }
  }
  return total;
}

/**
 * A warning when the ports left after a cell could not serve its clients again: TIME_WAIT sockets
 * plus the clients above 80 % of the usable ephemeral ports.
 */
export function portPressure(a: { timeWait: number; clients: number; usable: number }): string | undefined {
  const used = a.timeWait + a.clients;
  if (used <= 0.8 * a.usable) return undefined;
  return `${a.timeWait} sockets in TIME_WAIT and ${a.clients} clients need ${used} of the ${a.usable} usable ephemeral ports: the machine's port range, not the pooler, is near its limit (widen net.ipv4.ip_local_port_range or space the cells)`;
}
