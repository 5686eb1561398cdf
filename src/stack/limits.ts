import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';

/**
 * What this machine lets one run open. Node raises its soft RLIMIT_NOFILE to the hard limit at
 * start-up (checked on Node 22: `ulimit -Sn 1024; node` shows soft = hard in /proc/self/limits and
 * in its children), and pgbench, PostgreSQL, PgBouncer and the proxy inherit that.
 */
export interface ClientLimits {
  /** RLIMIT_NOFILE of this process (Infinity = unlimited); undefined where it cannot be read. */
  nofile?: { soft: number; hard: number };
  /** net.ipv4.ip_local_port_range minus ip_local_reserved_ports: ports for outgoing connections. */
  ephemeralPorts?: { low: number; high: number; usable: number };
}

/**
 * Open files beyond one per client, in the process that holds every client socket (pgbench;
 * PgBouncer or a proxy in front of PostgreSQL): pgbench's own check is clients + 3, plus a log per
 * thread; PgBouncer adds its server pool, listeners and log.
 */
export const FD_MARGIN = 128;
/** Ephemeral ports the run needs besides the clients' (samplers, pools towards PostgreSQL). */
export const PORT_MARGIN = 64;

/** The "Max open files" row of /proc/<pid>/limits. */
export function parseNofile(limitsText: string): { soft: number; hard: number } | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limitsText);
  if (!m?.[1] || !m[2]) return undefined;
  const n = (s: string) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: n(m[1]), hard: n(m[2]) };
}

/** /proc/sys/net/ipv4/ip_local_port_range ("32768\t60999") and ip_local_reserved_ports ("8080,9000-9010"). */
export function parsePortRange(
  rangeText: string,
  reservedText = '',
): { low: number; high: number; usable: number } | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(rangeText);
  if (!m?.[1] || !m[2]) return undefined;
  const low = Number(m[1]);
  const high = Number(m[2]);
  if (high < low) return undefined;
  let reserved = 0;
  for (const part of reservedText.trim().split(',')) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!r?.[1]) continue;
    const a = Math.max(low, Number(r[1]));
    const b = Math.min(high, Number(r[2] ?? r[1]));
    if (b >= a) reserved += b - a + 1;
  }
  return { low, high, usable: high - low + 1 - reserved };
}

/** Reads the limits of this process and this network namespace; what cannot be read is left out. */
export function clientLimits(read: (file: string) => string = (f) => readFileSync(f, 'utf8')): ClientLimits {
  const tryRead = (f: string) => {
    try {
      return read(f);
    } catch {
      return undefined;
    }
  };
  const out: ClientLimits = {};
  const limits = tryRead('/proc/self/limits');
  const nofile = limits === undefined ? undefined : parseNofile(limits);
  if (nofile) out.nofile = nofile;
  const range = tryRead('/proc/sys/net/ipv4/ip_local_port_range');
  const ports =
    range === undefined
      ? undefined
      : parsePortRange(range, tryRead('/proc/sys/net/ipv4/ip_local_reserved_ports') ?? '');
  if (ports) out.ephemeralPorts = ports;
  return out;
}

/** The most clients one cell can have here, and the limit that sets it; undefined = no known bound. */
export function maxClients(
  limits: ClientLimits,
): { max: number; why: (clients: number) => string } | undefined {
  const bounds: Array<{ max: number; why: (clients: number) => string }> = [];
  if (limits.nofile) {
    // Children get this process's soft limit, which Node has already raised to the hard one; they
    // cannot go past the hard limit without privileges either way.
    const { soft, hard } = limits.nofile;
    const open = Math.min(soft, hard);
    if (Number.isFinite(open)) {
      bounds.push({
        max: Math.max(0, open - FD_MARGIN),
        why: (c) =>
          `${c} clients need ${c + FD_MARGIN} open files in pgbench (and in PgBouncer or a proxy), the open-file limit is ${open}${soft < hard ? ` (hard ${hard})` : ''}; raise it with ulimit -n (hard: limits.conf or LimitNOFILE) or use fewer clients`,
      });
    }
  }
  if (limits.ephemeralPorts) {
    const { low, high, usable } = limits.ephemeralPorts;
    bounds.push({
      max: Math.max(0, usable - PORT_MARGIN),
      why: (c) =>
        `every client connection to 127.0.0.1 takes an ephemeral port and net.ipv4.ip_local_port_range ${low}-${high} has ${usable} usable, ${c} clients plus ${PORT_MARGIN} for the harness do not fit; widen it with sysctl or use fewer clients`,
    });
  }
  return bounds.reduce<(typeof bounds)[number] | undefined>(
    (tightest, b) => (tightest === undefined || b.max < tightest.max ? b : tightest),
    undefined,
  );
}

/**
 * Refuses, before anything starts, a concurrency this machine cannot serve: otherwise PostgreSQL
 * and a config's path start and pgbench dies on its first connect with "need at least N open files".
 */
export function checkClientLimits(
  matrixFile: string,
  concurrency: number[],
  limits: ClientLimits,
  field = 'concurrency',
): void {
  const bound = maxClients(limits);
  if (!bound) return;
  concurrency.forEach((clients, i) => {
    if (clients > bound.max) {
      throw new ConfigurationError(
        `${matrixFile}: ${field}[${i}]: expected at most ${bound.max} clients on this machine: ${bound.why(clients)}`,
      );
    }
  });
}
