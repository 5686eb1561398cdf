import { splitTarget } from '../matrix/events.js';
import { withClient } from '../stack/ready.js';
import type { ConfigPath, Endpoint } from '../stack/types.js';
import type { EventAction } from './event-types.js';

/**
 * The admin consoles an event's target names: `pgbouncer` every worker's, `worker-<i>` one
 * worker's (worker-1 is the console of a single process). Pure.
 */
export function targetAdmins(target: string, path: ConfigPath): Endpoint[] {
  const { component } = splitTarget(target);
  const workers = path.pgbouncerWorkers;
  if (component === 'pgbouncer')
    return workers ? workers.map((w) => w.admin) : path.pgbouncerAdmin ? [path.pgbouncerAdmin] : [];
  const i = Number(/^worker-(\d+)$/.exec(component)?.[1] ?? Number.NaN);
  if (!workers) return i === 1 && path.pgbouncerAdmin ? [path.pgbouncerAdmin] : [];
  return workers.filter((w) => w.worker === i).map((w) => w.admin);
}

/** Sends one command to every console; a refusal throws with the server's message (and which console). */
export async function sendAll(admins: readonly Endpoint[], command: string): Promise<void> {
  if (admins.length === 0) throw new Error('no PgBouncer admin console in the path for this target');
  const results = await Promise.allSettled(admins.map((a) => withClient(a, (c) => c.query(command))));
  const errors = results.flatMap((r, i) =>
    r.status === 'rejected'
      ? [`${admins.length > 1 ? `worker ${i + 1}: ` : ''}${(r.reason as Error).message}`]
      : [],
  );
  if (errors.length > 0) throw new Error(`${command}: ${errors.join('; ')}`);
}

/** An `admin:` event: the command on the target's admin consoles, all at once. */
export const adminAction: EventAction<'admin'> = async (ev, ctx) => {
  await sendAll(targetAdmins(ev.target, ctx.path), ev.admin);
};

/**
 * A `settings:` event: the settings written into the running config's pgbouncer.ini (the stack's
 * pgbouncerOps), then RELOAD on every worker's console.
 */
export const settingsAction: EventAction<'settings'> = async (ev, ctx) => {
  const ops = ctx.stack.pgbouncerOps;
  if (!ops) throw new Error(`the ${ctx.stack.provider} stack cannot rewrite pgbouncer.ini`);
  await ops.rewriteIni(ctx.path.config, { settings: ev.settings });
  ctx.step('pgbouncer.ini rewritten');
  await sendAll(targetAdmins(ev.target, ctx.path), 'RELOAD');
};
