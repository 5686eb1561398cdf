import { describe, expect, it } from 'vitest';
import { sweepJobs } from '../../summarize/figures/sweep/plots.js';
import { sweepSentences } from '../../summarize/figures/sweep/sentences.js';
import { sweepLines, sweepTable } from '../../summarize/figures/sweep/table.js';
import type { Row } from '../../summarize/model/row.js';
import { kneeOf, type SweepStep, sweepSeries } from '../../summarize/model/sweep.js';
import { json } from '../../summarize/reporters/json.js';

/** A row of one swept config with these per-rep TPS figures. */
function row(size: number, reps: number[], concurrency = 16): Row {
  const mean = reps.reduce((a, b) => a + b, 0) / reps.length;
  const sd = Math.sqrt(reps.reduce((a, b) => a + (b - mean) ** 2, 0) / (reps.length - 1));
  return {
    config: `pool-default_pool_size-${size}`,
    workload: 'tpcb',
    concurrency,
    tps: { n: reps.length, mean, cv: sd / mean },
    samples: reps.map((tps, i) => ({ rep: i + 1, tps, outlier: false })),
    repsCompleted: reps.length,
    processed: 0,
    failedTransactions: 0,
    connectionErrors: 0,
    failedCells: [],
    skippedCells: [],
  } as unknown as Row;
}

const configs = [2, 5, 10, 20].map((n) => ({
  name: `pool-default_pool_size-${n}`,
  kind: 'pgbouncer',
  sweep: { of: 'pool', values: { default_pool_size: n } },
}));

