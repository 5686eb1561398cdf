/**
 * Why a cell with many clients failed, in the words a report can print: which limit refused the
 * clients (PostgreSQL's max_connections, PgBouncer's max_client_conn) and whether it was the
 * machine (open files, ephemeral ports, memory) rather than the pooler. Pure: pgbench's stderr
 * and the sizes the run set.
 */

export interface LimitContext {
  clients: number;
  /** PostgreSQL's max_connections in this run (unknown on an external stack: not the run's to set). */
  maxConnections?: number;
  /** An external stack (src/stack/external.ts): the server's limits are its own, not set by the run. */
  external?: boolean;
  /** The config's PgBouncer max_client_conn, when it has one. */
  maxClientConn?: number;
  /** Usable ephemeral ports (net.ipv4.ip_local_port_range minus reserved ones). */
  ephemeralPorts?: number;
  /** The open-file limit pgbench and the components inherit. */
  nofile?: number;
}

interface Rule {
  match: RegExp;
  explain: (c: LimitContext) => string;
}

const known = (n: number | undefined) => (n === undefined ? 'unknown' : String(n));

const RULES: readonly Rule[] = [
  {
    match: /too many clients already|remaining connection slots are reserved/,
    explain: (c) =>
      c.external
        ? `PostgreSQL refused the clients: the external server's max_connections (its own setting, not set by the run) is below what ${c.clients} clients and the other sessions on it need (raise it there, or put a pooler in front)`
        : `PostgreSQL refused the clients: max_connections is ${known(c.maxConnections)} and ${c.clients} clients without a pooler need a backend each (a server limit set by the run, not the machine's; a pooler holds the same clients on a pool)`,
  },
  {
    match: /no more connections allowed \(max_client_conn\)/,
    explain: (c) =>
      `PgBouncer refused the clients: its max_client_conn is ${known(c.maxClientConn)} for ${c.clients} clients (each pgbench process also opens a setup connection first, which PgBouncer may still count when the clients connect: docs/tenants.md, "Many pools")`,
  },
  {
    match: /Cannot assign requested address/,
    explain: (c) =>
      `the machine ran out of ephemeral ports (${known(c.ephemeralPorts)} usable; sockets in TIME_WAIT hold ports for 60 s after each reconnect): the machine, not the pooler, is the limit`,
  },
  {
    match: /Too many open files|need at least \d+ open files/,
    explain: (c) =>
      `a process ran out of open files (limit ${known(c.nofile)}): the machine's open-file limit, not the pooler, is the limit`,
  },
  {
    match: /could not fork new process for connection|out of memory|Cannot allocate memory/,
    explain: () => 'the machine ran out of memory or processes for the backends: the machine is the limit',
  },
];

/** The explanation of the first limit pgbench's stderr names; undefined when it names none. */
export function explainLimitFailure(stderr: string, ctx: LimitContext | undefined): string | undefined {
  if (!ctx) return undefined;
  return RULES.find((r) => r.match.test(stderr))?.explain(ctx);
}
