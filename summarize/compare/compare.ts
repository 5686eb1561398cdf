import { fixed, isNum } from '../model/format.js';
import { type GroupKey, groupId, type RepSample, type Row } from '../model/row.js';
import {
  minimumDetectableEffect,
  pairedTTest,
  pairsNeeded,
  repsEachNeeded,
  repsPerSideNeeded,
  std,
  type TInterval,
  welchInterval,
} from '../model/stats.js';
import type { CostComparison } from './cost.js';
import { driftInterval, driftSpreads } from './drift.js';
import type { Verdict } from './verdict.js';

/**
 * The defaults of `bench compare`, in one place: the CLI help, the reports and docs/statistics.md
 * quote these. threshold: a relative change smaller than this does not matter (5%); alpha: the
 * confidence intervals are (1 − alpha) = 95%; power: the detectable change and the reps needed are
 * for an 80% chance of detecting.
 */
export const COMPARE_DEFAULTS = { threshold: 0.05, alpha: 0.05, power: 0.8 } as const;

/** How a group was compared: reps of two configs of one run paired by rep, or two runs' reps. */
export type CompareMode = 'paired' | 'two-run';

/** One metric (TPS or p99) of one group, candidate against baseline, estimated in log space. */
export interface MetricComparison {
  /** Baseline and candidate figure for display: mean TPS, or merged p99 in ms. */
  baseline: number;
  candidate: number;
  /** exp(estimate of the mean log ratio): candidate / baseline. */
  ratio: number;
  /** The (1 − alpha) confidence interval of the ratio; NaN with fewer than 2 pairs / reps a side. */
  ciLow: number;
  ciHigh: number;
  /** Two-sided p of "no change" (paired t or Welch on the logs). */
  p: number;
  /** Pairs (paired) or the smaller side's reps (two-run) that fed the test. */
  n: number;
  /**
   * Measured noise: the standard deviation of the log ratio of one candidate rep to one baseline
   * rep (paired: s of dᵢ; two-run: √(s_b² + s_c²) of the logs). NaN with fewer than 2.
   */
  noise: number;
  /** Smallest change detectable with `power` at this noise and n, as a fraction (0.04 = 4%). */
  detectable: number;
  /** Pairs (paired) or reps per side (two-run) for the detectable change to reach the threshold. */
  needed: number;
  verdict: Verdict;
}

/**
 * How the two-run form treated the drift between the runs, per group (absent in the paired form,
 * where pairing cancels it; docs/statistics.md "Drift between two runs"):
 * - normalized: the ratio is the candidate's ratio between the runs divided by the control
 *   config's for the same workload and concurrency (difference in differences on the logs,
 *   summarize/compare/drift.ts); `drift` is the control's ratio, `raw` the candidate's before.
 * - control: this group is the control. Its ratio is the drift estimate; its verdict is shown and
 *   not counted, unless it failed where the baseline did not (drift does not fail cells).
 * - unpaired: no control, so drift between the runs is not cancelled. A faster / slower /
 *   no-change is not conclusive and counts like an inconclusive group for the exit code, unless the
 *   candidate failed where the baseline did not (`byFailure`): that is a regression whatever drifted.
 */
export type DriftTreatment =
  | { kind: 'normalized'; control: string; drift: MetricComparison; raw: MetricComparison }
  | { kind: 'control'; control: string; byFailure: boolean }
  | { kind: 'unpaired'; byFailure: boolean };

export interface CompareGroup extends GroupKey {
  /** The config on the baseline side (the same as `config` in the two-run form). */
  baselineConfig: string;
  baselineReps: number;
  candidateReps: number;
  tps: MetricComparison;
  p99?: MetricComparison;
  /** TPS decides; a candidate that failed where the baseline did not is slower whatever its TPS. */
  verdict: Verdict;
  /** Why a verdict is inconclusive, what failed, how many reps would do. */
  notes: string[];
  /** Two-run form only: how the drift between the runs was treated. */
  drift?: DriftTreatment;
}

