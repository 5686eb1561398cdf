import { describe, expect, it } from 'vitest';
import { compareRows, verdictCounts } from '../../summarize/compare/compare.js';
import { defaultControl, driftInterval, UNPAIRED_LABEL } from '../../summarize/compare/drift.js';
import { compareExitLines } from '../../summarize/compare/exit.js';
import type { Row } from '../../summarize/model/row.js';
import {
  repsEachNeeded,
  repsPerSideNeeded,
  describe as stats,
  studentTQuantile,
} from '../../summarize/model/stats.js';
import { compareReporters } from '../../summarize/reporters/index.js';

/** A row of one config (readonly, 8 clients unless given) from per-rep TPS. */
function row(config: string, tps: number[], extra: Partial<Row> = {}): Row {
  const workload = extra.workload ?? 'readonly';
  return {
    config,
    workload,
    concurrency: 8,
    reconnect: false,
    isBaseline: config === 'direct',
    repsCompleted: tps.length,
    tps: stats(tps),
    latency: {
      source: 'merged-histograms',
      reps: tps.length,
      count: 1000,
      meanMs: 0.1,
      p50Ms: 0.1,
      p90Ms: 0.2,
      p95Ms: 0.3,
      p99Ms: 1e6 / stats(tps).mean,
      p999Ms: 1,
      maxMs: 2,
    },
    processed: 1000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: tps.map((t, i) => ({
      cellId: `${config}__${workload}__c8__r${i + 1}`,
      rep: i + 1,
      tps: t,
      p99Ms: 1e6 / t,
      processed: 100,
      failedTransactions: 0,
      outlier: false,
    })),
    ...extra,
  };
}

// Five reps of each config, about 1% apart: the runs below differ only by the factors applied.
const DIRECT = [68757, 67900, 69402, 68100, 68550];
const PROXY = [32600, 32100, 33050, 32400, 32800];
const times = (xs: number[], f: number) => xs.map((x) => x * f);

