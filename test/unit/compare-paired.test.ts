import { describe, expect, it } from 'vitest';
import {
  COMPARE_DEFAULTS,
  comparePaired,
  compareRows,
  inconclusiveNote,
  pairedMetric,
  verdictOf,
} from '../../summarize/compare/compare.js';
import type { CellOutcome, Row } from '../../summarize/model/row.js';
import { describe as stats } from '../../summarize/model/stats.js';
import { compareReporters } from '../../summarize/reporters/index.js';

/** A row of one config from per-rep TPS (rep numbers 1..n unless given). */
function row(config: string, tps: number[], extra: Partial<Row> = {}, reps?: number[]): Row {
  return {
    config,
    workload: 'readonly',
    concurrency: 8,
    reconnect: false,
    isBaseline: false,
    repsCompleted: tps.length,
    tps: stats(tps),
    processed: 1000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: tps.map((t, i) => ({
      cellId: `${config}__readonly__c8__r${reps?.[i] ?? i + 1}`,
      rep: reps?.[i] ?? i + 1,
      tps: t,
      p99Ms: 1e6 / t,
      processed: 100,
      failedTransactions: 0,
      outlier: false,
    })),
    ...extra,
  };
}

const failed = (config: string, rep: number): CellOutcome => ({
  cellId: `${config}__readonly__c8__r${rep}`,
  rep,
  state: 'failed',
  reason: 'pgbench exited 1',
});

describe('the verdict rule (log space, threshold 5%: ln 1.05 = 0.04879)', () => {
  const L = Math.log1p(0.05);
  it.each([
    // [estimate, low, high, verdict for TPS]
    [-0.1, -0.15, -0.05, 'slower'], // excludes 0, estimate beyond −L
    [0.1, 0.05, 0.15, 'faster'],
    [-0.1, -0.2, -0.01, 'slower'], // excludes 0, beyond; the interval may straddle the threshold
    [-0.03, -0.04, -0.02, 'no-change'], // excludes 0 but all within ±L: a real but small change
    [0.0, -0.04, 0.04, 'no-change'],
    [0.0, -0.06, 0.06, 'inconclusive'], // straddles ±L
    [-0.04, -0.08, -0.01, 'inconclusive'], // excludes 0, estimate within L, bound beyond
    [-0.1, -0.3, 0.1, 'inconclusive'], // big estimate, interval includes 0
    [-0.7, Number.NaN, Number.NaN, 'inconclusive'], // one pair: no interval, even for a halving
  ] as const)('estimate %s in [%s, %s] is %s', (estimate, low, high, v) => {
    expect(verdictOf({ estimate, low, high }, 0.05, true)).toBe(v);
  });

  it('flips for latency (lower is better) and sits exactly on the threshold as not beyond it', () => {
    expect(verdictOf({ estimate: 0.1, low: 0.05, high: 0.15 }, 0.05, false)).toBe('slower');
    expect(verdictOf({ estimate: -L, low: -L - 0.01, high: -L + 0.01 }, 0.05, true)).toBe('inconclusive');
  });

  it('keeps the defaults in one place', () => {
    expect(COMPARE_DEFAULTS).toEqual({ threshold: 0.05, alpha: 0.05, power: 0.8 });
  });
});

describe('paired metric, by hand', () => {
  it('d = ln(B/A) per pair; ratio exp(d̄) with the paired-t interval', () => {
    // B/A = e^0.1, e^0.2, e^0.3: d̄ = 0.2, s_d = 0.1, df 2, half-width t(0.975,2)·0.1/√3 = 0.248414
    const pairs = [0.1, 0.2, 0.3].map((d) => [1000, 1000 * Math.exp(d)] as const);
    const m = pairedMetric(pairs, { baseline: 1000, candidate: 1222 }, true);
    expect(m.n).toBe(3);
    expect(m.ratio).toBeCloseTo(Math.exp(0.2), 10);
    expect(m.ciLow).toBeCloseTo(Math.exp(0.2 - 0.248414), 5);
    expect(m.ciHigh).toBeCloseTo(Math.exp(0.2 + 0.248414), 5);
    expect(m.p).toBeCloseTo(0.07418, 5);
    expect(m.noise).toBeCloseTo(0.1, 10);
    // MDE 0.309651 in log space, as a fraction e^0.309651 − 1
    expect(m.detectable).toBeCloseTo(Math.expm1(0.309651), 5);
    expect(m.needed).toBe(35);
    expect(m.verdict).toBe('inconclusive');
    expect(inconclusiveNote(m, 'paired')).toBe(
      'the interval straddles ±5%: at the measured noise (10.0% per pair) 35 pairs would detect a 5% change (80% power); this run had 3',
    );
  });
});

