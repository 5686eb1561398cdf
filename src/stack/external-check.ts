import pg from 'pg';
import { ConfigurationError, StackError } from '../errors.js';
import { nodePgSsl } from '../util/pg-ssl.js';
import { redact } from '../util/redact.js';
import { dataDecision, TABLES_SQL, type TableRow, tableCensus } from './external-data.js';
import type { ExternalEndpoint, ExternalTargets } from './external-endpoints.js';
import { ignoreIdleError } from './ready.js';
import type { Endpoint } from './types.js';

const CONNECT_TIMEOUT_MS = 10_000;

/** A short-lived connection with a connect timeout (a remote endpoint may not answer at all). */
export async function onEndpoint<T>(ep: Endpoint, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    ...ep,
    application_name: 'bench-admin',
    ssl: nodePgSsl(ep),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', ignoreIdleError);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function where(t: ExternalTargets, e: ExternalEndpoint): string {
  return `configs[${t.index}] "${t.config}": ${e.field} ${e.name}`;
}

/** One endpoint answers a query, or the run stops (exit 2) naming the config and the field. */
async function answers(t: ExternalTargets, e: ExternalEndpoint, sql: string): Promise<string> {
  const ep = e.field === 'admin_dsn' ? { ...e.endpoint, database: 'pgbouncer' } : e.endpoint;
  try {
    return await onEndpoint(ep, async (c) => {
      const r = await c.query(sql);
      const v = Object.values((r.rows[0] ?? {}) as Record<string, unknown>)[0];
      return typeof v === 'string' ? v : String(v ?? '');
    });
  } catch (err) {
    throw new StackError(`${where(t, e)} does not answer: ${redact((err as Error).message)}`);
  }
}

/** Versions found on the way: PostgreSQL's (through the path or directly), PgBouncer's (admin console). */
export interface Answered {
  postgres: string;
  pgbouncer?: string;
}

/** Every endpoint of every config answers before the first cell; the first that does not stops the run. */
export async function checkEndpoints(targets: readonly ExternalTargets[]): Promise<Answered> {
  const found: Answered = { postgres: 'unknown' };
  for (const t of targets) {
    const v = await answers(t, t.main, 'SHOW server_version');
    if (t.direct) found.postgres = await answers(t, t.direct, 'SHOW server_version');
    else if (found.postgres === 'unknown') found.postgres = v;
    if (t.admin) found.pgbouncer = (await answers(t, t.admin, 'SHOW VERSION')).replace(/^PgBouncer\s+/i, '');
  }
  return found;
}

/** The endpoint bench itself uses for one config's data: PostgreSQL directly when given, else the path. */
export function dataEndpoint(t: ExternalTargets): ExternalEndpoint {
  return t.direct ?? t.main;
}

/** Each distinct database once, with the first config that uses it (for messages). */
export function dataTargets(targets: readonly ExternalTargets[]): ExternalTargets[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = dataEndpoint(t).name;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The tables of every database decide, before anything is written: pgbench -i only with
 * `init: true` and only in a database with no other table; without init the pgbench tables must
 * exist. Returns the scale found in each database that is used as it is.
 */
export async function checkData(
  targets: readonly ExternalTargets[],
  init: boolean,
): Promise<Map<string, { action: 'init' | 'use'; scale?: number }>> {
  const out = new Map<string, { action: 'init' | 'use'; scale?: number }>();
  for (const t of dataTargets(targets)) {
    const e = dataEndpoint(t);
    const rows = await onEndpoint(e.endpoint, async (c) => (await c.query<TableRow>(TABLES_SQL)).rows);
    const d = dataDecision(init, tableCensus(rows), where(t, e));
    if (d.action === 'refuse') throw new ConfigurationError(d.message);
    if (d.action === 'init') {
      out.set(e.name, { action: 'init' });
      continue;
    }
    // The scale is a fact for run.json; a user who may not read pgbench_branches still runs.
    const scale = await onEndpoint(e.endpoint, async (c) => {
      const r = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pgbench_branches');
      return r.rows[0]?.n;
    }).catch(() => undefined);
    out.set(e.name, { action: 'use', ...(scale !== undefined ? { scale } : {}) });
  }
  return out;
}
