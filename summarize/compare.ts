import { fixed, isNum } from './format.js';
import { type GroupKey, groupId, type Row } from './model.js';
import { ratio, std, type WelchResult, welchTTest } from './stats.js';

export type Change = 'faster' | 'slower' | 'no-change';

/** One metric (TPS or p99) of one group, candidate against baseline. */
export interface MetricComparison {
  baseline: number;
  candidate: number;
  /** candidate / baseline */
  ratio: number;
  /** Relative standard deviations of both sides in quadrature, times the ratio; NaN with one rep on a side. */
  ratioError: number;
  /** Welch's t-test over the reps' values; absent with fewer than 2 reps on either side. */
  welch?: WelchResult;
  /** p < alpha. Never true without a test. */
  significant: boolean;
  change: Change;
}

export interface CompareGroup extends GroupKey {
  baselineReps: number;
  candidateReps: number;
  tps: MetricComparison;
  p99?: MetricComparison;
  /** slower when TPS or p99 got significantly worse beyond the threshold; faster when one got better and none worse. */
  verdict: Change;
  notes: string[];
}

export interface CompareResult {
  groups: CompareGroup[];
  /** Groups present on one side only. */
  unmatched: (GroupKey & { side: 'baseline-only' | 'candidate-only' })[];
  /** Groups whose verdict is slower: the CLI exits 1 when this is above 0. */
  regressions: number;
  threshold: number;
  alpha: number;
}

export interface CompareOptions {
  /** A relative change smaller than this is no change, however significant. Default 0.05. */
  threshold?: number;
  /** Significance level of Welch's t-test. Default 0.05. */
  alpha?: number;
}

/**
 * Compares one metric. `higherIsBetter` decides which direction is a regression. A change counts
 * only when it is both significant (Welch p < alpha) and larger than the threshold: significance
 * alone flags differences too small to matter, size alone flags noise.
 */
function metric(
  base: number,
  cand: number,
  baseReps: number[],
  candReps: number[],
  higherIsBetter: boolean,
  threshold: number,
  alpha: number,
): MetricComparison {
  const r = ratio(cand, std(candReps), base, std(baseReps));
  const enough = baseReps.length >= 2 && candReps.length >= 2;
  const welch = enough ? welchTTest(candReps, baseReps) : undefined;
  const significant = welch !== undefined && isNum(welch.p) && welch.p < alpha;
  let change: Change = 'no-change';
  if (significant && isNum(r.ratio) && Math.abs(r.ratio - 1) > threshold) {
    const up = r.ratio > 1;
    change = up === higherIsBetter ? 'faster' : 'slower';
  }
  return {
    baseline: base,
    candidate: cand,
    ratio: r.ratio,
    ratioError: r.error,
    ...(welch ? { welch } : {}),
    significant,
    change,
  };
}

/**
 * Matches groups by (config, workload, concurrency) and classifies each. TPS is tested over the
 * reps' TPS; p99 over the reps' own p99s (while the ratio shown uses the p99 of the merged
 * histograms). With fewer than 2 completed reps on a side there is no test: the group is "no
 * change" with the note "insufficient reps", never a regression.
 */
