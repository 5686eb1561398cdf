import { COST_FIGURES, type CostFigureName, type CostRow } from '../model/cost-rows.js';
import { fixed, isNum } from '../model/format.js';
import type { Verdict } from './verdict.js';

/**
 * The defaults of the cost verdict, in one place (CLI help, reports, docs/cost.md). threshold: a
 * change in work per transaction smaller than this does not matter (1 %): instruction counts
 * repeat to 0.01 % or better, so 1 % is far above their noise where TPS needs 5 % and many pairs.
 */
export const COST_DEFAULTS = { threshold: 0.01 } as const;

/** The figures whose verdict decides the exit code; the others are shown beside them, noisier (4-13 %). */
export const GATING_COST_FIGURES: readonly CostFigureName[] = ['instructions_per_tx', 'syscalls_per_tx'];

/** How many changed functions compare lists per group. */
export const CHANGED_FUNCTIONS = 10;

export interface CostFigureComparison {
  figure: CostFigureName;
  /** Mean per-transaction figure of each side. */
  baseline: number;
  candidate: number;
  /** candidate − baseline, per transaction. */
  delta: number;
  /** (candidate − baseline) / baseline. */
  change: number;
  baselineSpreadPct: number;
  candidateSpreadPct: number;
  /** baseline spread + candidate spread: a change inside it could be the repeats' disagreement. */
  combinedSpreadPct: number;
  verdict: Verdict;
  /** Whether this figure's verdict can set the exit code (GATING_COST_FIGURES). */
  gating: boolean;
  /** Why the verdict is inconclusive. */
  note?: string;
}

/** One function's instructions per transaction on each side; null: not among that side's recorded top functions. */
export interface FunctionChange {
  fn: string;
  file?: string;
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline per transaction (a missing side counted as 0: a bound, not a measurement). */
  delta: number;
}

export interface CostCompareGroup {
  workload: string;
  component: string;
  baselineConfig: string;
  candidateConfig: string;
  /** -C: each figure is also per connection. */
  reconnect: boolean;
  figures: CostFigureComparison[];
  /** The functions whose instructions per transaction changed most, by absolute change. */
  functions: FunctionChange[];
  /** Whether both sides' function names are symbols (false: addresses, the table says so). */
  symbolized: boolean;
}

export interface CostComparison {
  threshold: number;
  groups: CostCompareGroup[];
  unmatched: {
    config: string;
    workload: string;
    component: string;
    side: 'baseline-only' | 'candidate-only';
  }[];
  /** Gating figures that are slower: the CLI exits 1 when above 0. */
  regressions: number;
  /** Gating figures that cannot be decided: exit 1 unless --allow-inconclusive. */
  inconclusive: number;
}

const pct = (x: number) => `${fixed(x, 2)}%`;

/**
 * The cost verdict of one figure. The repeats of each side must agree within the threshold
 * (otherwise this component's work per transaction is not exact enough to judge a change of that
 * size: inconclusive). Then slower / faster when the change is beyond the threshold AND beyond the
 * combined spread of both sides; a change beyond the threshold but inside the spread is
 * inconclusive; anything smaller is no change.
 */
export function costVerdict(
  b: { mean: number; spreadPct: number },
  c: { mean: number; spreadPct: number },
  threshold: number,
): { verdict: Verdict; change: number; note?: string } {
  const change =
    b.mean === 0 ? (c.mean === 0 ? 0 : Math.sign(c.mean) * Infinity) : (c.mean - b.mean) / Math.abs(b.mean);
  const limit = threshold * 100;
  if (!isNum(b.spreadPct) || !isNum(c.spreadPct))
    return {
      verdict: 'inconclusive',
      change,
      note: 'one repeat on a side: its spread is not measured (repeats: 2 or more)',
    };
  const worst = Math.max(b.spreadPct, c.spreadPct);
  if (worst > limit)
    return {
      verdict: 'inconclusive',
      change,
      note: `the repeats disagree by ${pct(worst)}, more than the ${pct(limit)} threshold: this figure is not exact enough to judge a change that small`,
    };
  const combined = b.spreadPct + c.spreadPct;
  const size = Math.abs(change) * 100;
  // A change of exactly the threshold matters (a 1 % regression is slower at a 1 % threshold):
  // the tolerance only absorbs floating-point rounding of the ratio.
  if (size < limit - 1e-9) return { verdict: 'no-change', change };
  if (size <= combined)
    return {
      verdict: 'inconclusive',
      change,
      note: `the change (${pct(size)}) is beyond the threshold but inside the repeats' combined spread (${pct(combined)})`,
    };
  return { verdict: change > 0 ? 'slower' : 'faster', change };
}

