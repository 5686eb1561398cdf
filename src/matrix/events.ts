import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/**
 * Scheduled events inside a cell: `events: [{ at: 5s, target: pgbouncer-tx/worker-2, signal: SIGINT }]`.
 * Each entry names one kind of operation (signal, admin, settings, postgres, failover, fault); every
 * cell of the target's config gets it `at` after its measured pgbench started (a time, or a fraction
 * of the cell's measured duration); the runner records what was done and when (src/runner/events.ts)
 * and summarize shows the blip or outage it caused.
 */
export const EVENT_SIGNALS = [
  'SIGINT',
  'SIGTERM',
  'SIGQUIT',
  'SIGKILL',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
] as const;
export type EventSignal = (typeof EVENT_SIGNALS)[number];

/**
 * What a `postgres:` event does to the PostgreSQL of the run: `pg_ctl restart -m fast|immediate`,
 * `crash` (SIGKILL the postmaster, then start it: crash recovery), or `terminate-pooled-backends`
 * (pg_terminate_backend of every backend of the config's role, the pooler's server connections).
 */
export const POSTGRES_ACTIONS = [
  'restart-fast',
  'restart-immediate',
  'crash',
  'terminate-pooled-backends',
] as const;
export type PostgresAction = (typeof POSTGRES_ACTIONS)[number];

/** How `failover: promote` stops the primary before promoting the standby. */
export const FAILOVER_STOPS = ['crash', 'fast'] as const;
export type FailoverStop = (typeof FAILOVER_STOPS)[number];

/** What a config with a standby does with its PgBouncer after a promotion (`on_failover:`). */
export const ON_FAILOVER = ['none', 'reload', 'pause-reload-resume'] as const;

export const EVENT_KINDS = ['signal', 'admin', 'settings', 'postgres', 'failover', 'fault'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** When an event fires: ms after the measured pgbench started, or a fraction (0 to <1) of the cell's duration. */
export type EventTime = { ms: number } | { fraction: number };

const at = z.union([z.number(), z.string()]).transform((v, ctx): EventTime => {
  const pct = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v) : null;
  if (pct) {
    const f = Number(pct[1]) / 100;
    if (f < 1) return { fraction: f };
    ctx.addIssue({ code: 'custom', message: `a fraction of the cell below 100%, got ${v}` });
    return z.NEVER;
  }
  const ms = parseDuration(v);
  if (ms === undefined || ms < 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'a duration of zero or more (5s, 2500ms) or a fraction of the cell (50%)',
    });
    return z.NEVER;
  }
  return { ms };
});

const positiveMs = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'a duration greater than zero, e.g. 50ms or 3s' });
    return z.NEVER;
  }
  return ms;
});

/** `fault:` on a config's relay: added latency (both directions) for a while, or every relayed connection closed now. */
export type FaultSpec = { latencyMs: number; forMs: number } | { drop: 'connections' };
const faultSchema = z.union(
  [
    z
      .strictObject({ latency: positiveMs, for: positiveMs })
      .transform((f): FaultSpec => ({ latencyMs: f.latency, forMs: f.for })),
    z.strictObject({ drop: z.literal('connections') }).transform((f): FaultSpec => ({ drop: f.drop })),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'a fault: { latency: 50ms, for: 3s } or { drop: connections }'
        : undefined,
  },
);

const iniValue = z.union([z.string(), z.number(), z.boolean()]);

const eventInput = z.strictObject({
  /** When: a duration after the measured pgbench started (`5s`), or a fraction of the cell (`50%`). */
  at,
  /**
   * `<config>/<component>`: `pgbouncer` (every worker), `worker-<i>` (one, 1-based), `proxy`,
   * `postgres` (postgres and failover events), `relay` (fault events).
   */
  target: z
    .string()
    .regex(
      /^[^/\s]+\/[^/\s]+$/,
      '"<config>/<component>", e.g. pgbouncer-tx/worker-2, pgbouncer-tx/pgbouncer or direct/postgres',
    ),
  /** A Unix signal to the target's processes. */
  signal: z.enum(EVENT_SIGNALS).optional(),
  /** A PgBouncer admin console command (`PAUSE`, `RESUME`, `RECONNECT`, `KILL db`, `SET x = y`). */
  admin: z.string().min(1, 'an admin console command, e.g. PAUSE').optional(),
  /** pgbouncer.ini settings to write into the running config, followed by RELOAD of every worker. */
  settings: z.record(z.string(), iniValue).optional(),
  /** An operation on the run's PostgreSQL. */
  postgres: z.enum(POSTGRES_ACTIONS).optional(),
  /** Promote the config's standby after stopping the primary (`stop:`, default crash). */
  failover: z.literal('promote').optional(),
  stop: z.enum(FAILOVER_STOPS).optional(),
  /** A fault on the config's relay. */
  fault: faultSchema.optional(),
});
type EventInput = z.output<typeof eventInput>;