export interface CompareResult {
  mode: CompareMode;
  groups: CompareGroup[];
  /** Groups present on one side only. */
  unmatched: (GroupKey & { side: 'baseline-only' | 'candidate-only' })[];
  /** Groups whose verdict is slower: the CLI exits 1 when this is above 0. */
  regressions: number;
  /** Groups whose verdict is inconclusive: exit 1 too, unless --allow-inconclusive. */
  inconclusive: number;
  /**
   * Two-run form: groups with an unpaired faster / slower / no-change (drift not cancelled, see
   * DriftTreatment). Not conclusive: exit 1 like inconclusive ones, unless --allow-inconclusive.
   */
  unpaired?: number;
  /** Two-run form: the control config whose ratio between the runs normalized the others. */
  control?: string;
  threshold: number;
  alpha: number;
  power: number;
  /** The cost verdict (summarize/compare-cost.ts), when the runs have cost cells. */
  cost?: CostComparison;
}

export interface CompareOptions {
  /** A relative change smaller than this is no change. Default COMPARE_DEFAULTS.threshold. */
  threshold?: number;
  /** 1 − the confidence of the intervals. Default COMPARE_DEFAULTS.alpha. */
  alpha?: number;
  /** Power for the detectable change and the reps needed. Default COMPARE_DEFAULTS.power. */
  power?: number;
}

/** The two-run form's options: a control config both runs ran cancels the drift between them. */
export interface TwoRunOptions extends CompareOptions {
  control?: string;
}

interface Settings {
  threshold: number;
  alpha: number;
  power: number;
}

function settings(o: CompareOptions): Settings {
  return {
    threshold: o.threshold ?? COMPARE_DEFAULTS.threshold,
    alpha: o.alpha ?? COMPARE_DEFAULTS.alpha,
    power: o.power ?? COMPARE_DEFAULTS.power,
  };
}

/**
 * The verdict rule, on a log-ratio interval [low, high] around `estimate` (candidate over
 * baseline). The threshold is symmetric in log space: |ln r| < ln(1 + threshold).
 *   faster/slower: the interval excludes 0 and |estimate| > ln(1 + threshold);
 *   no-change:     max(|low|, |high|) < ln(1 + threshold);
 *   inconclusive:  otherwise (the interval straddles the threshold), or no interval at all.
 * `higherIsBetter` says which sign is faster (TPS up, latency down).
 */
export function verdictOf(
  iv: Pick<TInterval, 'estimate' | 'low' | 'high'>,
  threshold: number,
  higherIsBetter: boolean,
): Verdict {
  const { estimate, low, high } = iv;
  if (!isNum(estimate) || Number.isNaN(low) || Number.isNaN(high)) return 'inconclusive';
  const limit = Math.log1p(threshold);
  if ((low > 0 || high < 0) && Math.abs(estimate) > limit) {
    return estimate > 0 === higherIsBetter ? 'faster' : 'slower';
  }
  if (Math.abs(low) < limit && Math.abs(high) < limit) return 'no-change';
  return 'inconclusive';
}

function logs(xs: readonly number[]): number[] {
  return xs.filter((x) => isNum(x) && x > 0).map((x) => Math.log(x));
}

function fromInterval(
  iv: TInterval,
  n: number,
  noise: number,
  needed: number,
  display: { baseline: number; candidate: number },
  s: Settings,
  higherIsBetter: boolean,
): MetricComparison {
  // From the interval's own se and df, so the figure belongs to the test that ran.
  const detectable = Math.expm1(minimumDetectableEffect(iv.se, iv.df, s.alpha, s.power));
  return {
    ...display,
    ratio: Math.exp(iv.estimate),
    ciLow: Math.exp(iv.low),
    ciHigh: Math.exp(iv.high),
    p: iv.p,
    n,
    noise,
    detectable,
    needed,
    verdict: verdictOf(iv, s.threshold, higherIsBetter),
  };
}

/**
 * Paired comparison of one metric: dᵢ = ln(candidateᵢ / baselineᵢ) over the pairs, paired t-test,
 * interval exp(d̄ ± t·s_d/√n), pairs needed for the threshold at the measured s_d.
 */
