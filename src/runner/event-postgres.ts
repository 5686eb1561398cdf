import { waitForQuery, withClient } from '../stack/ready.js';
import type { EventAction, RecoverAction } from './event-types.js';
import { POOLER_KINDS } from './event-types.js';

/** How long PostgreSQL may take to accept connections again after a restart or crash recovery. */
const POSTGRES_READY_MS = 60_000;

/**
 * Terminates every backend of the config's login role except our own: the pooler's server
 * connections (or, for a direct config, its clients' backends). Samplers and the harness connect
 * as the superuser, so they are left alone. Returns how many were terminated.
 */
const TERMINATE_SQL = `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n
  FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()`;

/**
 * A `postgres:` event on the run's PostgreSQL: a fast or immediate restart, a crash (SIGKILL of
 * the postmaster, then a start: crash recovery), both through the stack's postgresOps and done
 * once it accepts connections again; or pg_terminate_backend of the config's pooled backends.
 */
export const postgresAction: EventAction<'postgres'> = async (ev, ctx) => {
  const ops = ctx.stack.postgresOps;
  if (ev.postgres === 'terminate-pooled-backends') {
    const role = ctx.stack.roles.get(ctx.path.config);
    if (!role) throw new Error(`no PostgreSQL role is known for ${ctx.path.config}`);
    const res = await withClient(ctx.stack.postgres, (c) => c.query<{ n: string }>(TERMINATE_SQL, [role]));
    ctx.step(`terminated ${res.rows[0]?.n ?? 0} backends of ${role}`);
    return;
  }
  if (!ops) throw new Error(`the ${ctx.stack.provider} stack cannot restart PostgreSQL`);
  if (ev.postgres === 'crash') await ops.crash();
  else await ops.restart(ev.postgres === 'restart-fast' ? 'fast' : 'immediate');
};

/**
 * After a cell with a postgres event: PostgreSQL accepts connections and the config's path carries
 * a query again (PgBouncer reconnects to the restarted server on its own), before the next cell.
 */
export const recoverAfterPostgres: RecoverAction = async (ctx) => {
  await ctx.stack.postgresOps?.ready(POSTGRES_READY_MS);
  await waitForQuery(ctx.stack.postgres, POSTGRES_READY_MS);
  const path = ctx.stack.paths.get(ctx.config.name);
  // A pooler an event signalled (SIGKILL), paused or reconfigured in the same cell may be down or
  // holding queries: it restarts before the config's next cell anyway, so only PostgreSQL is probed.
  const poolerChanged = ctx.fired.some((r) => POOLER_KINDS.has(r.kind ?? 'signal'));
  if (path && !poolerChanged)
    await waitForQuery(path.endpoint, POSTGRES_READY_MS, () => path.components.every((c) => c.alive()));
  ctx.log(`after the postgres event: ${ctx.config.name} answers queries again`);
};