interface EventBase {
  at: EventTime;
  target: string;
}
export type SignalEvent = EventBase & { kind: 'signal'; signal: EventSignal };
export type AdminEvent = EventBase & { kind: 'admin'; admin: string };
export type SettingsEvent = EventBase & {
  kind: 'settings';
  settings: Record<string, string | number | boolean>;
};
export type PostgresEvent = EventBase & { kind: 'postgres'; postgres: PostgresAction };
export type FailoverEvent = EventBase & { kind: 'failover'; failover: 'promote'; stop: FailoverStop };
export type FaultEvent = EventBase & { kind: 'fault'; fault: FaultSpec };
export type EventSpec = SignalEvent | AdminEvent | SettingsEvent | PostgresEvent | FailoverEvent | FaultEvent;

function toSpec(e: EventInput, kind: EventKind): EventSpec {
  const base = { at: e.at, target: e.target };
  switch (kind) {
    case 'signal':
      return { ...base, kind, signal: e.signal as EventSignal };
    case 'admin':
      return { ...base, kind, admin: (e.admin as string).trim() };
    case 'settings':
      return { ...base, kind, settings: e.settings ?? {} };
    case 'postgres':
      return { ...base, kind, postgres: e.postgres as PostgresAction };
    case 'failover':
      return { ...base, kind, failover: 'promote', stop: e.stop ?? 'crash' };
    case 'fault':
      return { ...base, kind, fault: e.fault as FaultSpec };
  }
}

/** An `events:` entry: `{ at, target, <exactly one kind> }`, parsed into an EventSpec with its `kind`. */
export const eventSchema = eventInput.transform((e, ctx): EventSpec => {
  const kinds = EVENT_KINDS.filter((k) => e[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `exactly one of ${EVENT_KINDS.join(', ')}${kinds.length > 1 ? ` (got ${kinds.join(' and ')})` : ''}`,
    });
    return z.NEVER;
  }
  const kind = kinds[0] as EventKind;
  if (e.stop !== undefined && kind !== 'failover') {
    ctx.addIssue({ code: 'custom', path: ['stop'], message: 'stop only with failover: promote' });
    return z.NEVER;
  }
  return toSpec(e, kind);
});

export function splitTarget(target: string): { config: string; component: string } {
  const i = target.indexOf('/');
  return { config: target.slice(0, i), component: target.slice(i + 1) };
}

/** The event's time in one cell of `durationMs` measured: ms after its measured pgbench started. Pure. */
export function eventAtMs(at: EventTime, durationMs: number): number {
  return 'ms' in at ? at.ms : Math.round(at.fraction * durationMs);
}

/** `5s`, `2500ms` or `50%`, as written back in messages and reports. Pure. */
export function formatEventTime(at: EventTime): string {
  return 'ms' in at ? `${at.ms / 1000} s` : `${Math.round(at.fraction * 10_000) / 100}%`;
}

/** An event as one cell runs it: `atMs` after that cell's measured pgbench started. */
/** `index`: the event's position in the matrix's `events:` (the event gates name it `events[i]`). */
export type CellEvent = EventSpec & { atMs: number; index?: number };
export type CellEventOfKind<K extends EventKind> = Extract<CellEvent, { kind: K }>;

/** Where one cell sits on its workload's timeline: a profile's segment, or the whole cell. */
export interface CellTimeline {
  durationMs: number;
  segment?: { startMs: number; durationMs: number; count: number };
}

/**
 * The events of one config's cells, in time order, each with its time inside this cell. On a load
 * profile an event's `at` is on the profile's whole timeline (a fraction of its whole duration) and
 * the event fires only in the segment containing it, at its offset from the segment's start. Pure.
 */
export function eventsFor(events: readonly EventSpec[], config: string, cell: CellTimeline): CellEvent[] {
  const seg = cell.segment;
  const timeline = seg ? seg.count * seg.durationMs : cell.durationMs;
  return events
    .map((e, index) => ({ ...e, index }))
    .filter((e) => splitTarget(e.target).config === config)
    .map((e) => ({ ...e, atMs: eventAtMs(e.at, timeline) - (seg?.startMs ?? 0) }))
    .filter((e) => e.atMs >= 0 && e.atMs < cell.durationMs)
    .sort((a, b) => a.atMs - b.atMs);
}
