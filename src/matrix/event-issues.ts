import { type EventSpec, eventAtMs, formatEventTime, splitTarget } from './events.js';
import { PGBOUNCER_SETTINGS } from './pgbouncer-settings.js';

/** A config as the events see it. */
export interface EventConfigView {
  name: string;
  kind: string;
  /** PgBouncer processes in the path (0 without PgBouncer). */
  workers: number;
  /** `standby: true`: a streaming standby a failover can promote. */
  standby?: boolean;
  /** `fault_relay: true`: a relay `fault:` events act on. */
  faultRelay?: boolean;
}

export interface EventIssue {
  path: (string | number)[];
  message: string;
}

/** A workload as the events see it: the timeline an event's `at` is on. */
export interface EventWorkloadView {
  name: string;
  /** One cell's measured pgbench (the matrix duration), or a profile's whole timeline. */
  durationMs: number;
  /** A profile's segment length: each segment is a cell of its own, the event fires in one. */
  segmentMs?: number;
}

/** The components an event of this kind can target in config `c`; `why` says what is missing when none. */
function offeredComponents(e: EventSpec, c: EventConfigView): { offered: string[]; why: string } {
  const workers = Array.from({ length: c.workers }, (_, i) => `worker-${i + 1}`);
  const none = (why: string) => ({ offered: [], why });
  switch (e.kind) {
    case 'signal': {
      const offered = [
        ...(c.workers > 0 ? ['pgbouncer', ...workers] : []),
        ...(c.kind === 'proxy' ? ['proxy'] : []),
      ];
      return offered.length > 0 ? { offered, why: '' } : none(`${c.name} has no pooler or proxy`);
    }
    case 'admin':
      return c.kind === 'pgbouncer'
        ? { offered: ['pgbouncer', ...workers], why: '' }
        : none(`an admin command goes to PgBouncer's console and ${c.name} is a ${c.kind} config`);
    case 'settings':
      return c.kind === 'pgbouncer'
        ? { offered: ['pgbouncer'], why: '' }
        : none(`settings rewrite PgBouncer's pgbouncer.ini and ${c.name} is a ${c.kind} config`);
    case 'postgres':
      return c.kind === 'external'
        ? none(`${c.name} is external: bench did not start its PostgreSQL`)
        : { offered: ['postgres'], why: '' };
    case 'failover':
      return c.standby === true
        ? { offered: ['postgres'], why: '' }
        : none(`a failover promotes a standby and ${c.name} has no standby: true`);
    case 'fault':
      return c.faultRelay === true
        ? { offered: ['relay'], why: '' }
        : none(`a fault acts on a relay and ${c.name} has no fault_relay: true`);
  }
}

function kindIssues(e: EventSpec, i: number, c: EventConfigView): EventIssue[] {
  const { component } = splitTarget(e.target);
  const { offered, why } = offeredComponents(e, c);
  if (offered.length === 0)
    return [{ path: ['events', i, e.kind], message: `a kind ${c.name} can take (${why})` }];
  const out: EventIssue[] = [];
  if (!offered.includes(component))
    out.push({
      path: ['events', i, 'target'],
      message: `a component of ${c.name} for a ${e.kind} event (one of ${offered.join(', ')})`,
    });
  if (e.kind === 'settings') out.push(...settingIssues(e.settings, i));
  return out;
}

function settingIssues(settings: Record<string, unknown>, i: number): EventIssue[] {
  const keys = Object.keys(settings);
  if (keys.length === 0)
    return [
      { path: ['events', i, 'settings'], message: 'at least one setting, e.g. { default_pool_size: 5 }' },
    ];
  return keys
    .filter((k) => !PGBOUNCER_SETTINGS.has(k))
    .map((k) => ({
      path: ['events', i, 'settings', k],
      message: `a PgBouncer setting name (${k} is not one; see PgBouncer's config.md)`,
    }));
}

function timeIssues(e: EventSpec, i: number, workloads: readonly EventWorkloadView[]): EventIssue[] {
  for (const w of workloads) {
    const ms = eventAtMs(e.at, w.durationMs);
    if (ms >= w.durationMs) {
      const what =
        w.segmentMs !== undefined ? `profile ${w.name}'s timeline` : `the measured duration of ${w.name}`;
      return [
        {
          path: ['events', i, 'at'],
          message: `a time inside ${what} (${w.durationMs / 1000} s), got ${formatEventTime(e.at)}`,
        },
      ];
    }
  }
  return [];
}

/**
 * Every target must name a config of the (expanded) matrix, a kind that config can take and a
 * component it has for that kind, and every `at` must fall inside every workload's timeline (the
 * measured duration, or a profile's whole duration). `expandedFrom` maps `<name>-w<N>` to `<name>`,
 * so a target naming the base of an axis is told which names exist. Every config runs every
 * workload. Pure.
 */
export function eventIssues(
  events: readonly EventSpec[],
  configs: readonly EventConfigView[],
  expandedFrom: ReadonlyMap<string, string>,
  workloads: readonly EventWorkloadView[],
): EventIssue[] {
  return events.flatMap((e, i) => {
    const { config } = splitTarget(e.target);
    const c = configs.find((x) => x.name === config);
    if (!c) {
      const expanded = [...expandedFrom].filter(([, base]) => base === config).map(([n]) => n);
      const names = expanded.length > 0 ? expanded : configs.map((x) => x.name);
      const why = expanded.length > 0 ? `${config} is a workers list, expanded into` : 'one of';
      return [{ path: ['events', i, 'target'], message: `a config name (${why} ${names.join(', ')})` }];
    }
    return [...kindIssues(e, i, c), ...timeIssues(e, i, workloads)];
  });
}