describe('two runs normalized by a control config (difference in differences)', () => {
  const baseline = [row('direct', DIRECT), row('proxy', PROXY)];

  it('a drift of +20% on the control and the candidate alike is no change', () => {
    const candidate = [row('direct', times(DIRECT, 1.2)), row('proxy', times(PROXY, 1.2))];
    const r = compareRows(baseline, candidate, { control: 'direct' });
    const proxy = r.groups.find((g) => g.config === 'proxy');
    expect(proxy?.drift?.kind).toBe('normalized');
    expect(proxy?.tps.ratio).toBeCloseTo(1, 12);
    expect(proxy?.tps.ciLow).toBeGreaterThan(1 / 1.05);
    expect(proxy?.tps.ciHigh).toBeLessThan(1.05);
    expect(proxy?.verdict).toBe('no-change');
    // What was divided out: the control's own ratio, and the candidate's before normalizing.
    if (proxy?.drift?.kind !== 'normalized') throw new Error('not normalized');
    expect(proxy.drift.drift.ratio).toBeCloseTo(1.2, 10);
    expect(proxy.drift.raw.ratio).toBeCloseTo(1.2, 10);
    expect(proxy.drift.raw.verdict).toBe('faster');
    expect(proxy.notes.join(' ')).toContain('normalized by the control direct, whose TPS moved 1.200x');
    // The control itself is the drift: shown, not counted.
    const direct = r.groups.find((g) => g.config === 'direct');
    expect(direct?.drift).toEqual({ kind: 'control', control: 'direct', byFailure: false });
    expect(direct?.verdict).toBe('faster');
    expect(verdictCounts(direct as NonNullable<typeof direct>)).toBe(false);
    expect(r).toMatchObject({ control: 'direct', regressions: 0, inconclusive: 0, unpaired: 0 });
  });

  it('the same drift without a control is an unpaired "faster" that does not count', () => {
    const r = compareRows([row('proxy', PROXY)], [row('proxy', times(PROXY, 1.2))]);
    const g = r.groups[0];
    expect(g?.verdict).toBe('faster');
    expect(g?.drift).toEqual({ kind: 'unpaired', byFailure: false });
    expect(r).toMatchObject({ regressions: 0, inconclusive: 0, unpaired: 1 });
    expect(r.control).toBeUndefined();
    const md = compareReporters.markdown(r, { baselineLabel: 'a', candidateLabel: 'b' });
    expect(md).toContain(`| 🟢 faster (${UNPAIRED_LABEL}) | proxy |`);
    expect(md).toContain(`1 ${UNPAIRED_LABEL}`);
    expect(md).toContain('0 faster');
    const term = compareReporters.terminal(r, { baselineLabel: 'a', candidateLabel: 'b' });
    expect(term).toContain(`faster (${UNPAIRED_LABEL})`);
    // A drift of -20% is not a regression either: the gate does not go red on drift alone.
    const down = compareRows([row('proxy', PROXY)], [row('proxy', times(PROXY, 0.8))]);
    expect(down.groups[0]?.verdict).toBe('slower');
    expect(down).toMatchObject({ regressions: 0, unpaired: 1 });
  });

  it('a real +30% on the candidate only, under a +20% drift, is faster by 1.3', () => {
    const candidate = [row('direct', times(DIRECT, 1.2)), row('proxy', times(PROXY, 1.2 * 1.3))];
    const r = compareRows(baseline, candidate, { control: 'direct' });
    const g = r.groups.find((x) => x.config === 'proxy');
    expect(g?.tps.ratio).toBeCloseTo(1.3, 10);
    expect(g?.tps.ciLow).toBeGreaterThan(1.05);
    expect(g?.verdict).toBe('faster');
    expect(verdictCounts(g as NonNullable<typeof g>)).toBe(true);
    // p99 is normalized the same way (lower is better): 1/1.3 of the baseline's, after the drift.
    expect(g?.p99?.ratio).toBeCloseTo(1 / 1.3, 10);
    expect(g?.p99?.verdict).toBe('faster');
  });

  it('a real -30% hidden by a +20% drift is slower, and a regression', () => {
    const candidate = [row('direct', times(DIRECT, 1.2)), row('proxy', times(PROXY, 1.2 * 0.7))];
    const raw = compareRows(baseline, candidate).groups.find((x) => x.config === 'proxy');
    expect(raw?.tps.ratio).toBeCloseTo(0.84, 10);
    const r = compareRows(baseline, candidate, { control: 'direct' });
    const g = r.groups.find((x) => x.config === 'proxy');
    expect(g?.tps.ratio).toBeCloseTo(0.7, 10);
    expect(g?.verdict).toBe('slower');
    expect(r.regressions).toBe(1);
    const md = compareReporters.markdown(r, { baselineLabel: 'a', candidateLabel: 'b' });
    expect(md).toContain('**1 regression**');
    expect(md).toContain('normalized by the control config `direct`');
    expect(md).toContain('| 🔴 slower | proxy |');
    expect(md).toContain('⚪ control: the drift (faster, not counted) | direct |');
    const j = JSON.parse(compareReporters.json(r, { baselineLabel: 'a', candidateLabel: 'b' }));
    expect(j).toMatchObject({ control: 'direct', regressions: 1, unpaired: 0 });
    expect(j.groups[1].drift).toMatchObject({ kind: 'normalized', control: 'direct' });
    expect(j.groups[1].drift.drift.ratio).toBeCloseTo(1.2, 10);
  });

  it('the interval combines both ratios: the four samples variances add, Welch–Satterthwaite df', () => {
    const ln = (xs: number[]) => xs.map((x) => Math.log(x));
    const x = { baseline: ln([100, 104, 98]), candidate: ln([130, 120, 126, 128]) };
    const c = { baseline: ln([200, 190, 205]), candidate: ln([240, 250, 236]) };
    const m = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = (xs: number[]) => xs.reduce((a, b) => a + (b - m(xs)) ** 2, 0) / (xs.length - 1) / xs.length;
    const samples = [x.candidate, x.baseline, c.candidate, c.baseline];
    const se2 = samples.reduce((a, s) => a + v(s), 0);
    const df = se2 ** 2 / samples.reduce((a, s) => a + v(s) ** 2 / (s.length - 1), 0);
    const estimate = m(x.candidate) - m(x.baseline) - (m(c.candidate) - m(c.baseline));
    const iv = driftInterval(x, c, 0.05);
    expect(iv.estimate).toBeCloseTo(estimate, 14);
    expect(iv.se).toBeCloseTo(Math.sqrt(se2), 14);
    expect(iv.df).toBeCloseTo(df, 10);
    const half = studentTQuantile(0.975, df) * Math.sqrt(se2);
    expect(iv.low).toBeCloseTo(estimate - half, 10);
    expect(iv.high).toBeCloseTo(estimate + half, 10);
    // Wider than the candidate's own Welch interval: the control's uncertainty is added, not hidden.
    const own = Math.sqrt(v(x.candidate) + v(x.baseline));
    expect(iv.se).toBeGreaterThan(own);
    // One rep in any of the four samples: the estimate, no interval.
    const one = driftInterval({ ...x, candidate: [Math.log(130)] }, c);
    expect(one.estimate).toBeCloseTo(Math.log(130) - m(x.baseline) - (m(c.candidate) - m(c.baseline)), 14);
    expect(one.low).toBeNaN();
  });

  it('reps needed grow with the control noise added', () => {
    const effect = Math.log1p(0.05);
    const alone = repsEachNeeded([0.05, 0.05], effect);
    expect(alone).toBe(repsPerSideNeeded(0.05, 0.05, effect));
    const withControl = repsEachNeeded([0.05, 0.05, 0.05, 0.05], effect);
    expect(withControl).toBeGreaterThan(alone);
    expect(repsEachNeeded([0.05, Number.NaN, 0.05, 0.05], effect)).toBeNaN();
  });

  it('a group whose control is missing for its workload is unpaired, and says why', () => {
    const base = [...baseline, row('proxy', PROXY, { workload: 'tpcb' })];
    const cand = [
      row('direct', times(DIRECT, 1.2)),
      row('proxy', times(PROXY, 1.2)),
      row('proxy', times(PROXY, 1.2), { workload: 'tpcb' }),
    ];
    const r = compareRows(base, cand, { control: 'direct' });
    const tpcb = r.groups.find((g) => g.workload === 'tpcb');
    expect(tpcb?.drift?.kind).toBe('unpaired');
    expect(tpcb?.notes.join(' ')).toContain(
      'the control direct has no tpcb / 8 clients results in both runs',
    );
    expect(r).toMatchObject({ unpaired: 1, regressions: 0 });
    expect(compareReporters.markdown(r, { baselineLabel: 'a', candidateLabel: 'b' })).toContain(
      `1 group ${UNPAIRED_LABEL} (no control config in both runs for that workload and concurrency)`,
    );
  });

  it('an unpaired candidate that failed where the baseline did not is still a regression', () => {
    const r = compareRows([row('proxy', PROXY)], [row('proxy', PROXY, { failedTransactions: 3 })]);
    expect(r.groups[0]?.drift).toEqual({ kind: 'unpaired', byFailure: true });
    expect(r).toMatchObject({ regressions: 1, unpaired: 0 });
    expect(compareReporters.markdown(r, { baselineLabel: 'a', candidateLabel: 'b' })).toContain(
      '| 🔴 slower | proxy |',
    );
  });

  it('an unpaired inconclusive group is counted as inconclusive, labelled', () => {
    const r = compareRows([row('proxy', [1000])], [row('proxy', [1200])]);
    expect(r).toMatchObject({ inconclusive: 1, unpaired: 0 });
    expect(compareReporters.terminal(r, { baselineLabel: 'a', candidateLabel: 'b' })).toContain(
      `inconclusive (${UNPAIRED_LABEL})`,
    );
  });
});

