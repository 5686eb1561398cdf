import type { EventSignal } from '../matrix/events.js';
import { splitTarget } from '../matrix/events.js';
import type { Component } from '../stack/types.js';
import type { EventAction } from './event-types.js';

/**
 * The components an event's target names in a path that is up: `pgbouncer` is every PgBouncer
 * process of the config, `worker-<i>` one of them (worker-1 is the only one of a single process),
 * `proxy` the proxy. Pure.
 */
export function resolveTarget(target: string, comps: readonly Component[]): Component[] {
  const { component } = splitTarget(target);
  const bouncers = comps.filter((c) => c.role === 'pgbouncer');
  if (component === 'pgbouncer') return bouncers;
  if (component === 'proxy') return comps.filter((c) => c.role === 'proxy');
  const m = /^worker-(\d+)$/.exec(component);
  if (!m) return [];
  const i = Number(m[1]);
  if (bouncers.length === 1 && i === 1) return bouncers;
  return bouncers.filter((c) => c.name === component);
}

/** How a signal reaches a host PID (process.kill; tests may record instead). */
export type Kill = (pid: number, signal: EventSignal) => void;

/**
 * A `signal:` event: the signal to the host PIDs of its target (every PgBouncer worker, one, or the
 * proxy). A container's PID is its main process on the host, so one kill reaches a process or a
 * container alike. Throws with every PID it could not reach.
 */
export function signalWith(kill: Kill): EventAction<'signal'> {
  return async (ev, ctx) => {
    const targets = resolveTarget(ev.target, ctx.path.components);
    const errors: string[] = [];
    for (const c of targets) {
      if (c.pid === undefined || !(c.pid > 0)) {
        errors.push(`${c.name ?? c.role} has no host pid`);
        continue;
      }
      try {
        kill(c.pid, ev.signal);
        ctx.pid(c.pid);
      } catch (e) {
        errors.push(`kill ${c.pid}: ${(e as Error).message}`);
      }
    }
    if (targets.length === 0) errors.push('no component of the path matches the target');
    if (errors.length > 0) throw new Error(errors.join('; '));
  };
}

export const signalAction: EventAction<'signal'> = signalWith((pid, sig) => process.kill(pid, sig));