export function pairedMetric(
  pairs: readonly (readonly [baseline: number, candidate: number])[],
  display: { baseline: number; candidate: number },
  higherIsBetter: boolean,
  opts: CompareOptions = {},
): MetricComparison {
  const s = settings(opts);
  const d = pairs.filter(([b, c]) => isNum(b) && isNum(c) && b > 0 && c > 0).map(([b, c]) => Math.log(c / b));
  const iv = pairedTTest(d, s.alpha);
  const noise = std(d);
  return fromInterval(
    iv,
    d.length,
    noise,
    pairsNeeded(noise, Math.log1p(s.threshold), s.alpha, s.power),
    display,
    s,
    higherIsBetter,
  );
}

/** Two-run comparison of one metric: Welch on the reps' logs, reps per side needed at the measured spreads. */
export function welchMetric(
  baseline: readonly number[],
  candidate: readonly number[],
  display: { baseline: number; candidate: number },
  higherIsBetter: boolean,
  opts: CompareOptions = {},
): MetricComparison {
  const s = settings(opts);
  const lb = logs(baseline);
  const lc = logs(candidate);
  const iv = welchInterval(lc, lb, s.alpha);
  const sb = std(lb);
  const sc = std(lc);
  return fromInterval(
    iv,
    Math.min(lb.length, lc.length),
    Math.sqrt(sb ** 2 + sc ** 2),
    repsPerSideNeeded(sb, sc, Math.log1p(s.threshold), s.alpha, s.power),
    display,
    s,
    higherIsBetter,
  );
}

/**
 * Two-run comparison of one metric normalized by a control config's own ratio between the runs:
 * exp of (mean ln x_cand − mean ln x_base) − (mean ln c_cand − mean ln c_base), the interval
 * combining all four samples' variances (the math is in summarize/compare/drift.ts). n is the
 * smallest of the four samples; "needed" is reps per side of both the candidate and the control.
 */
export function driftMetric(
  x: { baseline: readonly number[]; candidate: readonly number[] },
  control: { baseline: readonly number[]; candidate: readonly number[] },
  display: { baseline: number; candidate: number },
  higherIsBetter: boolean,
  opts: CompareOptions = {},
): MetricComparison {
  const s = settings(opts);
  const lx = { baseline: logs(x.baseline), candidate: logs(x.candidate) };
  const lc = { baseline: logs(control.baseline), candidate: logs(control.candidate) };
  const spreads = driftSpreads(lx, lc);
  return fromInterval(
    driftInterval(lx, lc, s.alpha),
    Math.min(lx.baseline.length, lx.candidate.length, lc.baseline.length, lc.candidate.length),
    Math.sqrt(spreads.reduce((a, v) => a + v ** 2, 0)),
    repsEachNeeded(spreads, Math.log1p(s.threshold), s.alpha, s.power),
    display,
    s,
    higherIsBetter,
  );
}

const key = (r: Row): GroupKey => ({ config: r.config, workload: r.workload, concurrency: r.concurrency });

const unit = { paired: 'pairs', 'two-run': 'reps per side' } as const;

/**
 * The group's verdict from its TPS verdict and what failed, with the notes that explain it. Order
 * matters: a candidate that broke where the baseline did not is slower (a regression) even when
 * nothing else can be decided; a failed baseline cell leaves nothing fair to compare with.
 */
function groupVerdict(
  tps: MetricComparison,
  mode: CompareMode,
  f: { broke: boolean; baselineFailed: number },
  s: Settings,
): { verdict: Verdict; notes: string[] } {
  const notes: string[] = [];
  if (f.broke) {
    notes.push('the candidate failed where the baseline did not: counted as a regression');
    return { verdict: 'slower', notes };
  }
  if (f.baselineFailed > 0) {
    notes.push(`${f.baselineFailed} baseline cell(s) failed: inconclusive until the baseline completes`);
    return { verdict: 'inconclusive', notes };
  }
  if (tps.verdict === 'inconclusive') notes.push(inconclusiveNote(tps, mode, s));
  return { verdict: tps.verdict, notes };
}