describe('the default control', () => {
  it('is the matrix baseline when both runs have it next to another config', () => {
    const base = [row('direct', DIRECT), row('proxy', PROXY)];
    expect(defaultControl(base, [row('direct', DIRECT), row('proxy', PROXY)])).toBe('direct');
    expect(defaultControl(base, [row('proxy', PROXY)])).toBeUndefined();
    // The baseline alone in both runs normalizes nothing: it is compared, unpaired.
    expect(defaultControl([row('direct', DIRECT)], [row('direct', DIRECT)])).toBeUndefined();
    expect(defaultControl([row('proxy', PROXY)], [row('proxy', PROXY)])).toBeUndefined();
  });
});

describe('the exit message of bench compare', () => {
  it('names the control in every line, and the unpaired groups for what they are', () => {
    const normalized = compareExitLines(
      { regressions: 1, inconclusive: 2, unpaired: 0, control: 'direct' },
      false,
    );
    expect(normalized).toHaveLength(2);
    for (const l of normalized) expect(l).toContain('normalized by the control config direct');
    expect(
      compareExitLines({ regressions: 0, inconclusive: 0, unpaired: 0, control: 'direct' }, false),
    ).toEqual([
      "no regression (two runs normalized by the control config direct: each ratio divided by direct's ratio between the runs)",
    ]);
    const unpaired = compareExitLines({ regressions: 0, inconclusive: 0, unpaired: 3 }, true);
    expect(unpaired).toEqual([
      `3 group(s) ${UNPAIRED_LABEL}: their faster / slower / no-change could be the drift, so it is not conclusive (name a config both runs ran with --control-config, or compare two configs of one run); allowed by --allow-inconclusive`,
    ]);
    expect(compareExitLines({ regressions: 0, inconclusive: 0, unpaired: 0 }, false, true)).toEqual([]);
  });
});
