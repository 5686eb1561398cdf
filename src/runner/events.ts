import type { EventSignal, EventSpec } from '../matrix/events.js';
import { splitTarget } from '../matrix/events.js';
import type { EventRecord } from '../results/types.js';
import type { Component, ConfigPath } from '../stack/types.js';

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

export interface ScheduledEvents {
  /** Cancels what has not fired yet and returns every event's record (fired or not, and why). */
  finish(): EventRecord[];
}

/** How a signal reaches a host PID (process.kill by default; tests may record instead). */
export type Kill = (pid: number, signal: EventSignal) => void;

/**
 * Sends each event's signal `at` ms after `startMs` (epoch ms: when the measured pgbench started)
 * to the host PIDs of its target, and records when it was sent. A container's PID is its main
 * process on the host, so one kill reaches a process or a container alike.
 */
export function scheduleEvents(
  events: readonly EventSpec[],
  path: ConfigPath,
  startMs: number,
  kill: Kill = (pid, sig) => process.kill(pid, sig),
): ScheduledEvents {
  const records: EventRecord[] = events.map((e) => ({
    target: e.target,
    signal: e.signal,
    atMs: e.at,
    pids: [],
  }));
  const timers = events.map((e, i) =>
    setTimeout(
      () => fire(records[i] as EventRecord, path, startMs, kill),
      Math.max(0, startMs + e.at - Date.now()),
    ),
  );
  return {
    finish() {
      for (const t of timers) clearTimeout(t);
      for (const r of records) {
        if (r.firedAt === undefined && r.error === undefined) r.error = 'not sent: pgbench ended first';
      }
      return records;
    },
  };
}

function fire(r: EventRecord, path: ConfigPath, startMs: number, kill: Kill): void {
  const targets = resolveTarget(r.target, path.components);
  const firedAt = Date.now();
  r.firedAt = firedAt;
  r.offsetMs = firedAt - startMs;
  const errors: string[] = [];
  for (const c of targets) {
    if (c.pid === undefined || !(c.pid > 0)) {
      errors.push(`${c.name ?? c.role} has no host pid`);
      continue;
    }
    try {
      kill(c.pid, r.signal as EventSignal);
      r.pids.push(c.pid);
    } catch (e) {
      errors.push(`kill ${c.pid}: ${(e as Error).message}`);
    }
  }
  if (targets.length === 0) errors.push('no component of the path matches the target');
  if (errors.length > 0) r.error = errors.join('; ');
}

/** The components an event that was sent may have stopped (they are expected to be dead after it). */
export function signalledComponents(
  records: readonly EventRecord[],
  comps: readonly Component[],
): Set<Component> {
  const out = new Set<Component>();
  for (const r of records) {
    if (r.firedAt === undefined) continue;
    for (const c of resolveTarget(r.target, comps)) out.add(c);
  }
  return out;
}
