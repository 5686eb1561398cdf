import { describe, expect, it } from 'vitest';
import { parseCostJsonl } from '../../src/results/cost-read.js';
import { buildCostRows } from '../../summarize/model/cost-rows.js';
import { costStat, slope } from '../../summarize/model/cost-slope.js';
import { costConfig, costRecord } from '../helpers/cost-records.js';

describe('slope', () => {
  it('is the difference quotient with two points and least squares with more', () => {
    expect(
      slope([
        [2000, 28_580_304],
        [4000, 38_129_678],
      ]),
    ).toBeCloseTo(4774.687, 3);
    expect(
      slope([
        [1, 1],
        [2, 3],
        [3, 2],
      ]),
    ).toBeCloseTo(0.5, 12);
  });
  it('is NaN without two distinct x', () => {
    expect(slope([[5, 1]])).toBeNaN();
    expect(
      slope([
        [5, 1],
        [5, 9],
      ]),
    ).toBeNaN();
  });
});

describe('costStat', () => {
  it('is the mean and (max − min) / mean in percent', () => {
    const s = costStat([100, 101, 99]);
    expect(s.mean).toBe(100);
    expect(s.spreadPct).toBeCloseTo(2, 12);
  });
  it('cannot show a spread with one repeat', () => {
    expect(costStat([100]).spreadPct).toBeNaN();
  });
});

describe('buildCostRows', () => {
  it('gives the per-transaction slope of every figure, the fixed start-up cancelled', () => {
    const [row, ...rest] = buildCostRows(
      costConfig({ config: 'A', instructionsPerTx: 321, syscallsPerTx: 4 }),
    );
    expect(rest).toHaveLength(0);
    expect(row?.component).toBe('proxy');
    expect(row?.transactions).toEqual([2000, 6000]);
    expect(row?.figures.instructions_per_tx?.mean).toBeCloseTo(321, 9);
    expect(row?.figures.instructions_per_tx?.spreadPct).toBeCloseTo(0, 9);
    expect(row?.figures.instructions_per_tx?.perRepeat).toHaveLength(3);
    expect(row?.figures.syscalls_per_tx?.mean).toBeCloseTo(4, 9);
    expect(row?.figures.context_switches_per_tx?.mean).toBeCloseTo(2, 9);
    expect(row?.figures.cpu_us_per_tx?.mean).toBeCloseTo(10, 9);
    expect(row?.figures.page_faults_per_tx?.mean).toBeCloseTo(0, 9);
  });

  it('measures the spread over repeats', () => {
    const [row] = buildCostRows(
      costConfig({ config: 'A', instructionsPerTx: 1000, jitter: [0, 0.01, -0.01] }),
    );
    expect(row?.figures.instructions_per_tx?.spreadPct).toBeCloseTo(2, 6);
  });

  it('keeps the failed cells apart and counts the rest', () => {
    const recs = costConfig({ config: 'A', instructionsPerTx: 500 });
    const broken = costRecord({
      config: 'A',
      method: 'valgrind',
      transactions: 6000,
      repeat: 4,
      state: 'failed',
      reason: 'the proxy never listened under valgrind',
      components: [{ component: 'proxy', processes: 0 }],
    });
    const [row] = buildCostRows([...recs, broken]);
    expect(row?.failures).toEqual([
      { id: broken.id, repeat: 4, method: 'valgrind', reason: 'the proxy never listened under valgrind' },
    ]);
    expect(row?.figures.instructions_per_tx?.perRepeat).toHaveLength(3);
  });

  it('ranks functions by instructions per transaction and says whether they are symbolized', () => {
    const [row] = buildCostRows(
      costConfig({
        config: 'A',
        instructionsPerTx: 500,
        functions: [
          { fn: 'relay_loop', perTx: 300 },
          { fn: 'memcpy', perTx: 100 },
        ],
      }),
    );
    expect(row?.functions.map((f) => [f.fn, Math.round(f.instructionsPerTx), f.repeats])).toEqual([
      ['relay_loop', 300, 3],
      ['memcpy', 100, 3],
    ]);
    expect(row?.symbolized).toBe(true);
  });

  it('makes one row per component and per workload', () => {
    const rows = buildCostRows([
      ...costConfig({ config: 'B', component: 'pgbouncer', instructionsPerTx: 4774 }),
      ...costConfig({ config: 'B', workload: 'tpcb', component: 'pgbouncer', instructionsPerTx: 9000 }),
    ]);
    expect(rows.map((r) => `${r.config}/${r.workload}/${r.component}`)).toEqual([
      'B/readonly/pgbouncer',
      'B/tpcb/pgbouncer',
    ]);
  });
});

describe('parseCostJsonl', () => {
  it('skips a truncated last line and a foreign line with a warning naming the line', () => {
    const rec = costRecord({ config: 'A', method: 'perf', transactions: 2000, repeat: 1, components: [] });
    const text = `${JSON.stringify(rec)}\n{"kind":"cell"}\n{"schema":1,"kind":"co`;
    const { records, warnings } = parseCostJsonl(text, 'cost.jsonl');
    expect(records.map((r) => r.id)).toEqual([rec.id]);
    expect(warnings).toEqual([
      expect.stringMatching(/^cost\.jsonl:2: not a cost record/),
      'cost.jsonl:3: truncated last line skipped (the run was probably killed mid-write)',
    ]);
  });
  it('keeps the last record of a retried id', () => {
    const a = costRecord({
      config: 'A',
      method: 'perf',
      transactions: 2000,
      repeat: 1,
      components: [],
      state: 'failed',
    });
    const b = { ...a, state: 'completed' as const };
    expect(parseCostJsonl(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`, 'f').records[0]?.state).toBe(
      'completed',
    );
  });
});
