import type { ON_FAILOVER } from '../matrix/events.js';
import type { ConfigSpec } from '../matrix/schema.js';
import { waitForQuery } from '../stack/ready.js';
import { dropSlot, promote, waitForWrites } from '../stack/standby.js';
import type { ConfigPath } from '../stack/types.js';
import { sendAll, targetAdmins } from './event-admin.js';
import type { EventAction, EventContext, RecoverAction } from './event-types.js';

type OnFailover = (typeof ON_FAILOVER)[number];

/** How long the standby may take to leave recovery, and the new primary to take a write. */
const PROMOTE_S = 60;
const WRITABLE_MS = 30_000;
/** PAUSE waits for every server connection to be released; one stuck on the dead primary must not hang the cell. */
const PAUSE_MS = 15_000;
/** How long the old primary may take to come back (crash recovery) before the next cell. */
const RESTART_MS = 60_000;

/** What a config does with its pooler after a promotion (`on_failover`, default none). Pure. */
export function onFailoverOf(config: ConfigSpec): OnFailover {
  return config.kind === 'pgbouncer' ? (config.on_failover ?? 'none') : 'none';
}

/**
 * The steps of a failover after the primary is down, in order. `pause-reload-resume` pauses first,
 * as an operator does once the primary is lost, so clients wait in PgBouncer instead of failing
 * against the dead server while the standby is promoted; then rewrite + RELOAD, then RESUME. Pure.
 */
export function failoverPlan(strategy: OnFailover): Array<'pause' | 'promote' | 'reload' | 'resume'> {
  if (strategy === 'none') return ['promote'];
  if (strategy === 'reload') return ['promote', 'reload'];
  return ['pause', 'promote', 'reload', 'resume'];
}

function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The config's PgBouncer admin consoles (every worker's). */
function consoles(path: ConfigPath) {
  return targetAdmins(`${path.config}/pgbouncer`, path);
}

/** One step of the plan, recorded with its time once done. */
async function runStep(step: ReturnType<typeof failoverPlan>[number], ctx: EventContext): Promise<void> {
  const standby = ctx.path.standby;
  if (!standby) throw new Error(`${ctx.path.config} has no standby`);
  switch (step) {
    case 'pause':
      await withTimeout('PAUSE', PAUSE_MS, sendAll(consoles(ctx.path), 'PAUSE'));
      ctx.step('pgbouncer paused');
      return;
    case 'promote':
      await promote(standby.endpoint, PROMOTE_S);
      ctx.step('standby promoted');
      await waitForWrites(standby.endpoint, WRITABLE_MS);
      ctx.step('new primary accepts writes');
      return;
    case 'reload': {
      const ops = ctx.stack.pgbouncerOps;
      if (!ops) throw new Error(`the ${ctx.stack.provider} stack cannot rewrite pgbouncer.ini`);
      await ops.rewriteIni(ctx.path.config, {
        upstream: { host: standby.endpoint.host, port: standby.endpoint.port },
      });
      ctx.step('pgbouncer.ini points at the new primary');
      await sendAll(consoles(ctx.path), 'RELOAD');
      ctx.step('pgbouncer reloaded');
      return;
    }
    case 'resume':
      await sendAll(consoles(ctx.path), 'RESUME');
      ctx.step('pgbouncer resumed');
      return;
  }
}

/**
 * A `failover: promote` event: the primary stopped as the event says (`crash`: SIGKILL of the
 * postmaster, `fast`: a fast shutdown) and left down, the config's standby promoted with
 * pg_promote() and proven writable, then the config's `on_failover` with its PgBouncer. Each step
 * is recorded with its epoch ms; direct clients reach the new primary through their multi-host DSN.
 */
export const failoverAction: EventAction<'failover'> = async (ev, ctx) => {
  const ops = ctx.stack.postgresOps;
  if (!ops) throw new Error(`the ${ctx.stack.provider} stack cannot stop PostgreSQL`);
  if (!ctx.path.standby) throw new Error(`${ctx.path.config} has no standby (standby: true)`);
  await ops.stop(ev.stop === 'crash' ? 'kill' : 'fast');
  ctx.step(ev.stop === 'crash' ? 'primary killed (SIGKILL of the postmaster)' : 'primary stopped (fast)');
  for (const step of failoverPlan(onFailoverOf(ctx.config))) await runStep(step, ctx);
};

/**
 * After a cell with a failover, the same state for the next cell: the promoted standby has taken
 * writes the old primary never saw, so it is thrown away with the config's path (PgBouncer and
 * standby); the old primary starts again on its own data (crash recovery), where every endpoint of
 * the stack points. The config's next cell starts its path afresh, as any first cell does: a new
 * standby from a new base backup, PgBouncer from its own ini (the primary's address).
 */
export const recoverAfterFailover: RecoverAction = async (ctx) => {
  const name = ctx.config.name;
  const ops = ctx.stack.postgresOps;
  if (!ops) throw new Error(`the ${ctx.stack.provider} stack cannot start PostgreSQL again`);
  const t0 = Date.now();
  const slot = ctx.stack.paths.get(name)?.standby?.slot;
  await ctx.stack.stopPath(name);
  await ops.start(RESTART_MS);
  await waitForQuery(ctx.stack.postgres, RESTART_MS);
  // The standby's stop could not drop its slot on a primary that was down; the primary back, it
  // would otherwise keep WAL for a slot nothing reads.
  if (slot) await dropSlot(ctx.stack.postgres, slot);
  ctx.log(
    `after the failover: ${name}'s promoted standby discarded, the primary back in ${Date.now() - t0} ms; ` +
      'its next cell starts a new standby and its pooler on the primary',
  );
};
