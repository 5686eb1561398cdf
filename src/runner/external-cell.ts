import { StackError } from '../errors.js';
import { drainExternal, type ExternalStack } from '../stack/external.js';
import { onEndpoint } from '../stack/external-check.js';
import type { Component, ConfigPath, Endpoint } from '../stack/types.js';
import { redact } from '../util/redact.js';

/**
 * Client backends by user on an external PostgreSQL, other than bench's own connections (its
 * admin, readiness and sampler connections carry these application names).
 */
const EXTERNAL_BACKENDS_SQL = `SELECT coalesce(usename, '') AS usename, count(*)::int AS n
  FROM pg_stat_activity
 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
   AND coalesce(application_name, '') NOT IN ('bench-admin', 'bench-ready', 'bench-sampler')
 GROUP BY 1`;

/** Pure: the isolation line of an external cell (summarize counts `isolation: N foreign ...`). */
export function externalIsolationLine(
  rows: ReadonlyArray<{ usename: string; n: number }>,
  user: string,
): string {
  const others = rows.filter((r) => r.usename !== user && r.n > 0);
  const foreign = others.reduce((a, r) => a + r.n, 0);
  const own = rows.filter((r) => r.usename === user).reduce((a, r) => a + r.n, 0);
  const users = others.map((r) => `${r.usename || '(none)'}: ${r.n}`).join(', ');
  return (
    `isolation: ${foreign} foreign client backends${users ? ` (${users})` : ''}, ${own} of this config's user ${user}` +
    ' (external stack: reported, not enforced)'
  );
}

/** What one cell was prepared with, and what its samplers may reach (for every provider). */
export interface CellSetup {
  prepared: string[];
  /** Why the cell must not run (a local stack's isolation failed); never set for an external stack. */
  refusal?: string;
  /** PostgreSQL directly, when the config gave postgres_dsn: pg_stat_activity is sampled there. */
  postgres?: Endpoint;
  database: string;
  /** Local processes the matrix named by PID. */
  components: Component[];
}

async function attempt(what: string, fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return what;
  } catch (e) {
    return `${what}: not done (${(e as Error).message})`;
  }
}

/** VACUUM/TRUNCATE of pgbench's tables when the previous cell wrote, then CHECKPOINT; each may be refused. */
async function tidy(ep: Endpoint, vacuum: boolean): Promise<string[]> {
  return onEndpoint(ep, async (c) => {
    const done: string[] = [];
    if (vacuum) {
      done.push(
        await attempt('vacuum pgbench_branches, pgbench_tellers; truncate pgbench_history', async () => {
          await c.query('VACUUM pgbench_branches');
          await c.query('VACUUM pgbench_tellers');
          await c.query('TRUNCATE pgbench_history');
        }),
      );
    }
    // CHECKPOINT needs a superuser or pg_checkpoint (PostgreSQL 15); a cloud database may refuse it.
    done.push(await attempt('checkpoint', () => c.query('CHECKPOINT')));
    return done;
  });
}

/**
 * Before an external cell: drain the config's pooler through its admin console (when given), tidy
 * and checkpoint PostgreSQL (directly when postgres_dsn is given, else through the path), settle,
 * and count the client backends of other users, which are reported and never fail the cell: an
 * external database may serve other clients that bench has no right to stop.
 */
export async function setUpExternalCell(
  stack: ExternalStack,
  p: ConfigPath,
  opts: { vacuum: boolean; settleMs: number },
): Promise<CellSetup> {
  const direct = stack.targets.get(p.config)?.direct?.endpoint;
  try {
    return await setUp(p, direct, opts);
  } catch (e) {
    // The endpoint stopped answering between cells: bench cannot restart it, so the run stops.
    throw new StackError(
      `config "${p.config}": the external stack stopped answering: ${redact((e as Error).message)}`,
    );
  }
}

async function setUp(
  p: ConfigPath,
  direct: Endpoint | undefined,
  opts: { vacuum: boolean; settleMs: number },
): Promise<CellSetup> {
  const prepared = [await drainExternal(p)];
  prepared.push(...(await tidy(direct ?? p.endpoint, opts.vacuum)));
  if (opts.settleMs > 0) {
    await new Promise((r) => setTimeout(r, opts.settleMs));
    prepared.push(`settle ${opts.settleMs} ms`);
  }
  if (direct) {
    const rows = await onEndpoint(
      direct,
      async (c) => (await c.query<{ usename: string; n: number }>(EXTERNAL_BACKENDS_SQL)).rows,
    );
    prepared.push(externalIsolationLine(rows, p.endpoint.user));
  } else {
    prepared.push('isolation not checked: no postgres_dsn, so pg_stat_activity is out of reach');
  }
  return {
    prepared,
    ...(direct ? { postgres: direct } : {}),
    database: (direct ?? p.endpoint).database,
    components: p.components,
  };
}