/** `on_failover` only means something with a standby to fail over to. Pure. */
export function onFailoverIssues(
  configs: readonly { kind: string; standby?: boolean; on_failover?: string }[],
): EventIssue[] {
  return configs.flatMap((c, i) =>
    c.on_failover !== undefined && c.standby !== true
      ? [
          {
            path: ['configs', i, 'on_failover'],
            message: 'on_failover only with standby: true (there is nothing to fail over to)',
          },
        ]
      : [],
  );
}

/** Where an event lands on one workload: its cell (a profile's segment, else the one cell) and that cell's end. */
function placeOn(e: EventSpec, w: EventWorkloadView): { ms: number; cell: string; endMs: number } {
  const ms = eventAtMs(e.at, w.durationMs);
  const seg = w.segmentMs === undefined ? 0 : Math.floor(ms / w.segmentMs);
  const endMs = w.segmentMs === undefined ? w.durationMs : Math.min((seg + 1) * w.segmentMs, w.durationMs);
  return { ms, cell: `${splitTarget(e.target).config}#${seg}`, endMs };
}

/** The issue of event `i` on one workload, given the events placed on it (`null`: none). */
function sequenceIssue(
  events: readonly EventSpec[],
  placed: readonly { ms: number; cell: string; endMs: number }[],
  i: number,
  w: EventWorkloadView,
): EventIssue | null {
  const e = events[i] as EventSpec;
  const p = placed[i] as (typeof placed)[number];
  if (p.ms >= w.durationMs) return null; // timeIssues says so
  if (e.kind === 'fault' && 'forMs' in e.fault && p.ms + e.fault.forMs > p.endMs)
    return {
      path: ['events', i, 'fault', 'for'],
      message: `a latency that ends inside the cell (${formatEventTime(e.at)} + ${e.fault.forMs / 1000} s runs past ${w.name}'s ${p.endMs / 1000} s)`,
    };
  const before = placed.findIndex(
    (q, j) =>
      j !== i &&
      events[j]?.kind === 'failover' &&
      q.cell === p.cell &&
      (q.ms < p.ms || (q.ms === p.ms && j < i)),
  );
  if (before < 0 || (e.kind !== 'failover' && e.kind !== 'postgres')) return null;
  return {
    path: ['events', i, e.kind],
    message: `no ${e.kind} event after events[${before}]'s failover in the same cell of ${splitTarget(e.target).config} on ${w.name} (its primary stays down until the cell ends)`,
  };
}

/**
 * What one cell cannot run in sequence: a second failover of a config (the first left its primary
 * down and the standby promoted), a `postgres:` event after a failover (the server it acts on is the
 * stopped primary), a fault whose `for` runs past the end of the cell it fires in. Pure.
 */
export function eventSequenceIssues(
  events: readonly EventSpec[],
  workloads: readonly EventWorkloadView[],
): EventIssue[] {
  const found = new Map<string, EventIssue>();
  for (const w of workloads) {
    const placed = events.map((e) => placeOn(e, w));
    for (let i = 0; i < events.length; i++) {
      const issue = sequenceIssue(events, placed, i, w);
      const key = issue?.path.join('.');
      if (issue && key && !found.has(key)) found.set(key, issue);
    }
  }
  return [...found.values()];
}

/**
 * A config with both a standby and a fault relay is refused: the failover repoints PgBouncer (or
 * libpq's second host) straight at the standby, so after it the relay would no longer be on the
 * path and its faults would reach nothing. Pure.
 */
export function standbyRelayIssues(
  configs: readonly { kind: string; standby?: boolean; fault_relay?: boolean }[],
): EventIssue[] {
  return configs.flatMap((c, i) =>
    c.standby === true && c.fault_relay === true
      ? [
          {
            path: ['configs', i, 'fault_relay'],
            message:
              'fault_relay or standby, not both (a failover repoints the path straight at the standby, past the relay)',
          },
        ]
      : [],
  );
}

/** Whether an event needs a PostgreSQL that outlives its postmaster (restart, crash, failover). */
export function restartsServer(e: EventSpec): boolean {
  return (e.kind === 'postgres' && e.postgres !== 'terminate-pooled-backends') || e.kind === 'failover';
}

/**
 * The events a provider cannot run because the config's PostgreSQL cannot be restarted under it
 * (`canRestart(config)` false: an official image's entrypoint makes the postmaster the container's
 * main process). `why` says which server it is. Pure.
 */
export function unrestartableIssues(
  events: readonly EventSpec[],
  canRestart: (config: string) => { ok: true } | { ok: false; why: string },
): EventIssue[] {
  return events.flatMap((e, i) => {
    if (!restartsServer(e)) return [];
    const r = canRestart(splitTarget(e.target).config);
    return r.ok
      ? []
      : [{ path: ['events', i, e.kind], message: `a server that can be restarted (${r.why})` }];
  });
}
