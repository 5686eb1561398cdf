import type { EventOutage } from './outage.js';

/**
 * The same event in several configs (docs/operations.md, "Which strategy hid the event best"):
 * configs whose cells ran an event of the same kind and action (a failover's strategy suffix
 * aside) at the same planned moment, on the same workload and concurrency, compared rep by rep.
 * A config hid it best only when, in every rep all of them ran it (at least MIN_PAIRED_REPS), it
 * lost fewer clients than every other config and had no more failed transactions. Pure.
 */

/** Fewer paired reps than this cannot tell a config from chance. */
export const MIN_PAIRED_REPS = 3;

/**
 * What a config does about an event: `direct`, its `on_failover` (`none` by default) when it has
 * a standby, else its kind. `c`: one of run.json's effective configs.
 */
export function configStrategy(c: Record<string, unknown> | undefined): string | undefined {
  if (!c) return undefined;
  if (c.kind === 'direct') return 'direct';
  if (c.standby === true) return typeof c.on_failover === 'string' ? c.on_failover : 'none';
  return typeof c.kind === 'string' ? c.kind : undefined;
}

/** One rep of one config: its outage and that outage's index in summary.json's `outages`. */
export interface ComparedRep {
  rep: number;
  i: number;
  o: EventOutage;
}

export interface ComparedConfig {
  config: string;
  strategy?: string;
  /** Ascending by rep. */
  reps: ComparedRep[];
}

export type ComparisonVerdict = { best: string } | { why: string };

export interface EventComparison {
  workload: string;
  concurrency: number;
  kind: string;
  /** The action without a strategy suffix: `promote (crash)`, `restart-fast`. */
  action: string;
  plannedAtMs: number;
  configs: ComparedConfig[];
  /** Reps in which every config ran the event without an error, ascending. */
  pairedReps: number[];
  verdict: ComparisonVerdict;
}

/** `promote (crash) + reload` of a config whose strategy is `reload`: `promote (crash)`. */
function baseAction(o: EventOutage): string {
  const a = o.action ?? o.label.slice(0, Math.max(0, o.label.lastIndexOf(' ')));
  const suffix = o.strategy === undefined ? undefined : ` + ${o.strategy}`;
  return suffix !== undefined && a.endsWith(suffix) ? a.slice(0, -suffix.length) : a;
}

/** Every event that ran in two configs or more on the same workload and concurrency. */
export function eventComparisons(outages: readonly EventOutage[]): EventComparison[] {
  const groups = new Map<string, Map<string, ComparedConfig>>();
  outages.forEach((o, i) => {
    if (o.plannedAtMs === undefined) return;
    const key = [o.workload, o.concurrency, o.kind, baseAction(o), o.plannedAtMs].join('\u0000');
    const g = groups.get(key) ?? new Map<string, ComparedConfig>();
    groups.set(key, g);
    const c = g.get(o.config) ?? {
      config: o.config,
      ...(o.strategy ? { strategy: o.strategy } : {}),
      reps: [],
    };
    g.set(o.config, c);
    // One cell with the same event twice: its first.
    if (!c.reps.some((r) => r.rep === o.rep)) c.reps.push({ rep: o.rep, i, o });
  });
  return [...groups.values()]
    .filter((g) => g.size >= 2)
    .map((g) => {
      const configs = [...g.values()].map((c) => ({ ...c, reps: [...c.reps].sort((a, b) => a.rep - b.rep) }));
      const first = configs[0]?.reps[0]?.o as EventOutage;
      const pairedReps = paired(configs);
      return {
        workload: first.workload,
        concurrency: first.concurrency,
        kind: first.kind,
        action: baseAction(first),
        plannedAtMs: first.plannedAtMs as number,
        configs,
        pairedReps,
        verdict: verdictOf(configs, pairedReps),
      };
    });
}

/** The reps every config ran the event in, without the event failing when sent. */
function paired(configs: readonly ComparedConfig[]): number[] {
  const ok = (c: ComparedConfig, rep: number) => c.reps.some((r) => r.rep === rep && r.o.error === undefined);
  const reps = [...new Set(configs.flatMap((c) => c.reps.map((r) => r.rep)))].sort((a, b) => a - b);
  return reps.filter((rep) => configs.every((c) => ok(c, rep)));
}

/** A config's outage in a rep (present for every paired rep). */
export function repOf(c: ComparedConfig, rep: number): EventOutage {
  return c.reps.find((r) => r.rep === rep)?.o as EventOutage;
}

/** Where `a` did not beat `b` in `rep`, in words; undefined when it did (fewer lost, no more failed). */
function notBetter(a: ComparedConfig, b: ComparedConfig, rep: number): string | undefined {
  const x = repOf(a, rep);
  const y = repOf(b, rep);
  if (x.aborted >= y.aborted)
    return `in rep ${rep} ${a.config} lost ${x.aborted} client${x.aborted === 1 ? '' : 's'}, ${b.config} ${y.aborted}`;
  if (x.failed > y.failed)
    return `in rep ${rep} ${a.config} had ${x.failed} failed transactions, ${b.config} ${y.failed}`;
  return undefined;
}

function verdictOf(configs: readonly ComparedConfig[], reps: readonly number[]): ComparisonVerdict {
  if (reps.length < MIN_PAIRED_REPS)
    return {
      why: `only ${reps.length} paired rep${reps.length === 1 ? '' : 's'} (reps in which every config ran the event), fewer than the ${MIN_PAIRED_REPS} needed`,
    };
  const lost = (c: ComparedConfig) => reps.reduce((s, rep) => s + repOf(c, rep).aborted, 0);
  const ranked = [...configs].sort((a, b) => lost(a) - lost(b));
  const cand = ranked[0] as ComparedConfig;
  const counter = ranked
    .slice(1)
    .flatMap((o) => reps.map((rep) => notBetter(cand, o, rep)))
    .find((w) => w !== undefined);
  if (counter === undefined) return { best: cand.config };
  const same = reps.every((rep) => configs.every((c) => repOf(c, rep).aborted === repOf(cand, rep).aborted));
  return {
    why: same
      ? `every config lost as many clients as the others in every paired rep (${counter.replace(/^in /, '')})`
      : `no config lost fewer clients than every other in every paired rep (${counter})`,
  };
}
