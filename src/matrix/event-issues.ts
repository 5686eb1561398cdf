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
