import type { ConfigSpec } from '../matrix/schema.js';
import { TLS_OFF, type TlsMode, usesTls } from '../matrix/tls.js';
import type { Endpoint } from '../stack/types.js';
import { LazyClient, num, type Row, str } from './pg-conn.js';

/** One negotiated protocol and cipher, with how many connection observations showed it. */
export interface TlsNegotiated {
  version: string;
  cipher: string;
  /** Key-exchange detail PgBouncer reports (e.g. ECDH=X25519), or the cipher's bits (pg_stat_ssl). */
  detail?: string;
  observations: number;
}

/**
 * What one side of a path negotiated during a cell, polled while pgbench ran. An observation is
 * one connection seen by one poll (a connection that lives through three polls counts three).
 */
export interface TlsSide {
  /** What the config asked for (libpq's sslmode for the client side, server_tls_sslmode for the server side). */
  mode: TlsMode;
  /**
   * Where it was read: pg_stat_ssl (PostgreSQL's backends of the config's role), PgBouncer's SHOW
   * CLIENTS (every worker's, summed), or `config settings`: a config without TLS is not polled.
   */
  source: 'pg_stat_ssl' | 'pgbouncer SHOW CLIENTS' | 'config settings';
  polls: number;
  tlsObservations: number;
  plainObservations: number;
  negotiated: TlsNegotiated[];
  /** The first error a poll met, if any. */
  error?: string;
}

export interface TlsObservation {
  intervalMs: number;
  /** pgbench to the first hop (PostgreSQL for direct, PgBouncer for pgbouncer). */
  client?: TlsSide;
  /** PgBouncer (or a proxy) to PostgreSQL. */
  server?: TlsSide;
}

export interface TlsObserver {
  stop(): Promise<TlsObservation>;
}

/** Polls often: under -C a connection lives a few milliseconds, and pg_stat_ssl shows only live ones. */
export const TLS_POLL_MS = 100;
/** Up to this many clients every TLS_POLL_MS; beyond, the interval grows with the clients. */
const TLS_POLL_CLIENTS = 100;
/** The longest interval: a cell of a few seconds still gets several polls. */
const TLS_POLL_MAX_MS = 1_000;

/**
 * How often a cell of `clients` clients is polled. SHOW CLIENTS returns a row per client (the admin
 * console has no GROUP BY), and each poll is work for the pooler under test: 100 ms up to 100
 * clients, then in proportion (1,000 clients: every second), at most every TLS_POLL_MAX_MS.
 */
