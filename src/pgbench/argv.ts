import type { Protocol } from '../matrix/protocol.js';
import { type Workload, workloadFlags } from '../matrix/workload.js';
import type { Endpoint } from './types.js';

export interface CellArgs {
  endpoint: Endpoint;
  workload: Workload;
  clients: number;
  threads: number;
  durationS: number;
  protocol: Protocol;
  /** Per-transaction log file prefix (relative to the cwd pgbench runs in). */
  logPrefix?: string;
}

/**
 * pgbench -j: as many threads as cores, never more than clients (pgbench refuses -j > -c), and
 * at least 1. On the 2-core machines here pgbench shares cores with postgres and the pooler, so
 * more threads only add context switches.
 */
export function autoThreads(clients: number, cores: number): number {
  return Math.max(1, Math.min(clients, cores));
}

/** The pgbench argv for one cell. Connection details as flags, the password never (PGPASSWORD). */
export function cellArgv(a: CellArgs): string[] {
  const argv = [
    '-h',
    hostList(a.endpoint),
    '-p',
    portList(a.endpoint),
    '-U',
    a.endpoint.user,
    // -n: the harness vacuums (or not) itself and records what it did.
    '-n',
    '-c',
    String(a.clients),
    '-j',
    String(a.threads),
    '-T',
    String(a.durationS),
    '-P',
    '1',
    '-M',
    a.protocol,
    ...workloadFlags(a.workload),
  ];
  if (a.logPrefix !== undefined) argv.push('-l', `--log-prefix=${a.logPrefix}`);
  // pgbench 15: the failure kinds in the log and the summary (serialization, deadlock).
  argv.push('--failures-detailed');
  argv.push(a.endpoint.database);
  return argv;
}

/**
 * libpq's multi-host form: `-h a,b -p 1,2` (pgbench 15 hands both to PQsetdbLogin, which splits
 * the lists); with one server, just it.
 */
function hostList(e: Endpoint): string {
  return [e.host, ...(e.fallbacks ?? []).map((f) => f.host)].join(',');
}

function portList(e: Endpoint): string {
  return [e.port, ...(e.fallbacks ?? []).map((f) => f.port)].join(',');
}

export function initArgv(endpoint: Endpoint, scale: number): string[] {
  return [
    '-h',
    endpoint.host,
    '-p',
    String(endpoint.port),
    '-U',
    endpoint.user,
    '-i',
    '-s',
    String(scale),
    '-q',
    endpoint.database,
  ];
}

/** The environment pgbench needs: the password stays out of argv, ps and the results. */
export function pgbenchEnv(endpoint: Endpoint): Record<string, string> {
  // TLS only where a config asks for it (tls.client); everything else, init included, stays plain.
  return {
    PGPASSWORD: endpoint.password,
    PGAPPNAME: 'pgbench',
    PGSSLMODE: endpoint.sslmode ?? 'disable',
    ...(endpoint.sslrootcert ? { PGSSLROOTCERT: endpoint.sslrootcert } : {}),
    // With several servers: the first that accepts writes (a standby is skipped until promoted).
    ...(endpoint.fallbacks && endpoint.fallbacks.length > 0 ? { PGTARGETSESSIONATTRS: 'read-write' } : {}),
  };
}
