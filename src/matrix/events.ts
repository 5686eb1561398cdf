import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/**
 * Scheduled events inside a cell: `events: [{ at: 5s, signal: SIGINT, target: pgbouncer-tx/worker-2 }]`.
 * Every cell of the target's config gets the event `at` after its measured pgbench started; the
 * runner records when it was sent (src/runner/events.ts) and summarize shows the blip it caused.
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

const at = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 0) {
    ctx.addIssue({ code: 'custom', message: 'a duration of zero or more, e.g. 5s or 2500ms' });
    return z.NEVER;
  }
  return ms;
});

export const eventSchema = z.strictObject({
  /** When, after the measured pgbench started (ms once parsed). */
  at,
  signal: z.enum(EVENT_SIGNALS),
  /** `<config>/<component>`: `pgbouncer` (every worker), `worker-<i>` (one, 1-based), `proxy`. */
  target: z
    .string()
    .regex(
      /^[^/\s]+\/[^/\s]+$/,
      '"<config>/<component>", e.g. pgbouncer-tx/worker-2 or pgbouncer-tx/pgbouncer',
    ),
});
export type EventSpec = z.output<typeof eventSchema>;

export function splitTarget(target: string): { config: string; component: string } {
  const i = target.indexOf('/');
  return { config: target.slice(0, i), component: target.slice(i + 1) };
}

/** What a config offers to signal; `workers` is its PgBouncer's process count (0: no PgBouncer). */
export function targetComponents(c: { kind: string; workers: number }): string[] {
  const out: string[] = [];
  if (c.workers > 0) {
    out.push('pgbouncer');
    for (let i = 1; i <= c.workers; i++) out.push(`worker-${i}`);
  }
  if (c.kind === 'proxy') out.push('proxy');
  return out;
}

export interface EventConfigView {
  name: string;
  kind: string;
  /** PgBouncer processes in the path (0 without PgBouncer). */
  workers: number;
}

export interface EventIssue {
  path: (string | number)[];
  message: string;
}

/** A workload as the events see it: how long its cells measure, and whether it is a profile. */
export interface EventWorkloadView {
  name: string;
  /** One cell's measured pgbench: the matrix duration, or a profile's segment. */
  durationMs: number;
  profile: boolean;
}

/**
 * Every target must name a config of the (expanded) matrix and a component that config has, and
 * every `at` must fall inside the measured duration of every workload's cells. `expandedFrom` maps
 * `<name>-w<N>` to `<name>`, so a target naming the base of a `workers` list is told which names
 * exist. A profile workload is refused with events: its segments are cells of their own, so the
 * event would fire in every segment, and the next (continuing) segment would run on a pooler the
 * event restarted without the setup a first segment gets. Every config runs every workload. Pure.
 */
export function eventIssues(
  events: readonly EventSpec[],
  configs: readonly EventConfigView[],
  expandedFrom: ReadonlyMap<string, string>,
  workloads: readonly EventWorkloadView[],
): EventIssue[] {
  const issues: EventIssue[] = [];
  events.forEach((e, i) => {
    const { config, component } = splitTarget(e.target);
    const c = configs.find((x) => x.name === config);
    if (!c) {
      const expanded = [...expandedFrom].filter(([, base]) => base === config).map(([n]) => n);
      const names = expanded.length > 0 ? expanded : configs.map((x) => x.name);
      const why = expanded.length > 0 ? `${config} is a workers list, expanded into` : 'one of';
      issues.push({ path: ['events', i, 'target'], message: `a config name (${why} ${names.join(', ')})` });
      return;
    }
    const offered = targetComponents(c);
    if (!offered.includes(component)) {
      const what =
        offered.length > 0 ? `one of ${offered.join(', ')}` : `none: ${c.name} has no pooler or proxy`;
      issues.push({ path: ['events', i, 'target'], message: `a component of ${c.name} (${what})` });
    }
    const profile = workloads.find((w) => w.profile);
    if (profile) {
      issues.push({
        path: ['events', i],
        message: `no event on a config that runs a profile workload (${c.name} runs profile workload ${profile.name}: the event would fire in every segment and the next segment would run on a restarted pooler without setup)`,
      });
      return;
    }
    const shortest = workloads.reduce<EventWorkloadView | undefined>(
      (a, w) => (a === undefined || w.durationMs < a.durationMs ? w : a),
      undefined,
    );
    if (shortest && e.at >= shortest.durationMs) {
      issues.push({
        path: ['events', i, 'at'],
        message: `a time inside the measured duration (${shortest.durationMs / 1000} s), got ${e.at / 1000} s`,
      });
    }
  });
  return issues;
}

/** The events of one config's cells, in time order. */
export function eventsFor(events: readonly EventSpec[], config: string): EventSpec[] {
  return events.filter((e) => splitTarget(e.target).config === config).sort((a, b) => a.at - b.at);
}
