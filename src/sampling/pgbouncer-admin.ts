import type { Endpoint } from '../stack/types.js';
import { LazyClient, num, type Row, str } from './pg-conn.js';
import type { PgbouncerPool, PgbouncerSample, PgbouncerStatsDelta } from './types.js';

/** PgBouncer's own admin database appears in SHOW POOLS/STATS; it is not part of any path. */
const ADMIN_DB = 'pgbouncer';

function field(row: Row, name: string, what: string): number {
  const v = num(row[name]);
  if (!Number.isFinite(v)) throw new Error(`${what}: column ${name} is ${JSON.stringify(row[name])}`);
  return v;
}

/** SHOW POOLS rows (PgBouncer 1.18 columns) -> pools, admin database skipped. */
export function parsePools(rows: Row[]): PgbouncerPool[] {
  const pools: PgbouncerPool[] = [];
  for (const row of rows) {
    const database = str(row.database);
    if (database === ADMIN_DB) continue;
    const f = (name: string) => field(row, name, 'SHOW POOLS');
    // maxwait_us is the sub-second part of maxwait (added in 1.8); older versions lack it.
    const us = row.maxwait_us === undefined ? 0 : f('maxwait_us');
    pools.push({
      database,
      user: str(row.user),
      clActive: f('cl_active'),
      clWaiting: f('cl_waiting'),
      svActive: f('sv_active'),
      svIdle: f('sv_idle'),
      svUsed: f('sv_used'),
      maxwaitMs: f('maxwait') * 1000 + us / 1000,
    });
  }
  return pools;
}

export type StatsCounters = { xacts: number; queries: number; waitTimeUs: number };

/** SHOW STATS rows -> cumulative counters summed over databases, admin database skipped. */
export function parseStats(rows: Row[]): StatsCounters {
  const c: StatsCounters = { xacts: 0, queries: 0, waitTimeUs: 0 };
  for (const row of rows) {
    if (str(row.database) === ADMIN_DB) continue;
    const f = (name: string) => field(row, name, 'SHOW STATS');
    c.xacts += f('total_xact_count');
    c.queries += f('total_query_count');
    c.waitTimeUs += f('total_wait_time');
  }
  return c;
}

/** Undefined when a counter went backwards (PgBouncer restarted or a database was removed). */
export function statsDelta(
  prev: StatsCounters,
  cur: StatsCounters,
  dtMs: number,
): PgbouncerStatsDelta | undefined {
  const d = {
    dtMs,
    xacts: cur.xacts - prev.xacts,
    queries: cur.queries - prev.queries,
    waitTimeUs: cur.waitTimeUs - prev.waitTimeUs,
  };
  if (d.xacts < 0 || d.queries < 0 || d.waitTimeUs < 0) return undefined;
  return d;
}

/** Pool totals before any pool is added: one shape for a single PgBouncer and for summed workers. */
export function emptyPoolTotals() {
  return { clActive: 0, clWaiting: 0, svActive: 0, svIdle: 0, svUsed: 0, serverConnections: 0, maxwaitMs: 0 };
}

export function poolsSample(t: number, pools: PgbouncerPool[], stats?: PgbouncerStatsDelta): PgbouncerSample {
  const totals = emptyPoolTotals();
  for (const p of pools) {
    totals.clActive += p.clActive;
    totals.clWaiting += p.clWaiting;
    totals.svActive += p.svActive;
    totals.svIdle += p.svIdle;
    totals.svUsed += p.svUsed;
    totals.maxwaitMs = Math.max(totals.maxwaitMs, p.maxwaitMs);
  }
  totals.serverConnections = totals.svActive + totals.svIdle + totals.svUsed;
  return { t, kind: 'pgbouncer', pools, totals, ...(stats ? { stats } : {}) };
}

/**
 * PgBouncer's admin console (database `pgbouncer`). The console speaks only the simple query
 * protocol, which node-postgres uses for a query without parameters. The two SHOW commands go
 * one after the other on the one connection (a connection runs one query at a time anyway).
 */
export class PgbouncerAdminSampler {
  readonly kind = 'pgbouncer' as const;
  private readonly conn: LazyClient;
  private prev?: { counters: StatsCounters; atMs: number };

  constructor(admin: Endpoint, timeoutMs: number) {
    this.conn = new LazyClient({ ...admin, database: ADMIN_DB }, timeoutMs);
  }

  async sample(t: number): Promise<PgbouncerSample> {
    const pools = parsePools(await this.conn.query('SHOW POOLS'));
    const atMs = performance.now();
    const counters = parseStats(await this.conn.query('SHOW STATS'));
    const delta = this.prev
      ? statsDelta(this.prev.counters, counters, Math.round(atMs - this.prev.atMs))
      : undefined;
    this.prev = { counters, atMs };
    return poolsSample(t, pools, delta);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