describe('paired comparison of two configs of one run', () => {
  // Drift between reps of ±20% that both configs share, and B 10% slower within every rep (±0.5%).
  const drift = [1000, 1200, 850, 1100, 950, 1250];
  const jitter = [1.004, 0.996, 1.002, 0.998, 1.005, 0.995];
  const a = row('A', drift);
  const b = row(
    'B',
    drift.map((x, i) => x * 0.9 * (jitter[i] as number)),
  );

  it('finds a 10% slowdown that the drift hides from the two-run form', () => {
    const r = comparePaired([a, b], 'A', 'B');
    const g = r.groups[0];
    expect(r.mode).toBe('paired');
    expect(g).toMatchObject({ config: 'B', baselineConfig: 'A', verdict: 'slower' });
    expect(g?.tps.n).toBe(6);
    expect(g?.tps.ratio).toBeCloseTo(0.9, 2);
    expect(g?.tps.ciHigh).toBeLessThan(0.95);
    expect(g?.tps.detectable).toBeLessThan(0.02);
    expect(r.regressions).toBe(1);
    // The same numbers as two unpaired samples: the drift swamps the change.
    expect(compareRows([{ ...a, config: 'X' }], [{ ...b, config: 'X' }]).groups[0]?.verdict).toBe(
      'inconclusive',
    );
  });

  it('a profiled candidate against an unprofiled baseline is inconclusive, not slower', () => {
    const r = comparePaired([a, { ...b, profiled: true }], 'A', 'B');
    expect(r.groups[0]?.verdict).toBe('inconclusive');
    expect(r.groups[0]?.notes.join(' ')).toContain('perf record');
    expect(r.regressions).toBe(0);
    expect(r.inconclusive).toBe(1);
  });

  it('A against an identical A2 is no change', () => {
    const a2 = row(
      'A2',
      drift.map((x, i) => x * (jitter[i] as number)),
    );
    const g = comparePaired([a, a2], 'A', 'A2').groups[0];
    expect(g?.verdict).toBe('no-change');
  });

  it('pairs by rep: reps with one side missing are left out and noted', () => {
    const b4 = row('B', [900, 1080, 765, 990], {}, [1, 2, 3, 5]);
    const g = comparePaired([row('A', [1000, 1200, 850, 1100]), b4], 'A', 'B').groups[0];
    expect(g?.tps.n).toBe(3);
    expect(g?.notes.join(' ')).toContain('2 completed cell(s) without a partner');
  });

  it('1 pair: inconclusive, nothing can be decided', () => {
    const r = comparePaired([row('A', [1000]), row('B', [500])], 'A', 'B');
    expect(r.groups[0]?.verdict).toBe('inconclusive');
    expect(r.groups[0]?.notes.join(' ')).toContain('1 pair: nothing can be decided');
    expect(r.inconclusive).toBe(1);
  });

  it('a candidate cell that failed where the baseline completed is slower; a failed baseline cell is inconclusive', () => {
    const bFailed = row('B', [1000, 1200], { failedCells: [failed('B', 3)] });
    const r1 = comparePaired([row('A', [1000, 1200, 850]), bFailed], 'A', 'B');
    expect(r1.groups[0]?.verdict).toBe('slower');
    expect(r1.groups[0]?.notes.join(' ')).toContain('candidate cell(s) failed in rep(s) 3');
    const aFailed = row('A', [1000, 1200], { failedCells: [failed('A', 3)] });
    const r2 = comparePaired([aFailed, row('B', [1000, 1200, 850])], 'A', 'B');
    expect(r2.groups[0]?.verdict).toBe('inconclusive');
    expect(r2.groups[0]?.notes.join(' ')).toContain('baseline cell(s) failed');
  });

  it('renders verdict, ratio [CI], n, p, detectable and needed', () => {
    const r = comparePaired([a, b], 'A', 'B');
    const o = { baselineLabel: 'A (run)', candidateLabel: 'B (run)', info: ['config order: seed 7'] };
    const md = compareReporters.markdown(r, o);
    const g = r.groups[0];
    expect(md).toContain('🔴 slower | B vs A | readonly | 8 | 6 |');
    expect(md).toMatch(/\| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] \| < 0\.001 \| ±\d\.\d% \| \d+ \|/);
    expect(md).toContain('paired t-test');
    expect(md).toContain('config order: seed 7');
    const term = compareReporters.terminal(r, o);
    expect(term).toContain(`±${((g?.tps.detectable ?? 0) * 100).toFixed(1)}%`);
    expect(JSON.parse(compareReporters.json(r, o)).groups[0].tps.needed).toBe(g?.tps.needed);
  });
});
