import { pairedMetric } from '../compare/compare.js';
import { isNum } from './format.js';
import type { Row } from './row.js';
import { ci95HalfWidth, mean } from './stats.js';

/**
 * Setting sweeps (a list in a config's pool fields or settings, src/matrix/setting-axes.ts): per
 * swept setting, workload and concurrency, throughput and latency against the value, and the knee
 * (of throughput). Pure.
 *
 * Numeric values are ordered: each step goes from one value to the next. Other values (names,
 * booleans: a placeholder like pgagroal's `pipeline: [performance, session]`) have no order, so
 * each step pairs a value against the first (the file's first) and no knee is named (`unordered`).
 *
 * The knee is the smallest value beyond which throughput grows by less than the noise: from it on,
 * every step to the next value either has a paired 95 % interval of the TPS ratio (next / this,
 * rep by rep) that includes 1, or a gain (ratio − 1) smaller than the larger CV of TPS of the
 * two values. When the last step still gains, no knee was found; with fewer than 2 paired reps
 * in a step, the data cannot tell (`undetermined`).
 */
export interface SweepPoint {
  value: string | number | boolean;
  config: string;
  /** Index of the row in summary.json's rows. */
  rowIndex: number;
  tps: number;
  /** Coefficient of variation of TPS over completed reps (NaN with fewer than 2). */
  cv: number;
  reps: number;
  /** Latency at this value, when the row has it (per-transaction logs). */
  latency?: SweepLatency;
}

/**
 * A value's latency over reps: the average of the reps' own mean latencies and of their own p99s,
 * each with the half-width of its 95 % t interval (NaN with fewer than 2 reps), so a figure and its
 * interval are centred on the same number. These are not the row's merged figures (every rep's
 * transactions in one histogram), which can differ: a rep's p99 is not the p99 of all reps.
 * Closed-loop latency; under -C it excludes connecting.
 */
export interface SweepLatency {
  /** Completed reps whose own mean and p99 are averaged (every completed rep with a latency log). */
  reps: number;
  repMeanMs: number;
  repMeanCi95: number;
  repP99Ms: number;
  repP99Ci95: number;
}

export interface SweepStep {
  /** The value before (ordered) or the first value (unordered). */
  from: SweepPoint['value'];
  to: SweepPoint['value'];
  /** Paired estimate of TPS(to) / TPS(from), and its 95 % interval (NaN with fewer than 2 pairs). */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  pairs: number;
  /** ratio − 1. */
  gain: number;
  /** max(CV of from, CV of to). */
  noise: number;
  /** The interval includes 1 or the gain is below the noise; undefined when it cannot be told. */
  withinNoise?: boolean;
  /**
   * Why a step counts as within the noise: its gain is below the noise (`small-gain`), or only its
   * interval includes 1 while the gain is not small (`wide-interval`: more reps could tell), or
   * throughput falls significantly (`drop`: the interval lies below 1).
   */
  why?: 'small-gain' | 'wide-interval' | 'drop';
}

export interface SweepSeries {
  /** The config's name in the matrix file. */
  of: string;
  setting: string;
  /** The other swept settings' values, held fixed along this series. */
  fixed: Record<string, string | number | boolean>;
  workload: string;
  concurrency: number;
  /** A mix's client group (docs/tenants.md); absent on every other row and on the mix's total. */
  group?: string;
  /** Whether every value is a number: steps go value to next value; otherwise each value against the first. */
  ordered: boolean;
  points: SweepPoint[];
  steps: SweepStep[];
  /** `unordered`: values that are not all numbers, for which no knee is named. */
  verdict: 'knee' | 'none' | 'undetermined' | 'unordered';
  /** Index into points of the knee, when the verdict is `knee`. */
  knee?: number;
}

interface SweptConfig {
  name: string;
  of: string;
  values: Record<string, string | number | boolean>;
}

/** The swept configs of run.json's effective configs (those an axis expansion gave a `sweep`). */
export function sweptConfigs(configs: ReadonlyArray<Record<string, unknown>>): SweptConfig[] {
  return configs.flatMap((c) => {
    const s = c.sweep as { of?: unknown; values?: unknown } | undefined;
    if (
      typeof c.name !== 'string' ||
      !s ||
      typeof s.of !== 'string' ||
      typeof s.values !== 'object' ||
      !s.values
    )
      return [];
    return [{ name: c.name, of: s.of, values: s.values as SweptConfig['values'] }];
  });
}

/** The average over reps of each rep's own mean and p99, with their intervals (see SweepLatency). */
function latencyOf(r: Row): SweepLatency | undefined {
  if (!r.latency) return undefined;
  // Every completed rep with both figures (the outlier rule is about TPS).
  const reps = r.samples.filter((x) => isNum(x.latencyMeanMs) && isNum(x.p99Ms));
  if (reps.length === 0) return undefined;
  const means = reps.map((x) => x.latencyMeanMs as number);
  const p99s = reps.map((x) => x.p99Ms as number);
  return {
    reps: reps.length,
    repMeanMs: mean(means),
    repMeanCi95: ci95HalfWidth(means),
    repP99Ms: mean(p99s),
    repP99Ci95: ci95HalfWidth(p99s),
  };
}