export function compareRows(
  baseline: readonly Row[],
  candidate: readonly Row[],
  opts: CompareOptions = {},
): CompareResult {
  const threshold = opts.threshold ?? 0.05;
  const alpha = opts.alpha ?? 0.05;
  const candById = new Map(candidate.map((r) => [groupId(r), r]));
  const baseIds = new Set(baseline.map((r) => groupId(r)));
  const groups: CompareGroup[] = [];
  const unmatched: CompareResult['unmatched'] = [];
  const key = (r: Row): GroupKey => ({ config: r.config, workload: r.workload, concurrency: r.concurrency });
  for (const b of baseline) {
    const c = candById.get(groupId(b));
    if (!c) {
      unmatched.push({ ...key(b), side: 'baseline-only' });
      continue;
    }
    const notes: string[] = [];
    if (b.repsCompleted === 0 || c.repsCompleted === 0) {
      notes.push(
        `no completed rep on the ${b.repsCompleted === 0 ? 'baseline' : 'candidate'} side: nothing to compare`,
      );
    } else if (b.repsCompleted < 2 || c.repsCompleted < 2) {
      notes.push(
        `insufficient reps (${b.repsCompleted} baseline, ${c.repsCompleted} candidate): no significance test, reported as no change`,
      );
    }
    if (c.failedCells.length > 0) notes.push(`${c.failedCells.length} candidate cell(s) failed`);
    if (b.failedCells.length > 0) notes.push(`${b.failedCells.length} baseline cell(s) failed`);
    if (c.failedTransactions > b.failedTransactions) {
      notes.push(`failed transactions: ${c.failedTransactions} (baseline ${b.failedTransactions})`);
    }
    const tps = metric(
      b.tps.mean,
      c.tps.mean,
      b.samples.map((s) => s.tps).filter(isNum),
      c.samples.map((s) => s.tps).filter(isNum),
      true,
      threshold,
      alpha,
    );
    const bp = b.samples.flatMap((s) => (isNum(s.p99Ms) ? [s.p99Ms] : []));
    const cp = c.samples.flatMap((s) => (isNum(s.p99Ms) ? [s.p99Ms] : []));
    const p99 =
      b.latency && c.latency
        ? metric(b.latency.p99Ms, c.latency.p99Ms, bp, cp, false, threshold, alpha)
        : undefined;
    const changes = [tps.change, ...(p99 ? [p99.change] : [])];
    // A candidate that fails where the baseline did not is a regression whatever its TPS says:
    // more failed cells, no completed rep, or more failed transactions.
    const broke =
      c.failedCells.length > b.failedCells.length ||
      (c.repsCompleted === 0 && b.repsCompleted > 0) ||
      c.failedTransactions > b.failedTransactions;
    if (broke) notes.push('the candidate failed where the baseline did not: counted as a regression');
    const verdict: Change =
      broke || changes.includes('slower') ? 'slower' : changes.includes('faster') ? 'faster' : 'no-change';
    groups.push({
      ...key(b),
      baselineReps: b.repsCompleted,
      candidateReps: c.repsCompleted,
      tps,
      ...(p99 ? { p99 } : {}),
      verdict,
      notes,
    });
  }
  for (const c of candidate)
    if (!baseIds.has(groupId(c))) unmatched.push({ ...key(c), side: 'candidate-only' });
  return {
    groups,
    unmatched,
    regressions: groups.filter((g) => g.verdict === 'slower').length,
    threshold,
    alpha,
  };
}

/** An entry of github-action-benchmark's custom tools (benchmark-action/github-action-benchmark). */
export interface GithubBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export interface GithubBenchmarkFile {
  /** The `tool:` input of the action that reads this file. */
  tool: 'customBiggerIsBetter' | 'customSmallerIsBetter';
  file: string;
  entries: GithubBenchmarkEntry[];
}

/**
 * The rows in the JSON arrays github-action-benchmark reads: TPS (bigger is better) and merged
 * p99 latency in ms (smaller is better), one entry per group, so a workflow can track runs over
 * commits with the existing action (`tool: customBiggerIsBetter`, `output-file-path: <file>`).
 */
export function githubBenchmark(rows: readonly Row[]): GithubBenchmarkFile[] {
  const name = (r: Row) => `${r.config} / ${r.workload} / ${r.concurrency} clients`;
  const tps: GithubBenchmarkEntry[] = rows
    .filter((r) => isNum(r.tps.mean))
    .map((r) => ({
      name: `${name(r)} - TPS`,
      unit: 'tps',
      value: Number(fixed(r.tps.mean, 3)),
      ...(isNum(r.tps.std) ? { range: `± ${fixed(r.tps.std, 3)}` } : {}),
      extra: `${r.tps.n} rep${r.tps.n === 1 ? '' : 's'}${isNum(r.tps.ci95) ? `; 95% CI ± ${fixed(r.tps.ci95, 3)}` : ''}`,
    }));
  const p99: GithubBenchmarkEntry[] = rows.flatMap((r) =>
    r.latency && isNum(r.latency.p99Ms)
      ? [
          {
            name: `${name(r)} - p99 latency`,
            unit: 'ms',
            value: r.latency.p99Ms,
            extra: `nearest rank over ${r.latency.count} transactions of ${r.latency.reps} rep${r.latency.reps === 1 ? '' : 's'}`,
          },
        ]
      : [],
  );
  return [
    { tool: 'customBiggerIsBetter', file: 'github-benchmark-tps.json', entries: tps },
    { tool: 'customSmallerIsBetter', file: 'github-benchmark-p99.json', entries: p99 },
  ];
}