/** Why the TPS verdict is inconclusive, and how many pairs / reps would decide at the measured noise. */
export function inconclusiveNote(m: MetricComparison, mode: CompareMode, s: CompareOptions = {}): string {
  const { threshold, power } = settings(s);
  const what = unit[mode];
  if (m.n < 2) {
    return `${m.n} ${mode === 'paired' ? (m.n === 1 ? 'pair' : 'pairs') : 'rep on a side'}: nothing can be decided, the noise cannot even be measured; rerun with at least 3 ${what} (5 or more for a ${fixed(threshold * 100, 0)}% threshold on a busy machine)`;
  }
  const needed = isNum(m.needed)
    ? `${m.needed}`
    : m.needed === Infinity
      ? 'more than a million'
      : 'an unknown number of';
  return `the interval straddles ±${fixed(threshold * 100, 0)}%: at the measured noise (${fixed(m.noise * 100, 1)}% per ${mode === 'paired' ? 'pair' : 'rep'}) ${needed} ${what} would detect a ${fixed(threshold * 100, 0)}% change (${fixed(power * 100, 0)}% power); this run had ${m.n}`;
}

function failedTx(xs: readonly RepSample[]): number {
  return xs.reduce((a, x) => a + x.failedTransactions, 0);
}

function p99Pairs(b: readonly RepSample[], c: readonly RepSample[]) {
  return b.flatMap((x, i) => {
    const y = c[i];
    return y && isNum(x.p99Ms) && isNum(y.p99Ms) ? [[x.p99Ms, y.p99Ms] as const] : [];
  });
}

/**
 * Paired, within-run comparison of two configs of the same run. For each (workload, concurrency)
 * the cell of config A and the cell of config B of the same rep form a pair when both completed;
 * dᵢ = ln(TPS_Bᵢ / TPS_Aᵢ). Reps ran interleaved, so the two members of a pair saw the same machine
 * state and the drift between reps cancels within the pair. A rep where B failed and A completed
 * makes the group slower; a rep where A failed makes it inconclusive.
 */
export function comparePaired(
  rows: readonly Row[],
  baselineConfig: string,
  candidateConfig: string,
  opts: CompareOptions = {},
): CompareResult {
  const s = settings(opts);
  const sub = (r: Row) => `${r.workload}__c${r.concurrency}${r.group === undefined ? '' : `__g${r.group}`}`;
  const cand = new Map(rows.filter((r) => r.config === candidateConfig).map((r) => [sub(r), r]));
  const base = rows.filter((r) => r.config === baselineConfig);
  const baseSubs = new Set(base.map(sub));
  const groups: CompareGroup[] = [];
  const unmatched: CompareResult['unmatched'] = [];
  for (const b of base) {
    const c = cand.get(sub(b));
    if (!c) {
      unmatched.push({ ...key(b), side: 'baseline-only' });
      continue;
    }
    const cByRep = new Map(c.samples.map((x) => [x.rep, x]));
    const pb: RepSample[] = [];
    const pc: RepSample[] = [];
    for (const x of b.samples) {
      const y = cByRep.get(x.rep);
      if (y) {
        pb.push(x);
        pc.push(y);
      }
    }
    const completedB = new Set(b.samples.map((x) => x.rep));
    const brokeReps = c.failedCells.filter((f) => completedB.has(f.rep)).map((f) => f.rep);
    const tps = pairedMetric(
      pb.map((x, i) => [x.tps, (pc[i] as RepSample).tps] as const),
      { baseline: b.tps.mean, candidate: c.tps.mean },
      true,
      s,
    );
    const pp = p99Pairs(pb, pc);
    const p99 =
      pp.length > 0
        ? pairedMetric(
            pp,
            { baseline: b.latency?.p99Ms ?? Number.NaN, candidate: c.latency?.p99Ms ?? Number.NaN },
            false,
            s,
          )
        : undefined;
    const broke = brokeReps.length > 0 || failedTx(pc) > failedTx(pb);
    const { verdict, notes } = groupVerdict(
      tps,
      'paired',
      { broke, baselineFailed: b.failedCells.length },
      s,
    );
    if (brokeReps.length > 0) notes.unshift(`candidate cell(s) failed in rep(s) ${brokeReps.join(', ')}`);
    if (failedTx(pc) > failedTx(pb))
      notes.unshift(`failed transactions: ${failedTx(pc)} (baseline ${failedTx(pb)}) over the pairs`);
    const unpaired = b.samples.length + c.samples.length - 2 * pb.length;
    if (unpaired > 0)
      notes.push(`${unpaired} completed cell(s) without a partner in the same rep were left out`);
    // One side under perf record (profile: true) pays the recording's cost in TPS: not the change.
    const profiledMismatch = b.profiled !== c.profiled && !broke;
    if (profiledMismatch)
      notes.push(
        `only the ${b.profiled ? 'baseline' : 'candidate'} ran under perf record (profile: true): its TPS carries the recording's overhead, so the pair cannot tell a change (profile both or neither)`,
      );
    groups.push({
      ...key(c),
      baselineConfig,
      baselineReps: b.repsCompleted,
      candidateReps: c.repsCompleted,
      tps,
      ...(p99 ? { p99 } : {}),
      verdict: profiledMismatch ? 'inconclusive' : verdict,
      notes,
    });
  }
  for (const c of cand.values())
    if (!baseSubs.has(sub(c))) unmatched.push({ ...key(c), side: 'candidate-only' });
  return result('paired', groups, unmatched, s);
}