function compareFigure(
  b: CostRow,
  c: CostRow,
  figure: CostFigureName,
  threshold: number,
): CostFigureComparison | undefined {
  const fb = b.figures[figure];
  const fc = c.figures[figure];
  if (!fb && !fc) return undefined;
  const gating = GATING_COST_FIGURES.includes(figure);
  const base = {
    figure,
    baseline: fb?.mean ?? Number.NaN,
    candidate: fc?.mean ?? Number.NaN,
    baselineSpreadPct: fb?.spreadPct ?? Number.NaN,
    candidateSpreadPct: fc?.spreadPct ?? Number.NaN,
    gating,
  };
  const combinedSpreadPct = base.baselineSpreadPct + base.candidateSpreadPct;
  if (!fb || !fc || !isNum(fb.mean) || !isNum(fc.mean))
    return {
      ...base,
      delta: Number.NaN,
      change: Number.NaN,
      combinedSpreadPct,
      verdict: 'inconclusive',
      note: `measured on the ${fb ? 'baseline' : 'candidate'} side only`,
    };
  const v = costVerdict(fb, fc, threshold);
  return {
    ...base,
    delta: fc.mean - fb.mean,
    change: v.change,
    combinedSpreadPct,
    verdict: v.verdict,
    ...(v.note ? { note: v.note } : {}),
  };
}

/** The functions whose instructions per transaction changed most between the two rows. */
export function changedFunctions(b: CostRow, c: CostRow, limit = CHANGED_FUNCTIONS): FunctionChange[] {
  const key = (f: { fn: string; file?: string }) => `${f.fn}\u0000${f.file ?? ''}`;
  const all = new Map<string, FunctionChange>();
  for (const f of b.functions)
    all.set(key(f), {
      fn: f.fn,
      ...(f.file ? { file: f.file } : {}),
      baseline: f.instructionsPerTx,
      candidate: null,
      delta: 0,
    });
  for (const f of c.functions) {
    const prev = all.get(key(f));
    all.set(key(f), {
      fn: f.fn,
      ...(f.file ? { file: f.file } : {}),
      baseline: prev?.baseline ?? null,
      candidate: f.instructionsPerTx,
      delta: 0,
    });
  }
  return [...all.values()]
    .map((f) => ({ ...f, delta: (f.candidate ?? 0) - (f.baseline ?? 0) }))
    .filter((f) => f.delta !== 0)
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.fn.localeCompare(y.fn))
    .slice(0, limit);
}

/**
 * Candidate cost rows against baseline cost rows, per (workload, component) and figure. `sameConfig`
 * (two runs) also matches on the config name; the paired form compares two configs of one run.
 */
export function compareCost(
  baseline: readonly CostRow[],
  candidate: readonly CostRow[],
  opts: { threshold?: number; sameConfig?: boolean } = {},
): CostComparison {
  const threshold = opts.threshold ?? COST_DEFAULTS.threshold;
  const k = (r: CostRow) => `${opts.sameConfig ? `${r.config}\u0000` : ''}${r.workload}\u0000${r.component}`;
  const cand = new Map(candidate.map((r) => [k(r), r]));
  const baseKeys = new Set(baseline.map(k));
  const groups: CostCompareGroup[] = [];
  const unmatched: CostComparison['unmatched'] = [];
  for (const b of baseline) {
    const c = cand.get(k(b));
    if (!c) {
      unmatched.push({
        config: b.config,
        workload: b.workload,
        component: b.component,
        side: 'baseline-only',
      });
      continue;
    }
    groups.push({
      workload: b.workload,
      component: b.component,
      baselineConfig: b.config,
      candidateConfig: c.config,
      reconnect: b.reconnect,
      figures: COST_FIGURES.flatMap((f) => compareFigure(b, c, f, threshold) ?? []),
      functions: changedFunctions(b, c),
      symbolized: b.symbolized !== false && c.symbolized !== false,
    });
  }
  for (const c of candidate)
    if (!baseKeys.has(k(c)))
      unmatched.push({
        config: c.config,
        workload: c.workload,
        component: c.component,
        side: 'candidate-only',
      });
  const gating = groups.flatMap((g) => g.figures.filter((f) => f.gating));
  // Cost figures the baseline has and the candidate lacks (its cost cells failed, or never ran):
  // like a TPS cell that failed where the baseline's did not, a regression, never a pass.
  const missing = unmatched.filter((u) => u.side === 'baseline-only').length;
  return {
    threshold,
    groups,
    unmatched,
    regressions: gating.filter((f) => f.verdict === 'slower').length + missing,
    inconclusive: gating.filter((f) => f.verdict === 'inconclusive').length,
  };
}