function step(rows: readonly Row[], a: SweepPoint, b: SweepPoint): SweepStep {
  const ra = rows[a.rowIndex] as Row;
  const rb = rows[b.rowIndex] as Row;
  const byRep = new Map(rb.samples.filter((s) => !s.outlier).map((s) => [s.rep, s.tps]));
  const pairs = ra.samples
    .filter((s) => !s.outlier && byRep.has(s.rep))
    .map((s) => [s.tps, byRep.get(s.rep) as number] as const);
  const m = pairedMetric(pairs, { baseline: a.tps, candidate: b.tps }, true);
  const noise = Math.max(isNum(a.cv) ? a.cv : Number.NaN, isNum(b.cv) ? b.cv : Number.NaN);
  const told = m.n >= 2 && isNum(m.ciLow) && isNum(m.ciHigh) && isNum(noise);
  return {
    from: a.value,
    to: b.value,
    ratio: m.ratio,
    ciLow: m.ciLow,
    ciHigh: m.ciHigh,
    pairs: m.n,
    gain: m.ratio - 1,
    noise,
    ...(told ? within(m.ratio, noise, m.ciLow, m.ciHigh) : {}),
  };
}

/**
 * Whether a step stops the growth: a significant fall (the whole interval below 1: `drop`), a
 * change smaller than the noise either way (`small-gain`), or only an interval that includes 1
 * (`wide-interval`); a significant gain beyond the noise does not.
 */
function within(
  ratio: number,
  noise: number,
  ciLow: number,
  ciHigh: number,
): Pick<SweepStep, 'withinNoise' | 'why'> {
  if (ciHigh < 1) return { withinNoise: true, why: 'drop' };
  if (Math.abs(ratio - 1) < noise) return { withinNoise: true, why: 'small-gain' };
  return ciLow <= 1 && ciHigh >= 1 ? { withinNoise: true, why: 'wide-interval' } : { withinNoise: false };
}

/** The knee from the steps: see the interface's comment. */
export function kneeOf(steps: readonly SweepStep[]): Pick<SweepSeries, 'verdict' | 'knee'> {
  if (steps.length === 0 || steps.some((s) => s.withinNoise === undefined))
    return { verdict: 'undetermined' };
  let knee: number | undefined;
  for (let i = steps.length - 1; i >= 0 && steps[i]?.withinNoise; i--) knee = i;
  return knee === undefined ? { verdict: 'none' } : { verdict: 'knee', knee };
}

type Gathered = Omit<SweepSeries, 'ordered' | 'steps' | 'verdict' | 'knee'>;

/**
 * One series per (config, swept setting, other settings' values, workload, concurrency, mix
 * group) with 2+ values: a mix's groups and its total are series of their own.
 */
export function sweepSeries(
  rows: readonly Row[],
  configs: ReadonlyArray<Record<string, unknown>>,
): SweepSeries[] {
  return [...gather(rows, sweptConfigs(configs)).values()]
    .filter((g) => g.points.length >= 2)
    .map((g) => judge(rows, g));
}

/** Ordered values step to the next and get a knee; unordered ones each against the first, no knee. */
function judge(rows: readonly Row[], g: Gathered): SweepSeries {
  const ordered = g.points.every((p) => typeof p.value === 'number');
  if (!ordered) {
    const [first, ...rest] = g.points as [SweepPoint, ...SweepPoint[]];
    const steps = rest.map((b) => step(rows, first, b));
    return { ...g, ordered, steps, verdict: 'unordered' };
  }
  const points = [...g.points].sort((a, b) => (a.value as number) - (b.value as number));
  const steps = points.slice(1).map((b, i) => step(rows, points[i] as SweepPoint, b));
  return { ...g, ordered, points, steps, ...kneeOf(steps) };
}

/** The points of each series, in the rows' order. */
function gather(rows: readonly Row[], swept: readonly SweptConfig[]): Map<string, Gathered> {
  const groups = new Map<string, Gathered>();
  rows.forEach((r, rowIndex) => {
    const c = swept.find((s) => s.name === r.config);
    // Only groups where every cell completed, like every other headline.
    if (!c || r.tps.n === 0 || !isNum(r.tps.mean) || r.failedCells.length > 0) return;
    for (const [setting, value] of Object.entries(c.values)) {
      const fixed = Object.fromEntries(Object.entries(c.values).filter(([k]) => k !== setting));
      const key = JSON.stringify([c.of, setting, fixed, r.workload, r.concurrency, r.group ?? null]);
      const g = groups.get(key) ?? {
        of: c.of,
        setting,
        fixed,
        workload: r.workload,
        concurrency: r.concurrency,
        ...(r.group === undefined ? {} : { group: r.group }),
        points: [],
      };
      const latency = latencyOf(r);
      g.points.push({
        value,
        config: r.config,
        rowIndex,
        tps: r.tps.mean,
        cv: r.tps.cv,
        reps: r.tps.n,
        ...(latency ? { latency } : {}),
      });
      groups.set(key, g);
    }
  });
  return groups;
}
