import { describe, expect, it } from 'vitest';
import { changedFunctions, compareCost, costVerdict } from '../../summarize/compare/cost.js';
import { buildCostRows } from '../../summarize/model/cost-rows.js';
import { costConfig } from '../helpers/cost-records.js';

const exact = (mean: number) => ({ mean, spreadPct: 0.001 });

describe('costVerdict', () => {
  it('calls a 1.2 % increase slower and a 1.2 % decrease faster at a 1 % threshold', () => {
    expect(costVerdict(exact(1000), exact(1012), 0.01).verdict).toBe('slower');
    expect(costVerdict(exact(1000), exact(988), 0.01).verdict).toBe('faster');
  });
  it('calls a change of exactly the threshold slower, whatever the rounding of the ratio', () => {
    for (const base of [1000, 4774, 6156, 27983.2])
      expect(costVerdict(exact(base), exact(base * 1.01), 0.01).verdict).toBe('slower');
    expect(costVerdict(exact(4774), exact(4774 * 1.0099), 0.01).verdict).toBe('no-change');
  });
  it('calls a 0.5 % change no change', () => {
    expect(costVerdict(exact(1000), exact(1005), 0.01).verdict).toBe('no-change');
  });
  it('is inconclusive when a side’s repeats disagree by more than the threshold', () => {
    const v = costVerdict({ mean: 1000, spreadPct: 1.5 }, exact(1100), 0.01);
    expect(v.verdict).toBe('inconclusive');
    expect(v.note).toMatch(/disagree by 1\.50%/);
  });
  it('is inconclusive when the change is beyond the threshold but inside the combined spread', () => {
    expect(costVerdict({ mean: 1000, spreadPct: 0.9 }, { mean: 1015, spreadPct: 0.9 }, 0.01).verdict).toBe(
      'inconclusive',
    );
  });
  it('is inconclusive with one repeat on a side', () => {
    expect(costVerdict({ mean: 1000, spreadPct: Number.NaN }, exact(2000), 0.01).verdict).toBe(
      'inconclusive',
    );
  });
});

describe('compareCost', () => {
  const fns = (extra: number) => [
    { fn: 'relay_loop', perTx: 300 + extra },
    { fn: 'memcpy', perTx: 20 },
  ];
  const a = buildCostRows(costConfig({ config: 'A', instructionsPerTx: 321, functions: fns(0) }));
  const a2 = buildCostRows(costConfig({ config: 'A2', instructionsPerTx: 321, functions: fns(0) }));
  const b = buildCostRows(
    costConfig({ config: 'B', instructionsPerTx: 325, syscallsPerTx: 6, functions: fns(4) }),
  );

  it('finds no change on an A/A pair and exits clean', () => {
    const r = compareCost(a, a2);
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]?.figures.find((f) => f.figure === 'instructions_per_tx')?.verdict).toBe('no-change');
    expect(r.regressions).toBe(0);
    expect(r.inconclusive).toBe(0);
  });

  it('counts a slower gating figure as a regression, and lists the function that changed', () => {
    const r = compareCost(a, b);
    const ins = r.groups[0]?.figures.find((f) => f.figure === 'instructions_per_tx');
    expect(ins?.verdict).toBe('slower');
    expect(ins?.delta).toBeCloseTo(4, 6);
    expect(r.groups[0]?.figures.find((f) => f.figure === 'syscalls_per_tx')?.verdict).toBe('slower');
    expect(r.regressions).toBe(2);
    expect(r.groups[0]?.functions.map((f) => f.fn)).toEqual(['relay_loop']);
  });

  it('does not gate on the noisier perf figures', () => {
    const r = compareCost(a, b);
    expect(r.groups[0]?.figures.filter((f) => f.gating).map((f) => f.figure)).toEqual([
      'instructions_per_tx',
      'syscalls_per_tx',
    ]);
  });

  it('lists components present on one side only', () => {
    const pgb = buildCostRows(costConfig({ config: 'B', component: 'pgbouncer', instructionsPerTx: 4774 }));
    const r = compareCost(a, pgb);
    expect(r.unmatched.map((u) => u.side)).toEqual(['baseline-only', 'candidate-only']);
    // The candidate lacks figures the baseline has (its cost cells failed or never ran): a regression.
    expect(r.regressions).toBe(1);
  });
});

describe('changedFunctions', () => {
  it('orders by absolute change and marks a function missing on one side', () => {
    const [b] = buildCostRows(
      costConfig({
        config: 'A',
        instructionsPerTx: 1,
        functions: [
          { fn: 'x', perTx: 10 },
          { fn: 'y', perTx: 5 },
        ],
      }),
    );
    const [c] = buildCostRows(
      costConfig({
        config: 'B',
        instructionsPerTx: 1,
        functions: [
          { fn: 'x', perTx: 8 },
          { fn: 'z', perTx: 7 },
        ],
      }),
    );
    if (!b || !c) throw new Error('rows');
    expect(
      changedFunctions(b, c).map((f) => [
        f.fn,
        f.baseline === null,
        f.candidate === null,
        Math.round(f.delta),
      ]),
    ).toEqual([
      ['z', true, false, 7],
      ['y', false, true, -5],
      ['x', false, false, -2],
    ]);
  });
});