/** A row's per-rep TPS and p99, the samples a two-run metric is computed from. */
function repValues(r: Row): { tps: number[]; p99: number[] } {
  return {
    tps: r.samples.map((x) => x.tps),
    p99: r.samples.flatMap((x) => (isNum(x.p99Ms) ? [x.p99Ms] : [])),
  };
}

/** The control config's rows of the same workload and concurrency in both runs, when both exist. */
type ControlRows = { baseline: Row; candidate: Row };

/**
 * TPS and p99 of one group of two runs, and how drift was treated: normalized by the control's
 * rows when there are some (and this group is not the control), plain Welch otherwise.
 */
function twoRunMetrics(
  b: Row,
  c: Row,
  control: { name: string; rows: ControlRows | undefined } | undefined,
  s: Settings,
): { tps: MetricComparison; p99?: MetricComparison; drift: DriftTreatment; notes: string[] } {
  const [vb, vc] = [repValues(b), repValues(c)];
  const tpsShown = { baseline: b.tps.mean, candidate: c.tps.mean };
  const p99Shown =
    b.latency && c.latency ? { baseline: b.latency.p99Ms, candidate: c.latency.p99Ms } : undefined;
  const raw = welchMetric(vb.tps, vc.tps, tpsShown, true, s);
  const rawP99 = p99Shown ? welchMetric(vb.p99, vc.p99, p99Shown, false, s) : undefined;
  const plain = (drift: DriftTreatment, notes: string[] = []) => ({
    tps: raw,
    ...(rawP99 ? { p99: rawP99 } : {}),
    drift,
    notes,
  });
  if (control === undefined) return plain({ kind: 'unpaired', byFailure: false });
  if (b.config === control.name) return plain({ kind: 'control', control: control.name, byFailure: false });
  if (control.rows === undefined)
    return plain({ kind: 'unpaired', byFailure: false }, [
      `the control ${control.name} has no ${b.workload} / ${b.concurrency} clients results in both runs: drift between runs is not cancelled here`,
    ]);
  const [kb, kc] = [repValues(control.rows.baseline), repValues(control.rows.candidate)];
  const drift = welchMetric(
    kb.tps,
    kc.tps,
    { baseline: control.rows.baseline.tps.mean, candidate: control.rows.candidate.tps.mean },
    true,
    s,
  );
  const tps = driftMetric(
    { baseline: vb.tps, candidate: vc.tps },
    { baseline: kb.tps, candidate: kc.tps },
    tpsShown,
    true,
    s,
  );
  const p99 =
    p99Shown && kb.p99.length > 0 && kc.p99.length > 0
      ? driftMetric(
          { baseline: vb.p99, candidate: vc.p99 },
          { baseline: kb.p99, candidate: kc.p99 },
          p99Shown,
          false,
          s,
        )
      : undefined;
  return {
    tps,
    ...(p99 ? { p99 } : {}),
    drift: { kind: 'normalized', control: control.name, drift, raw },
    notes: [
      `normalized by the control ${control.name}, whose TPS moved ${fixed(drift.ratio, 3)}x between the runs; ${fixed(raw.ratio, 3)}x before normalizing`,
    ],
  };
}

