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

  it('centres each latency interval on the average over reps it is computed from, in the table and the plot', () => {
    // Per-rep mean and p99 latency; the merged figures (the row's) differ from their averages.
    const withLatency = (r: Row, meanMs: number[], p99Ms: number[], merged: [number, number]) =>
      ({
        ...r,
        latency: { meanMs: merged[0], p99Ms: merged[1] },
        samples: r.samples.map((x, i) => ({ ...x, latencyMeanMs: meanMs[i], p99Ms: p99Ms[i] })),
      }) as unknown as Row;
    const rows = [
      withLatency(row(2, [500, 510, 470]), [32, 31, 34], [60, 58, 70], [32.3, 80]),
      withLatency(row(5, [1200, 1180, 1110]), [13, 13.5, 14.4], [30, 29, 35], [13.6, 40]),
      row(10, [1500, 1490, 1395]),
    ];
    const sweeps = sweepSeries(rows, configs);
    const [s] = sweeps;
    const first = s?.points[0]?.latency;
    expect(first?.reps).toBe(3);
    // The centre is the reps' average, not the merged 32.3 and 80.
    expect(first?.repMeanMs).toBeCloseTo(97 / 3, 10);
    expect(first?.repP99Ms).toBeCloseTo(188 / 3, 10);
    // t(0.975, 2) · s / √3 of [32, 31, 34]: s = 1.528, half-width 3.794.
    expect(first?.repMeanCi95).toBeCloseTo(3.794, 2);
    // [60, 58, 70]: s = 6.429, half-width 15.97.
    expect(first?.repP99Ci95).toBeCloseTo(15.97, 1);
    expect(s?.points[2]?.latency).toBeUndefined();
    const doc = JSON.parse(json(rows, { warnings: [], sweeps }));
    const cols = sweepTable.columns([], {} as never);
    const lines = sweepLines(sweeps);
    for (const header of ['mean ms (avg of reps)', 'mean 95% CI', 'p99 ms (avg of reps)', 'p99 95% CI']) {
      const col = cols.find((c) => c.header === header);
      if (!col?.pointer || !col.value) throw new Error(`no column ${header}`);
      for (const l of lines.slice(0, 2)) {
        const ptr = col.pointer(l) ?? '';
        expect(ptr, header).toMatch(/^\/sweeps\/0\/points\/[01]\/latency\//);
        expect(resolve(doc, ptr), `${header} ${ptr}`).toBe(col.value(l));
      }
      // A value without latency shows – and points nowhere.
      expect(col.text(lines[2] as (typeof lines)[number])).toBe('–');
      expect(col.pointer(lines[2] as (typeof lines)[number])).toBeUndefined();
    }
    const text = (header: string) =>
      cols.find((c) => c.header === header)?.text(lines[0] as (typeof lines)[number]);
    expect([text('mean ms (avg of reps)'), text('mean 95% CI')]).toEqual(['32.3', '± 3.79']);
    expect(text('p99 ms (avg of reps)')).toBe('62.7');
    const jobs = sweepJobs(sweeps);
    expect(jobs.map((j) => j.name)).toEqual([
      'sweep-default_pool_size-tpcb.svg',
      'sweep-latency-default_pool_size-tpcb.svg',
    ]);
    const values =
      (jobs[1]?.spec as { data?: { values: Array<Record<string, unknown>> } } | undefined)?.data?.values ??
      [];
    expect(values).toHaveLength(4);
    // The bar is centred on the drawn point.
    const p99 = values[1] as { value: number; stat: string; ms: number; low: number; high: number };
    expect(p99).toMatchObject({ value: 2, stat: 'p99' });
    expect(p99.ms).toBeCloseTo(188 / 3, 10);
    expect((p99.low + p99.high) / 2).toBeCloseTo(p99.ms, 10);
    expect(p99.high - p99.ms).toBeCloseTo(first?.repP99Ci95 ?? Number.NaN, 10);
    // Rows without per-transaction latency: no latency plot.
    expect(sweepJobs(sweepSeries(knee, configs)).map((j) => j.name)).toEqual([
      'sweep-default_pool_size-tpcb.svg',
    ]);
  });

  it('pairs values that are not numbers against the first, in the file order, and names no knee', () => {
    const pipeline = ['performance', 'session', 'transaction'];
    const named = pipeline.map((v) => ({
      name: `agroal-pipeline-${v}`,
      kind: 'proxy',
      sweep: { of: 'agroal', values: { pipeline: v } },
    }));
    const rows = [
      [1000, 1010, 940],
      [1005, 1000, 950],
      [700, 707, 658],
    ].map((reps, i) => ({ ...row(0, reps), config: `agroal-pipeline-${pipeline[i]}` }) as Row);
    const sweeps = sweepSeries(rows, named);
    const [s] = sweeps;
    expect(s?.ordered).toBe(false);
    expect(s?.verdict).toBe('unordered');
    expect(s?.knee).toBeUndefined();
    expect(s?.points.map((p) => p.value)).toEqual(pipeline);
    expect(s?.steps.map((st) => [st.from, st.to, st.withinNoise, st.why])).toEqual([
      ['performance', 'session', true, 'small-gain'],
      ['performance', 'transaction', true, 'drop'],
    ]);
    const [sentence] = sweepSentences(sweeps);
    expect(sentence?.text).toMatch(
      /^Sweep of pipeline for agroal, tpcb at 16 clients: the values are not numbers, so they have no order and no knee is named; against performance \(983 tps\), session is 1\.0\dx \(95% CI [^)]+\), within the noise; transaction is 0\.70x \(95% CI [^)]+\), lower, beyond the noise\.$/,
    );
    expect(sentence?.text).not.toMatch(/the knee is|larger values/);
    const doc = JSON.parse(json(rows, { warnings: [], sweeps }));
    for (const n of sentence?.numbers ?? []) expect(resolve(doc, n.pointer), n.pointer).toBe(n.value);
    // The table puts each step on the line of the value it compares with the first; no knee.
    const cols = sweepTable.columns([], {} as never);
    const lines = sweepLines(sweeps);
    expect(lines.map((l) => [l.point.value, l.step?.from, l.step?.to, l.stepIndex])).toEqual([
      ['performance', undefined, undefined, undefined],
      ['session', 'performance', 'session', 0],
      ['transaction', 'performance', 'transaction', 1],
    ]);
    const ratio = cols.find((c) => c.header === 'TPS ratio');
    expect(lines.map((l) => ratio?.pointer?.(l))).toEqual([
      undefined,
      '/sweeps/0/steps/0/ratio',
      '/sweeps/0/steps/1/ratio',
    ]);
    expect(lines.map((l) => cols.find((c) => c.header === 'step')?.text(l))).toEqual([
      '',
      'session / performance',
      'transaction / performance',
    ]);
    expect(lines.map((l) => cols.find((c) => c.header === 'knee')?.text(l))).toEqual(['', '', '']);
    // The plot keeps the file order, draws points only, and rings nothing.
    const spec = sweepJobs(sweeps)[0]?.spec as {
      layer: Array<{ mark: { type: string }; encoding: { x: Record<string, unknown> } }>;
      data: { values: Array<{ knee: boolean }> };
    };
    expect(spec.layer[0]?.mark.type).toBe('point');
    expect(spec.layer[0]?.encoding.x).toMatchObject({ type: 'nominal', sort: null });
    expect(spec.data.values.some((v) => v.knee)).toBe(false);
  });

  it("keeps a mix's groups and its total apart: one series each", () => {
    const mix = (size: number, reps: number[], group?: string) =>
      ({ ...row(size, reps), workload: 'mix', ...(group ? { group } : {}) }) as Row;
    const rows = [
      mix(2, [500, 510, 470]),
      mix(2, [100, 102, 94], 'oltp'),
      mix(2, [400, 408, 376], 'report'),
      mix(5, [1000, 1020, 940]),
      mix(5, [300, 306, 282], 'oltp'),
      mix(5, [700, 714, 658], 'report'),
    ];
    const sweeps = sweepSeries(rows, configs);
    expect(sweeps.map((s) => [s.group, s.points.map((p) => p.rowIndex)])).toEqual([
      [undefined, [0, 3]],
      ['oltp', [1, 4]],
      ['report', [2, 5]],
    ]);
    expect(sweeps.map((s) => s.points.length)).toEqual([2, 2, 2]);
    expect(sweepSentences(sweeps).map((x) => x.text.split(':')[0])).toEqual([
      'Sweep of default_pool_size for pool, mix at 16 clients',
      'Sweep of default_pool_size for pool, mix group oltp at 16 clients',
      'Sweep of default_pool_size for pool, mix group report at 16 clients',
    ]);
    const workload = sweepTable.columns([], {} as never).find((c) => c.header === 'workload');
    expect(sweepLines(sweeps).map((l) => workload?.text(l))).toEqual([
      'mix',
      'mix',
      'mix (group oltp)',
      'mix (group oltp)',
      'mix (group report)',
      'mix (group report)',
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
