import { isOwnRole } from '../matrix/tenants.js';
import { BENCH_USER } from '../stack/cluster.js';
import { withClient } from '../stack/ready.js';
import type { Endpoint } from '../stack/types.js';

const POLL_MS = 100;

/**
 * Client backends by user, other than this query's own. Everything of the harness connects as the
 * superuser `bench` (init, CHECKPOINT, samplers), every config as its own role.
 */
const BACKENDS_SQL = `SELECT coalesce(usename, '') AS usename, count(*)::int AS n
  FROM pg_stat_activity
 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
 GROUP BY 1`;

export interface IsolationCount {
  /** Backends of users that are neither the harness nor the config under test, by user. */
  foreign: Record<string, number>;
  foreignTotal: number;
  /** Backends of the config under test (e.g. a pooler's min_pool_size, pgpool's cache). */
  own: number;
}

/** Pure: rows of BACKENDS_SQL -> counts for the config whose role is `role`. */
export function countIsolation(
  rows: ReadonlyArray<{ usename: string; n: number }>,
  role: string,
): IsolationCount {
  const foreign: Record<string, number> = {};
  let own = 0;
  for (const r of rows) {
    if (isOwnRole(role, r.usename)) own += r.n;
    else if (r.usename !== BENCH_USER) foreign[r.usename] = (foreign[r.usename] ?? 0) + r.n;
  }
  const foreignTotal = Object.values(foreign).reduce((a, b) => a + b, 0);
  return { foreign, foreignTotal, own };
}

/** The `prepared` line of a cell, and the reason a cell fails when foreign backends stay. */
export function describeIsolation(c: IsolationCount, waitedMs: number): string {
  const users = Object.entries(c.foreign)
    .map(([u, n]) => `${u}: ${n}`)
    .join(', ');
  return (
    `isolation: ${c.foreignTotal} foreign client backends` +
    (users ? ` (${users})` : '') +
    `, ${c.own} of this config` +
    (waitedMs > 0 ? `, after waiting ${waitedMs} ms` : '')
  );
}

/**
 * Waits until PostgreSQL has no client backend of another config (those of a pooler stopped a
 * moment ago go within milliseconds), up to `timeoutMs`; returns the last count and the wait.
 */
export async function awaitIsolation(
  postgres: Endpoint,
  role: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ count: IsolationCount; waitedMs: number }> {
  const t0 = Date.now();
  return withClient(postgres, async (client) => {
    for (let poll = 0; ; poll++) {
      const r = await client.query<{ usename: string; n: number }>(BACKENDS_SQL);
      const count = countIsolation(r.rows, role);
      const waitedMs = poll === 0 ? 0 : Date.now() - t0;
      if (count.foreignTotal === 0 || waitedMs >= timeoutMs || signal?.aborted) return { count, waitedMs };
      await new Promise((res) => setTimeout(res, POLL_MS));
    }
  });
}
