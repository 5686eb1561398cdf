import { StackError } from '../errors.js';
import { type Tenants, tenantDatabases } from '../matrix/tenants.js';
import { initArgv, pgbenchEnv } from '../pgbench/argv.js';
import { extractErrorLines } from '../pgbench/summary.js';
import type { Row } from '../sampling/pg-conn.js';
import { parsePools } from '../sampling/pgbouncer-admin.js';
import type { PgbouncerPool } from '../sampling/types.js';
import { BENCH_DB } from '../stack/cluster.js';
import { withClient } from '../stack/ready.js';
import type { ConfigPath, Stack } from '../stack/types.js';

/** pgbench -i once per run, directly on PostgreSQL (never through the path under test). */
export async function initData(
  stack: Stack,
  scale: number,
  cwd: string,
  signal?: AbortSignal,
): Promise<number> {
  const t0 = Date.now();
  const r = await stack.pgbench.run({
    args: initArgv(stack.postgres, scale),
    cwd,
    env: pgbenchEnv(stack.postgres),
    timeoutMs: 30 * 60_000,
    ...(signal ? { signal } : {}),
  });
  if (r.exitCode !== 0) {
    throw new StackError(
      `pgbench -i -s ${scale} failed (exit ${r.exitCode})`,
      extractErrorLines(r.stderr).join('\n'),
    );
  }
  return Date.now() - t0;
}

async function vacuumHotTables(c: { query(sql: string): Promise<unknown> }): Promise<void> {
  await c.query('VACUUM pgbench_branches');
  await c.query('VACUUM pgbench_tellers');
  await c.query('TRUNCATE pgbench_history');
}

/**
 * Each database a cell wrote to (bench, and the tenant databases its groups used): pgbench's
 * history grows in each, and its hot tables bloat in each, whichever database the next cell uses.
 */
async function vacuumDatabases(stack: Stack, dbs: readonly string[]): Promise<void> {
  for (const db of dbs) await withClient({ ...stack.postgres, database: db }, vacuumHotTables);
}

/** The `prepared` line of the vacuum: as before when only bench was written. */
export function vacuumLine(dbs: readonly string[]): string {
  const line = 'vacuum pgbench_branches, pgbench_tellers; truncate pgbench_history';
  return dbs.length === 1 && dbs[0] === BENCH_DB ? line : `${line} (in ${few(dbs)})`;
}

/** A server the run leaves for another one (src/runner/execute.ts): vacuumed and checkpointed. */
export async function tidyServer(stack: Stack, dbs: readonly string[] = [BENCH_DB]): Promise<void> {
  await vacuumDatabases(stack, dbs);
  await withClient(stack.postgres, (c) => c.query('CHECKPOINT'));
}

/**
 * The matrix's tenant databases (src/matrix/tenants.ts), each a copy of the initialized bench
 * database (`CREATE DATABASE .. TEMPLATE bench`: its pgbench tables at the matrix's scale, without
 * another pgbench -i). FILE_COPY copies the files and checkpoints instead of WAL-logging every
 * block, so a few hundred copies take seconds. Nothing may be connected to bench meanwhile: this
 * runs before any path starts. Returns the time it took.
 */
export async function createTenantDatabases(stack: Stack, tenants: Tenants | undefined): Promise<number> {
  const t0 = Date.now();
  const names = tenantDatabases(tenants);
  if (names.length === 0) return 0;
  await withClient({ ...stack.postgres, database: 'postgres' }, async (c) => {
    for (const db of names)
      await c.query(`CREATE DATABASE "${db}" TEMPLATE "${BENCH_DB}" STRATEGY FILE_COPY`);
  });
  return Date.now() - t0;
}

/**
 * What pgbench itself does before a run without -n, made explicit and recorded: drain the config's
 * PgBouncer pool, vacuum the small hot tables and empty pgbench_history when the previous cell
 * wrote; then CHECKPOINT so no cell pays for the previous cell's dirty buffers; then a settle pause.
 */
export async function prepareCell(
  stack: Stack,
  path: ConfigPath,
  opts: { vacuum: boolean; settleMs: number; databases?: readonly string[] },
): Promise<string[]> {
  const done: string[] = [];
  const drained = await drainPool(path);
  if (drained) done.push(drainedLine(path.config, drained));
  if (opts.vacuum) {
    const dbs = opts.databases ?? [BENCH_DB];
    await vacuumDatabases(stack, dbs);
    done.push(vacuumLine(dbs));
  }
  await withClient(stack.postgres, (c) => c.query('CHECKPOINT'));
  done.push('checkpoint');
  if (opts.settleMs > 0) {
    await new Promise((r) => setTimeout(r, opts.settleMs));
    done.push(`settle ${opts.settleMs} ms`);
  }
  return done;
}

/**
 * The databases of one PgBouncer whose pools hold a connection, the path's own first (always
 * drained, as before tenants). Tenant databases (`bench_t<i>`) and group pools (`bench__<group>`)
 * are pools of their own: KILL of the path's database alone would leave them warm for the next
 * cell. Pure.
 */
export function databasesToDrain(pools: readonly PgbouncerPool[], own: string): string[] {
  const busy = pools
    .filter((p) => p.svActive + p.svIdle + p.svUsed + p.clActive + p.clWaiting > 0)
    .map((p) => p.database);
  return [...new Set([own, ...busy])];
}

/** The `prepared` line of a drain: as before when only the path's own database had a pool. */
export function drainedLine(config: string, dbs: readonly string[]): string {
  if (dbs.length <= 1) return `drained pgbouncer server pool (${config})`;
  return `drained pgbouncer server pools (${config}: ${few(dbs)})`;
}

/** A list for a line: the first few names and how many more (tenants make hundreds). */
function few(names: readonly string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

/**
 * Closes the config's PgBouncer server connections (admin console `KILL db` then `RESUME db`) in
 * every pool that holds one (SHOW POOLS), so every cell starts from empty pools instead of ones the
 * previous cell of the config left warm. Undefined when there is no PgBouncer to drain.
 */
async function drainPool(p: ConfigPath): Promise<string[] | undefined> {
  // Several workers (or a PgBouncer per group): each has its own pools, through its own admin console.
  const admins = p.pgbouncerWorkers?.map((w) => w.admin) ?? (p.pgbouncerAdmin ? [p.pgbouncerAdmin] : []);
  if (admins.length === 0 || p.components.some((c) => !c.alive())) return undefined;
  const drained = new Set<string>();
  for (const admin of admins) {
    await withClient(admin, async (c) => {
      const rows = (await c.query('SHOW POOLS')).rows as Row[];
      for (const db of databasesToDrain(parsePools(rows), p.endpoint.database)) {
        await c.query(`KILL "${db}"`);
        await c.query(`RESUME "${db}"`);
        drained.add(db);
      }
    });
  }
  return [...drained];
}
