import { maxClientsOf } from '../matrix/concurrency.js';
import { type MatrixSpec, pgbouncerHopOf } from '../matrix/schema.js';
import { pairCount, tenantsOf } from '../matrix/tenants.js';
import { workersOf } from '../matrix/workers.js';
import { groupServerConnections } from './group-pools.js';

/**
 * How big the stack is made for a matrix, decided in one place from the matrix alone (and the
 * host's memory): PostgreSQL's max_connections, each PgBouncer's max_client_conn and
 * listen_backlog, and the open files the client-holding processes need. Recorded in run.json
 * (`stack.sizing`) so a reader sees what was set and why.
 */

type Spec = Pick<MatrixSpec, 'concurrency' | 'configs' | 'postgres'> &
  Partial<Pick<MatrixSpec, 'workloads' | 'tenants'>>;

/** Server connections besides the clients: samplers, the harness, superuser_reserved_connections (3). */
export const SERVER_MARGIN = 20;
/** max_connections never goes below PostgreSQL's own default. */
const MIN_MAX_CONNECTIONS = 100;
/** PgBouncer's max_client_conn never below this, and this much above the largest concurrency. */
const MIN_CLIENT_CONN = 1000;
const CLIENT_CONN_MARGIN = 100;
/** PgBouncer's default listen_backlog; the kernel caps whatever is asked at net.core.somaxconn. */
const MIN_LISTEN_BACKLOG = 128;
/**
 * Memory budgeted per PostgreSQL backend when sizing max_connections for unpooled clients, and
 * the share of the host's memory they may take: a direct config at 10,000 clients must not start
 * 10,000 backends on a shared machine. Measured idle-ish backends are smaller (docs/many-clients.md);
 * this is a ceiling that keeps the machine alive, not an estimate of the real cost.
 */
export const BACKEND_BUDGET_BYTES = 8 * 1024 * 1024;
const BACKEND_MEMORY_SHARE = 0.5;

/** run.json's `stack.sizing` on an external stack: its server and poolers keep their own settings. */
export const NOT_SIZED_EXTERNAL = 'not sized: external stack';

export interface PostgresSizing {
  /** What the harness asked for: unpooled clients + margin, or the largest pool + margin. */
  sized: number;
  /** The value PostgreSQL runs with (a matrix's postgres.settings.max_connections wins). */
  maxConnections: number;
  why: string;
}

export interface PgbouncerSizing {
  maxClientConn: number;
  listenBacklog: number;
  why: string;
}

export interface StackSizing {
  postgres: PostgresSizing;
  pgbouncer: Record<string, PgbouncerSizing>;
}

/** The most clients of a cell of configs whose clients reach PostgreSQL one backend each (no PgBouncer); a mix's all together. */
function unpooledClients(spec: Spec): number {
  const unpooled = spec.configs.filter((c) => pgbouncerHopOf(c) === undefined);
  return Math.max(0, ...unpooled.map((c) => maxClientsOf(spec, c.name)));
}

function largestPool(spec: Spec): number {
  return Math.max(
    0,
    ...spec.configs.map((c) => {
      const hop = pgbouncerHopOf(c);
      // Every PgBouncer worker (`workers: N`) has its own pool of this size.
      const pool = hop ? (hop.max_db_connections ?? hop.default_pool_size + (hop.reserve_pool_size ?? 0)) : 0;
      // A pool per group (or a PgBouncer per group) holds its group pools besides the config's own.
      const own =
        pool * workersOf(c) + (hop ? groupServerConnections({ workloads: spec.workloads ?? [] }, hop) : 0);
      // Tenants: one pool per (database, role) pair, each of that size, but never more server
      // connections than the config's clients (a pool opens one only for a client's transaction).
      const pairs = pairCount(tenantsOf(spec, c.name));
      return pairs > 1 ? Math.max(own, Math.min(own * pairs, maxClientsOf(spec, c.name))) : own;
    }),
  );
}

/**
 * PostgreSQL max_connections: every unpooled client plus the margin, or the largest pool plus the
 * margin (one config is up at a time, so pools are not summed), at most what half the host's
 * memory allows at BACKEND_BUDGET_BYTES each. A direct config beyond it fails with "too many
 * clients already", which the cell's reason explains.
 */
