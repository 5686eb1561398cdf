import { StackError } from '../errors.js';
import { type Tenants, tenantDatabases } from '../matrix/tenants.js';
import { initArgv, pgbenchEnv } from '../pgbench/argv.js';
import { extractErrorLines } from '../pgbench/summary.js';
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

/** A server the run leaves for another one (src/runner/execute.ts): vacuumed and checkpointed. */
export async function tidyServer(stack: Stack): Promise<void> {
  await withClient(stack.postgres, async (c) => {
    await vacuumHotTables(c);
    await c.query('CHECKPOINT');
  });
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
  opts: { vacuum: boolean; settleMs: number },
): Promise<string[]> {
  const done: string[] = [];
  if (await drainPool(path)) done.push(`drained pgbouncer server pool (${path.config})`);
  await withClient(stack.postgres, async (c) => {
    if (opts.vacuum) {
      await vacuumHotTables(c);
      done.push('vacuum pgbench_branches, pgbench_tellers; truncate pgbench_history');
    }
    await c.query('CHECKPOINT');
    done.push('checkpoint');
  });
  if (opts.settleMs > 0) {
    await new Promise((r) => setTimeout(r, opts.settleMs));
    done.push(`settle ${opts.settleMs} ms`);
  }
  return done;
}

/**
 * Closes the config's PgBouncer server connections (admin console `KILL db` then `RESUME db`), so
 * every cell starts from an empty pool instead of one the previous cell of the config left warm.
 */
async function drainPool(p: ConfigPath): Promise<boolean> {
  // Several workers: each has its own pool, reached through its own admin console.
  const admins = p.pgbouncerWorkers?.map((w) => w.admin) ?? (p.pgbouncerAdmin ? [p.pgbouncerAdmin] : []);
  if (admins.length === 0 || p.components.some((c) => !c.alive())) return false;
  const db = p.endpoint.database;
  for (const admin of admins) {
    await withClient(admin, async (c) => {
      await c.query(`KILL ${db}`);
      await c.query(`RESUME ${db}`);
    });
  }
  return true;
}