/**
 * Two runs, group by group (config, workload, concurrency): Welch's test on the reps' log TPS, the
 * interval of the ratio from it. Runs minutes apart drift, which this form alone cannot tell from a
 * change: with `opts.control` (a config both runs ran, which the change did not touch) each
 * group's ratio is divided by the control's ratio between the runs for the same workload and
 * concurrency (difference in differences, driftMetric); without one, each verdict is unpaired and
 * does not count as conclusive (DriftTreatment). Prefer comparePaired. With 1 rep on a side the
 * verdict is inconclusive.
 */
export function compareRows(
  baseline: readonly Row[],
  candidate: readonly Row[],
  opts: TwoRunOptions = {},
): CompareResult {
  const s = settings(opts);
  const candById = new Map(candidate.map((r) => [groupId(r), r]));
  const baseById = new Map(baseline.map((r) => [groupId(r), r]));
  const controlOf = (r: Row): ControlRows | undefined => {
    const id = groupId({ ...key(r), config: opts.control as string });
    const [cb, cc] = [baseById.get(id), candById.get(id)];
    return cb && cc ? { baseline: cb, candidate: cc } : undefined;
  };
  const groups: CompareGroup[] = [];
  const unmatched: CompareResult['unmatched'] = [];
  for (const b of baseline) {
    const c = candById.get(groupId(b));
    if (!c) {
      unmatched.push({ ...key(b), side: 'baseline-only' });
      continue;
    }
    const m = twoRunMetrics(
      b,
      c,
      opts.control === undefined ? undefined : { name: opts.control, rows: controlOf(b) },
      s,
    );
    // A candidate that fails where the baseline did not is a regression whatever its TPS says:
    // more failed cells, no completed rep, or more failed transactions.
    const broke =
      c.failedCells.length > b.failedCells.length ||
      (c.repsCompleted === 0 && b.repsCompleted > 0) ||
      c.failedTransactions > b.failedTransactions;
    const { verdict, notes } = groupVerdict(
      m.tps,
      'two-run',
      { broke, baselineFailed: b.failedCells.length },
      s,
    );
    if (c.failedCells.length > 0) notes.unshift(`${c.failedCells.length} candidate cell(s) failed`);
    if (c.failedTransactions > b.failedTransactions)
      notes.unshift(`failed transactions: ${c.failedTransactions} (baseline ${b.failedTransactions})`);
    groups.push({
      ...key(b),
      baselineConfig: b.config,
      baselineReps: b.repsCompleted,
      candidateReps: c.repsCompleted,
      tps: m.tps,
      ...(m.p99 ? { p99: m.p99 } : {}),
      verdict,
      notes: [...notes, ...m.notes],
      drift: m.drift.kind === 'normalized' ? m.drift : { ...m.drift, byFailure: broke },
    });
  }
  for (const c of candidate)
    if (!baseById.has(groupId(c))) unmatched.push({ ...key(c), side: 'candidate-only' });
  const r = result('two-run', groups, unmatched, s);
  return {
    ...r,
    unpaired: unpairedCount(groups),
    ...(opts.control !== undefined ? { control: opts.control } : {}),
  };
}

/**
 * Whether a group's verdict counts for the exit code as it stands: always in the paired form and
 * when normalized by a control; an unpaired or control group's only when a failure decided it.
 */
export function verdictCounts(g: CompareGroup): boolean {
  const d = g.drift;
  return d === undefined || d.kind === 'normalized' || d.byFailure;
}

/** Unpaired groups whose faster / slower / no-change drift alone could have produced. */
function unpairedCount(groups: readonly CompareGroup[]): number {
  return groups.filter(
    (g) => g.drift?.kind === 'unpaired' && !verdictCounts(g) && g.verdict !== 'inconclusive',
  ).length;
}

function result(
  mode: CompareMode,
  groups: CompareGroup[],
  unmatched: CompareResult['unmatched'],
  s: Settings,
): CompareResult {
  return {
    mode,
    groups,
    unmatched,
    regressions: groups.filter((g) => g.verdict === 'slower' && verdictCounts(g)).length,
    // A control's own inconclusive verdict is not a verdict on a change (DriftTreatment).
    inconclusive: groups.filter((g) => g.verdict === 'inconclusive' && g.drift?.kind !== 'control').length,
    ...s,
  };
}