export function tlsPollMs(clients: number): number {
  const scaled = Math.round((TLS_POLL_MS * Math.max(clients, TLS_POLL_CLIENTS)) / TLS_POLL_CLIENTS);
  return Math.min(TLS_POLL_MAX_MS, scaled);
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

export function pgStatSslQuery(role: string): string {
  return (
    'SELECT s.ssl, s.version, s.cipher, s.bits, count(*) AS n FROM pg_stat_ssl s ' +
    "JOIN pg_stat_activity a ON a.pid = s.pid WHERE a.backend_type = 'client backend' " +
    `AND a.usename = ${quote(role)} GROUP BY 1, 2, 3, 4`
  );
}

type Tally = Map<string, TlsNegotiated>;

function add(t: Tally, n: Omit<TlsNegotiated, 'observations'>, count: number): void {
  const key = `${n.version}/${n.cipher}/${n.detail ?? ''}`;
  const cur = t.get(key) ?? { ...n, observations: 0 };
  cur.observations += count;
  t.set(key, cur);
}

/** pg_stat_ssl rows (grouped by ssl, version, cipher, bits) into the tally; returns [tls, plain]. */
export function tallyPgStatSsl(rows: Row[], t: Tally): [number, number] {
  let tls = 0;
  let plain = 0;
  for (const r of rows) {
    const n = num(r.n);
    if (r.ssl === true || r.ssl === 't') {
      tls += n;
      add(t, { version: str(r.version), cipher: str(r.cipher), detail: `${str(r.bits)} bits` }, n);
    } else plain += n;
  }
  return [tls, plain];
}

/**
 * SHOW CLIENTS rows of `user` into the tally. PgBouncer's `tls` column reads
 * `TLSv1.3/TLS_AES_256_GCM_SHA384/ECDH=X25519`, or is empty for a plain connection.
 */
export function tallyShowClients(rows: Row[], user: string, t: Tally): [number, number] {
  let tls = 0;
  let plain = 0;
  for (const r of rows) {
    if (str(r.user) !== user) continue;
    const text = str(r.tls);
    if (text === '') {
      plain += 1;
      continue;
    }
    tls += 1;
    const [version = '', cipher = '', ...rest] = text.split('/');
    add(t, { version, cipher, ...(rest.length > 0 ? { detail: rest.join('/') } : {}) }, 1);
  }
  return [tls, plain];
}

interface SidePoller {
  side: TlsSide;
  tally: Tally;
  poll(): Promise<void>;
  close(): Promise<void>;
}

/** One side, read from one endpoint or several (each PgBouncer worker's admin), summed per poll. */
function sidePoller(
  mode: TlsMode,
  source: TlsSide['source'],
  endpoints: readonly Endpoint[],
  sql: string,
  tallyRows: (rows: Row[], t: Tally) => [number, number],
): SidePoller {
  const clients = endpoints.map((e) => new LazyClient(e, 2_000));
  const side: TlsSide = { mode, source, polls: 0, tlsObservations: 0, plainObservations: 0, negotiated: [] };
  const tally: Tally = new Map();
  return {
    side,
    tally,
    async poll() {
      const results = await Promise.allSettled(clients.map((c) => c.query(sql)));
      let read = false;
      for (const r of results) {
        if (r.status === 'rejected') {
          side.error ??= (r.reason as Error).message;
          continue;
        }
        const [tls, plain] = tallyRows(r.value, tally);
        side.tlsObservations += tls;
        side.plainObservations += plain;
        read = true;
      }
      if (read) side.polls += 1;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

export interface TlsObserveOptions {
  config: ConfigSpec;
  role: string;
  postgres: Endpoint;
  /** PgBouncer's admin console, or each worker's (`workers: N`): SHOW CLIENTS is read on every one. */
  pgbouncerAdmins?: readonly Endpoint[];
  intervalMs?: number;
}

/** The sides a config's path has, and where each is read. */
function pollersFor(o: TlsObserveOptions): { client?: SidePoller; server?: SidePoller } {
  const tls = o.config.tls ?? TLS_OFF;
  const pgSide = (mode: TlsMode) =>
    sidePoller(mode, 'pg_stat_ssl', [o.postgres], pgStatSslQuery(o.role), tallyPgStatSsl);
  if (o.config.kind === 'direct') return { client: pgSide(tls.client) };
  const server = pgSide(tls.server);
  if (o.config.kind === 'pgbouncer' && o.pgbouncerAdmins && o.pgbouncerAdmins.length > 0) {
    const client = sidePoller(
      tls.client,
      'pgbouncer SHOW CLIENTS',
      o.pgbouncerAdmins,
      'SHOW CLIENTS',
      (rows, t) => tallyShowClients(rows, o.role, t),
    );
    return { client, server };
  }
  return { server };
}

/** Polls the path's TLS state until stopped; never throws (errors are recorded per side). */
export function startTlsObserver(o: TlsObserveOptions): TlsObserver {
  const intervalMs = o.intervalMs ?? TLS_POLL_MS;
  const pollers = pollersFor(o);
  const all = [pollers.client, pollers.server].filter((p): p is SidePoller => p !== undefined);
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(all.map((p) => p.poll()));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  const finish = (p: SidePoller | undefined): TlsSide | undefined =>
    p
      ? { ...p.side, negotiated: [...p.tally.values()].sort((a, b) => b.observations - a.observations) }
      : undefined;
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(all.map((p) => p.close()));
      const client = finish(pollers.client);
      const server = finish(pollers.server);
      return { intervalMs, ...(client ? { client } : {}), ...(server ? { server } : {}) };
    },
  };
}

/**
 * Which cells are observed: those of a config with TLS on its path (not external: its servers are
 * not the run's to read). A config without TLS connects with sslmode=disable and PgBouncer or
 * PostgreSQL without TLS settings towards it, so its record says plain from its settings
 * (plainObservation) rather than polling a pooler at thousands of clients for it.
 */
export function observesTls(config: ConfigSpec): boolean {
  return config.kind !== 'external' && usesTls(config);
}

/** The record of a config without TLS in a run with TLS: its sides, `disable`, from its settings. */
export function plainObservation(config: ConfigSpec): TlsObservation {
  const plain = (): TlsSide => ({
    mode: 'disable',
    source: 'config settings',
    polls: 0,
    tlsObservations: 0,
    plainObservations: 0,
    negotiated: [],
  });
  if (config.kind === 'direct') return { intervalMs: 0, client: plain() };
  if (config.kind === 'pgbouncer') return { intervalMs: 0, client: plain(), server: plain() };
  return { intervalMs: 0, server: plain() };
}