function resolve(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

describe('setting sweeps', () => {
  // Drift shared by every config in a rep (rep 3 is slower for all): pairing cancels it.
  const knee = [
    row(20, [1510, 1490, 1400]),
    row(2, [500, 510, 470]),
    row(5, [1200, 1180, 1110]),
    row(10, [1500, 1490, 1395]),
  ];

  it('orders the values, pairs each step rep by rep, and names the knee where gains fall within the noise', () => {
    const [s] = sweepSeries(knee, configs);
    expect(s?.points.map((p) => p.value)).toEqual([2, 5, 10, 20]);
    expect(s?.steps.map((st) => st.withinNoise)).toEqual([false, false, true]);
    expect(s?.verdict).toBe('knee');
    expect(s?.points[s.knee ?? -1]?.value).toBe(10);
    const lines = sweepLines(s ? [s] : []);
    expect(lines.map((l) => [l.point.value, l.step?.to])).toEqual([
      [2, 5],
      [5, 10],
      [10, 20],
      [20, undefined],
    ]);
    expect(sweepJobs(s ? [s] : []).map((j) => j.name)).toEqual(['sweep-default_pool_size-tpcb.svg']);
  });

  it('says no knee was found when the last step still gains beyond the noise', () => {
    const rows = [row(2, [500, 510, 470]), row(5, [1000, 1020, 940]), row(10, [1500, 1560, 1400])];
    const [s] = sweepSeries(rows, configs);
    expect(s?.verdict).toBe('none');
    expect(sweepSentences(s ? [s] : [])[0]?.text).toMatch(
      /^Sweep of default_pool_size for pool, tpcb at 16 clients: no knee was found: throughput still grows from 5 to 10, 1\.5\dx \(95% CI 1\.\d\d–1\.\d\d; noise \d\.\d%\), beyond the noise; try larger values\.$/,
    );
  });

  it('calls a significant fall a fall at the knee, never "within the noise"', () => {
    const rows = [row(2, [1000, 1010, 940]), row(5, [700, 707, 658])];
    const [s] = sweepSeries(rows, configs);
    expect(s?.steps[0]?.why).toBe('drop');
    expect(s?.verdict).toBe('knee');
    const text = sweepSentences(s ? [s] : [])[0]?.text ?? '';
    expect(text).toContain('throughput falls');
    expect(text).not.toContain('within the noise');
  });

  it('leaves out a value whose cells did not all complete', () => {
    const failed = {
      ...row(5, [1200, 1180, 1110]),
      failedCells: [{ cellId: 'x', rep: 1, state: 'failed', reason: 'r' }],
    } as unknown as Row;
    const [s] = sweepSeries([row(2, [500, 510, 470]), failed, row(10, [1500, 1490, 1395])], configs);
    expect(s?.points.map((p) => p.value)).toEqual([2, 10]);
  });

  it('cannot name a knee from one rep per value, and says why', () => {
    const [s] = sweepSeries(
      [row(2, [500]), row(5, [900])].map((r) => ({ ...r, tps: { ...r.tps, cv: Number.NaN } })),
      configs,
    );
    expect(s?.verdict).toBe('undetermined');
    expect(sweepSentences(s ? [s] : [])[0]?.text).toContain(
      'has 1 paired rep(s), and a paired interval needs 2 or more',
    );
  });

  it('gives a knee only when every later step is within the noise', () => {
    const st = (withinNoise?: boolean) => ({ withinNoise }) as SweepStep;
    expect(kneeOf([st(false), st(true), st(true)])).toEqual({ verdict: 'knee', knee: 1 });
    expect(kneeOf([st(true), st(false), st(true)])).toEqual({ verdict: 'knee', knee: 2 });
    expect(kneeOf([st(true), st(true), st(false)])).toEqual({ verdict: 'none' });
    expect(kneeOf([st(true), st(undefined)])).toEqual({ verdict: 'undetermined' });
  });

  it('puts latency (merged mean and p99, with rep-to-rep intervals) against the value in the table and a plot', () => {
    // Per-rep mean and p99 latency; the merged figures are the row's own.
    const withLatency = (r: Row, meanMs: number[], p99Ms: number[], merged: [number, number]) =>
      ({
        ...r,
        latency: { meanMs: merged[0], p99Ms: merged[1] },
        samples: r.samples.map((x, i) => ({ ...x, latencyMeanMs: meanMs[i], p99Ms: p99Ms[i] })),
      }) as unknown as Row;
    const rows = [
      withLatency(row(2, [500, 510, 470]), [32, 31, 34], [60, 58, 70], [32.3, 64]),
      withLatency(row(5, [1200, 1180, 1110]), [13, 13.5, 14.4], [30, 29, 35], [13.6, 31]),
      row(10, [1500, 1490, 1395]),
    ];
    const sweeps = sweepSeries(rows, configs);
    const [s] = sweeps;
    const first = s?.points[0]?.latency;
    expect(first?.meanMs).toBe(32.3);
    expect(first?.p99Ms).toBe(64);
    // t(0.975, 2) · s / √3 of [32, 31, 34]: s = 1.528, half-width 3.794.
    expect(first?.meanCi95).toBeCloseTo(3.794, 2);
    expect(s?.points[2]?.latency).toBeUndefined();
    const doc = JSON.parse(json(rows, { warnings: [], sweeps }));
    const cols = sweepTable.columns([], {} as never);
    const lines = sweepLines(sweeps);
    for (const header of ['mean ms', 'mean 95% CI', 'p99 ms', 'p99 95% CI']) {
      const col = cols.find((c) => c.header === header);
      if (!col?.pointer || !col.value) throw new Error(`no column ${header}`);
      for (const l of lines.slice(0, 2)) {
        const ptr = col.pointer(l) ?? '';
        expect(resolve(doc, ptr), `${header} ${ptr}`).toBe(col.value(l));
      }
      // A value without latency shows – and points nowhere.
      expect(col.text(lines[2] as (typeof lines)[number])).toBe('–');
      expect(col.pointer(lines[2] as (typeof lines)[number])).toBeUndefined();
    }
    expect(cols.find((c) => c.header === 'mean 95% CI')?.text(lines[0] as (typeof lines)[number])).toBe(
      '± 3.79',
    );
    const jobs = sweepJobs(sweeps);
    expect(jobs.map((j) => j.name)).toEqual([
      'sweep-default_pool_size-tpcb.svg',
      'sweep-latency-default_pool_size-tpcb.svg',
    ]);
    const values =
      (jobs[1]?.spec as { data?: { values: Array<Record<string, unknown>> } } | undefined)?.data?.values ??
      [];
    expect(values).toHaveLength(4);
    expect(values[1]).toMatchObject({ value: 2, stat: 'p99', ms: 64 });
    expect(values[1]?.low).toBeLessThan(64);
    // Rows without per-transaction latency: no latency plot.
    expect(sweepJobs(sweepSeries(knee, configs)).map((j) => j.name)).toEqual([
      'sweep-default_pool_size-tpcb.svg',
    ]);
  });

  it('puts the series in summary.json, and every number of every sentence is at its pointer there', () => {
    const sweeps = sweepSeries(knee, configs);
    const doc = JSON.parse(json(knee, { warnings: [], sweeps }));
    const sentences = sweepSentences(sweeps);
    expect(sentences[0]?.text).toMatch(/the knee is default_pool_size 10 \(1,462 tps\); from there to 20/);
    for (const s of sentences)
      for (const n of s.numbers) expect(resolve(doc, n.pointer), `${s.text} ${n.pointer}`).toBe(n.value);
    // No sweeps, no key: summary.json of other runs is unchanged.
    expect(JSON.parse(json(knee, { warnings: [] }))).not.toHaveProperty('sweeps');
  });
});
