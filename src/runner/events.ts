import type { CellEvent, EventKind } from '../matrix/events.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { EventRecord } from '../results/types.js';
import type { Component } from '../stack/types.js';
import { untilAborted } from './abortable.js';
import { adminAction, settingsAction } from './event-admin.js';
import { failoverAction, recoverAfterFailover } from './event-failover.js';
import { faultAction } from './event-fault.js';
import { postgresAction, recoverAfterPostgres } from './event-postgres.js';
import { resolveTarget, signalAction } from './event-signal.js';
import type { EventAction, EventContext, RecoverAction, RecoverContext } from './event-types.js';

interface KindEntry<K extends EventKind> {
  act: EventAction<K>;
  /** Run after a cell where an event of this kind fired, before the next cell. */
  recover?: RecoverAction;
}

/** Dispatch by kind: one action module per kind (src/runner/event-<kind>.ts). */
const KINDS: { [K in EventKind]: KindEntry<K> } = {
  signal: { act: signalAction },
  admin: { act: adminAction },
  settings: { act: settingsAction },
  postgres: { act: postgresAction, recover: recoverAfterPostgres },
  failover: { act: failoverAction, recover: recoverAfterFailover },
  fault: { act: faultAction },
};

/** What was done, human-readable, for the record and the report (`PAUSE`, `restart-fast`...). Pure. */
export function describeEvent(
  ev: CellEvent,
  config: Pick<ConfigSpec, 'kind'> & { on_failover?: string },
): string {
  switch (ev.kind) {
    case 'signal':
      return ev.signal;
    case 'admin':
      return ev.admin;
    case 'settings':
      return `${Object.entries(ev.settings)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')} + RELOAD`;
    case 'postgres':
      return ev.postgres;
    case 'failover': {
      const then = config.on_failover ?? 'none';
      return `promote (${ev.stop})${then === 'none' ? '' : ` + ${then}`}`;
    }
    case 'fault':
      return 'drop' in ev.fault
        ? 'drop connections'
        : `latency ${ev.fault.latencyMs}ms for ${ev.fault.forMs / 1000}s`;
  }
}

export interface ScheduledEvents {
  /**
   * Cancels what has not fired yet, waits for actions still running (a restart in progress) and
   * returns every event's record (fired or not, and why).
   */
  finish(): Promise<EventRecord[]>;
}

/** What scheduleEvents needs besides the events: the context every action shares. */
export type ScheduleContext = Omit<EventContext, 'step' | 'pid'>;

function newRecord(e: CellEvent, ctx: ScheduleContext): EventRecord {
  return {
    target: e.target,
    kind: e.kind,
    action: describeEvent(e, ctx.config),
    ...(e.kind === 'signal' ? { signal: e.signal } : {}),
    ...(e.index !== undefined ? { index: e.index } : {}),
    atMs: e.atMs,
    pids: [],
  };
}

/**
 * Runs each event's action `atMs` after `ctx.startMs` (epoch ms: when the measured pgbench
 * started) and records when it was fired (firedAt), when it was done (doneAt), its sub-steps and
 * PIDs, or the error it threw.
 */
export function scheduleEvents(
  events: readonly CellEvent[],
  ctx: ScheduleContext,
  act: EventAction = dispatch,
): ScheduledEvents {
  const records = events.map((e) => newRecord(e, ctx));
  const running: Promise<void>[] = [];
  const timers = events.map((e, i) =>
    setTimeout(
      () => running.push(fire(e, records[i] as EventRecord, ctx, act)),
      Math.max(0, ctx.startMs + e.atMs - Date.now()),
    ),
  );
  return {
    async finish() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(running);
      for (const r of records) {
        if (r.firedAt === undefined && r.error === undefined) r.error = 'not sent: pgbench ended first';
      }
      return records;
    },
  };
}

/** The action of the event's kind. */
const dispatch: EventAction = (ev, ctx) => (KINDS[ev.kind].act as EventAction)(ev, ctx);

async function fire(e: CellEvent, r: EventRecord, ctx: ScheduleContext, act: EventAction): Promise<void> {
  const firedAt = Date.now();
  r.firedAt = firedAt;
  r.offsetMs = firedAt - ctx.startMs;
  const full: EventContext = {
    ...ctx,
    step: (name) => {
      r.steps = [...(r.steps ?? []), { name, at: Date.now() }];
    },
    pid: (pid) => {
      r.pids.push(pid);
    },
  };
  try {
    // An interrupt does not wait for the action (a fault's `for`, a failover's polls): finish() returns.
    await untilAborted(act(e, full), ctx.signal);
    r.doneAt = Date.now();
  } catch (err) {
    r.error = (err as Error).message;
    ctx.log(`event ${r.action} on ${r.target} failed: ${r.error}`);
  }
}

/**
 * After a cell: for each kind with a recovery whose events fired, make the stack healthy before
 * the next cell (PostgreSQL accepting connections again, a failed-over pair rebuilt). Throws when
 * it cannot: the stack is not fit for the next cell.
 */
export async function recoverAfterEvents(
  records: readonly EventRecord[],
  ctx: Omit<RecoverContext, 'records' | 'fired'>,
): Promise<void> {
  const all = records.filter((r) => r.firedAt !== undefined);
  for (const kind of Object.keys(KINDS) as EventKind[]) {
    const recover = KINDS[kind].recover;
    const fired = all.filter((r) => (r.kind ?? 'signal') === kind);
    if (recover && fired.length > 0) await recover({ ...ctx, records: fired, fired: all });
  }
}

/**
 * Why the cell fails because of its events: an action that was fired and failed (the admin console
 * refused the command, PostgreSQL did not come back), with the server's message. Pure.
 */
export function eventFailure(records: readonly EventRecord[]): string | undefined {
  const failed = records.filter((r) => r.firedAt !== undefined && r.error !== undefined);
  if (failed.length === 0) return undefined;
  return failed.map((r) => `event ${r.action ?? r.signal} on ${r.target} failed: ${r.error}`).join('; ');
}

/** The components an event that was sent may have stopped (they are expected to be dead after it). */
export function signalledComponents(
  records: readonly EventRecord[],
  comps: readonly Component[],
): Set<Component> {
  const out = new Set<Component>();
  for (const r of records) {
    if (r.firedAt === undefined || (r.kind ?? 'signal') !== 'signal') continue;
    for (const c of resolveTarget(r.target, comps)) out.add(c);
  }
  return out;
}