export function postgresSizing(spec: Spec, hostMemoryBytes: number): PostgresSizing {
  const clients = unpooledClients(spec);
  const pools = largestPool(spec);
  const wanted = Math.max(MIN_MAX_CONNECTIONS, clients + SERVER_MARGIN, pools + SERVER_MARGIN);
  const ceiling = Math.max(
    MIN_MAX_CONNECTIONS,
    Math.floor((hostMemoryBytes * BACKEND_MEMORY_SHARE) / BACKEND_BUDGET_BYTES),
  );
  const sized = Math.min(wanted, ceiling);
  const capped = sized < wanted;
  const own = spec.postgres.settings.max_connections;
  const why = [
    `largest unpooled concurrency ${clients}, largest pool ${pools}, + ${SERVER_MARGIN} for the harness`,
    ...(capped
      ? [
          `capped at ${ceiling} (half the host's memory at ${BACKEND_BUDGET_BYTES / 1024 / 1024} MiB per backend; ${wanted} wanted)`,
        ]
      : []),
    ...(own === undefined ? [] : [`the matrix's postgres.settings.max_connections ${own} wins`]),
  ].join('; ');
  return { sized, maxConnections: own === undefined ? sized : Number(own), why };
}

/**
 * The most pgbench processes one cell of a config starts: one per client group of a mix (a
 * `tenant: each` group once per pair of the config's tenants), else one. A process splits further
 * only past its open-file limit (src/pgbench/split.ts), thousands of clients each, which the
 * margin covers.
 */
export function pgbenchProcessesOf(spec: Spec, config: string): number {
  const pairs = pairCount(tenantsOf(spec, config));
  const perWorkload = (spec.workloads ?? []).map((w) =>
    typeof w === 'string' || w.mix === undefined
      ? 1
      : w.mix.reduce((a, g) => a + (g.tenant === 'each' ? pairs : 1), 0),
  );
  return Math.max(1, ...perWorkload);
}

/**
 * PgBouncer's client side for one config: room for its largest concurrency plus one connection per
 * pgbench process, unless the matrix says otherwise. Each pgbench process first opens a setup
 * connection of its own (server version, the scale from pgbench_branches) and closes it before its
 * clients connect, but PgBouncer counts a closed client until its event loop reads the close, and
 * under load it reads new clients' startup packets first: 1,000 processes of one client each (1,000
 * tenant pools) were refused at max_client_conn 1,100, with up to two connections per process
 * counted (docs/tenants.md, "Many pools").
 */
export function pgbouncerSizing(spec: Spec, config: string): PgbouncerSizing | undefined {
  const c = spec.configs.find((x) => x.name === config);
  const hop = c ? pgbouncerHopOf(c) : undefined;
  if (!hop) return undefined;
  const clients = maxClientsOf(spec, config);
  const processes = pgbenchProcessesOf(spec, config);
  const maxClientConn =
    hop.max_client_conn ?? Math.max(MIN_CLIENT_CONN, clients + processes + CLIENT_CONN_MARGIN);
  const ownBacklog = hop.settings.listen_backlog;
  const listenBacklog = ownBacklog === undefined ? Math.max(MIN_LISTEN_BACKLOG, clients) : Number(ownBacklog);
  const why = [
    hop.max_client_conn === undefined
      ? `max_client_conn: largest concurrency ${clients} + a setup connection per pgbench process (${processes}) + ${CLIENT_CONN_MARGIN} (at least ${MIN_CLIENT_CONN})`
      : "max_client_conn: the matrix's",
    ownBacklog === undefined
      ? `listen_backlog: one slot per client (at least ${MIN_LISTEN_BACKLOG}; the kernel caps it at net.core.somaxconn)`
      : "listen_backlog: the matrix's",
  ].join('; ');
  return { maxClientConn, listenBacklog, why };
}

export function stackSizing(spec: Spec, hostMemoryBytes: number): StackSizing {
  const pgbouncer: Record<string, PgbouncerSizing> = {};
  for (const c of spec.configs) {
    const s = pgbouncerSizing(spec, c.name);
    if (s) pgbouncer[c.name] = s;
  }
  return { postgres: postgresSizing(spec, hostMemoryBytes), pgbouncer };
}

/** The two pgbouncer.ini values for a config's PgBouncer (defaults when the config has none). */
export function clientSide(spec: Spec, config: string): { maxClientConn: number; listenBacklog: number } {
  const s = pgbouncerSizing(spec, config);
  return {
    maxClientConn: s?.maxClientConn ?? MIN_CLIENT_CONN,
    listenBacklog: s?.listenBacklog ?? MIN_LISTEN_BACKLOG,
  };
}
