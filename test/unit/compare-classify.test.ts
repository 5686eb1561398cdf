import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/commands/compare.js';
import { compareRows } from '../../summarize/compare/compare.js';
import type { Row } from '../../summarize/model/row.js';
import { describe as stats } from '../../summarize/model/stats.js';
import { githubBenchmark } from '../../summarize/reporters/github-benchmark.js';
import { compareReporters } from '../../summarize/reporters/index.js';
import { tempDir } from '../helpers/tmp.js';

/** A synthetic row from per-rep TPS and p99 values (merged p99 taken as the median rep's). */
function row(config: string, tps: number[], p99: number[], extra: Partial<Row> = {}): Row {
  const sortedP99 = [...p99].sort((a, b) => a - b);
  const mid = sortedP99[Math.floor(sortedP99.length / 2)] ?? Number.NaN;
  return {
    config,
    workload: 'readonly',
    concurrency: 8,
    reconnect: false,
    isBaseline: false,
    repsCompleted: tps.length,
    tps: stats(tps),
    latency: {
      source: 'merged-histograms',
      reps: tps.length,
      count: 1000,
      meanMs: mid / 3,
      p50Ms: mid / 4,
      p90Ms: mid / 2,
      p95Ms: mid / 1.5,
      p99Ms: mid,
      p999Ms: mid * 2,
      maxMs: mid * 5,
    },
    processed: 1000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: tps.map((t, i) => ({
      cellId: `${config}__readonly__c8__r${i + 1}`,
      rep: i + 1,
      tps: t,
      p99Ms: p99[i] as number,
      processed: 100,
      failedTransactions: 0,
      outlier: false,
    })),
    ...extra,
  };
}

describe('compare classification (two runs: Welch on log TPS)', () => {
  it('a candidate that failed where the baseline did not is a regression, whatever its TPS', () => {
    const base = [row('pgbouncer', [32600, 32100, 33050], [1, 1, 1])];
    const cand = [row('pgbouncer', [32500, 32200, 33000], [1, 1, 1], { failedTransactions: 12 })];
    const r = compareRows(base, cand);
    expect(r.groups[0]?.verdict).toBe('slower');
    expect(r.regressions).toBe(1);
    expect(r.groups[0]?.notes.join(' ')).toMatch(/candidate failed where the baseline did not/);
  });

  it('a clear regression over 5 reps is slower, with an interval below 1', () => {
    const base = [row('pgbouncer', [32600, 32100, 33050, 32400, 32800], [0.98, 1.01, 0.97, 1.0, 0.99])];
    const cand = [row('pgbouncer', [25900, 26300, 25700, 26100, 26050], [1.31, 1.29, 1.35, 1.3, 1.33])];
    const r = compareRows(base, cand);
    const g = r.groups[0];
    expect(g?.tps.p).toBeLessThan(0.001);
    expect(g?.tps.ciHigh).toBeLessThan(1 / 1.05);
    expect(g?.tps.verdict).toBe('slower');
    expect(g?.p99?.verdict).toBe('slower');
    expect(g?.verdict).toBe('slower');
    // Two runs and no control config: drift between the runs could make this, so the slower is
    // labelled unpaired and counted like an inconclusive group, not as a regression.
    expect(g?.drift).toEqual({ kind: 'unpaired', byFailure: false });
    expect(r).toMatchObject({ regressions: 0, unpaired: 1 });
  });

  it('noise well inside the threshold is no change', () => {
    const base = [row('direct', [68757, 67210, 69402, 68100, 67950], [0.46, 0.47, 0.45, 0.47, 0.46])];
    const cand = [row('direct', [68200, 69100, 67600, 68900, 68300], [0.47, 0.46, 0.46, 0.45, 0.47])];
    const r = compareRows(base, cand);
    const g = r.groups[0];
    expect(g?.tps.ciLow).toBeGreaterThan(1 / 1.05);
    expect(g?.tps.ciHigh).toBeLessThan(1.05);
    expect(g?.verdict).toBe('no-change');
    expect(r.regressions).toBe(0);
    expect(r.inconclusive).toBe(0);
  });

  it('a significant change smaller than the threshold is no change, larger than it slower', () => {
    const base = [row('direct', [1000, 1001, 1000, 999, 1000], [1, 1, 1, 1, 1])];
    const cand = [row('direct', [980, 981, 980, 979, 980], [1, 1, 1, 1, 1])];
    const g = compareRows(base, cand, { threshold: 0.05 }).groups[0];
    expect(g?.tps.p).toBeLessThan(0.05);
    expect(g?.tps.verdict).toBe('no-change');
    expect(compareRows(base, cand, { threshold: 0.01 }).groups[0]?.tps.verdict).toBe('slower');
  });

  it('too noisy to tell is inconclusive, and says how many reps would do', () => {
    const base = [row('x', [1000, 1150, 880], [1, 1, 1])];
    const cand = [row('x', [960, 1100, 850], [1, 1, 1])];
    const r = compareRows(base, cand);
    const g = r.groups[0];
    expect(g?.verdict).toBe('inconclusive');
    expect(r.inconclusive).toBe(1);
    expect(g?.tps.needed).toBeGreaterThan(3);
    expect(g?.notes.join(' ')).toContain(`${g?.tps.needed} reps per side would detect a 5% change`);
  });

  it('a faster candidate is faster', () => {
    const g = compareRows(
      [row('x', [100, 102, 98], [2, 2.1, 1.9])],
      [row('x', [150, 151, 149], [2, 2.1, 1.9])],
    ).groups[0];
    expect(g?.verdict).toBe('faster');
  });

  it('with 1 rep on a side nothing can be decided: inconclusive, even for a halved TPS', () => {
    const r = compareRows([row('x', [1000], [1])], [row('x', [500], [3])]);
    const g = r.groups[0];
    expect(g?.tps.ratio).toBeCloseTo(0.5, 12);
    expect(g?.tps.ciLow).toBeNaN();
    expect(g?.verdict).toBe('inconclusive');
    expect(g?.notes[0]).toContain('nothing can be decided');
    expect(r.regressions).toBe(0);
    expect(r.inconclusive).toBe(1);
    const md = compareReporters.markdown(r, { baselineLabel: 'a', candidateLabel: 'b' });
    expect(md).toContain('n/a (n < 2)');
    expect(md).toContain('🟡 inconclusive');
  });

  it('a failed baseline cell makes the group inconclusive', () => {
    const failed = { cellId: 'x__readonly__c8__r3', rep: 3, state: 'failed' as const, reason: 'boom' };
    const base = [row('x', [1000, 1010], [1, 1], { failedCells: [failed] })];
    const cand = [row('x', [1000, 1010, 1005], [1, 1, 1])];
    const g = compareRows(base, cand).groups[0];
    expect(g?.verdict).toBe('inconclusive');
    expect(g?.notes.join(' ')).toContain('baseline cell(s) failed');
  });

  it('lists groups present on one side only', () => {
    const r = compareRows(
      [row('x', [1, 2], [1, 1]), row('y', [1, 2], [1, 1])],
      [row('x', [1, 2], [1, 1]), row('z', [1, 2], [1, 1])],
    );
    expect(r.unmatched.map((u) => `${u.config}:${u.side}`)).toEqual(['y:baseline-only', 'z:candidate-only']);
  });

  it('renders markdown for a PR comment, a terminal table and JSON', () => {
    const base = [row('pgbouncer', [32600, 32100, 33050, 32400, 32800], [0.98, 1.01, 0.97, 1.0, 0.99])];
    const cand = [row('pgbouncer', [25900, 26300, 25700, 26100, 26050], [1.31, 1.29, 1.35, 1.3, 1.33])];
    const r = compareRows(base, cand);
    const o = { baselineLabel: 'main', candidateLabel: 'pr-42' };
    expect(compareReporters.markdown(r, o)).toMatchSnapshot();
    expect(compareReporters.terminal(r, o)).toMatchSnapshot();
    const j = JSON.parse(compareReporters.json(r, o));
    expect(j).toMatchObject({
      mode: 'two-run',
      regressions: 0,
      unpaired: 1,
      threshold: 0.05,
      alpha: 0.05,
      power: 0.8,
    });
    expect(j.groups[0].tps).toMatchObject({ verdict: 'slower', n: 5 });
  });
});

describe('github-action-benchmark export', () => {
  it('gives customBiggerIsBetter TPS entries and customSmallerIsBetter p99 entries', () => {
    const [tps, p99] = githubBenchmark([row('direct', [100, 110, 105], [1, 1.2, 1.1])]);
    expect(tps?.tool).toBe('customBiggerIsBetter');
    expect(tps?.entries[0]).toEqual({
      name: 'direct / readonly / 8 clients - TPS',
      unit: 'tps',
      value: 105,
      range: '± 5.000',
      extra: '3 reps; 95% CI ± 12.421',
    });
    expect(p99?.tool).toBe('customSmallerIsBetter');
    expect(p99?.entries[0]).toMatchObject({
      name: 'direct / readonly / 8 clients - p99 latency',
      unit: 'ms',
      value: 1.1,
    });
  });
});

describe('github-action-benchmark export of a tenant: each run', () => {
  it('tracks a template row, not each of its copies (they are in summary.csv)', () => {
    const template = { ...row('pgb', [200, 210], [1, 1.1]), group: 't' };
    const copy = { ...row('pgb', [2, 2.1], [1, 1.1]), group: 't-t1r1', tenantCopyOf: 't' };
    const [tps] = githubBenchmark([template, copy]);
    expect(tps?.entries.map((e) => e.name)).toEqual(['pgb / readonly / 8 clients / group t - TPS']);
  });
});

describe('bench compare on run directories', () => {
  const tmp = tempDir('bench-compare-');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const run = path.resolve(import.meta.dirname, '../fixtures/runs/three-reps');

  it('a run against itself: no regression; files written for the action', async () => {
    const res = await compare({ baseline: run, candidate: run, out: tmp });
    expect(res.regressions).toBe(0);
    expect(res.groups).toHaveLength(8);
    // A run against itself is two samples with the same spread: ratio 1, p = 1, and an interval
    // as wide as the noise. direct, the matrix baseline, is the control: pgbouncer-tx's ratios are
    // divided by its ratios, and its own verdicts are not counted. direct / readonly / 1 client
    // varies by 32% between reps, so its interval straddles ±5%, and so does pgbouncer-tx's there,
    // which carries the control's noise: 3 reps cannot decide it.
    expect(res.control).toBe('direct');
    expect(res.groups.every((g) => g.tps.ratio === 1 && g.tps.p === 1)).toBe(true);
    const verdicts = res.groups.map((g) => `${g.config}/${g.workload}/${g.concurrency}:${g.verdict}`);
    expect(verdicts.filter((v) => !v.endsWith(':no-change'))).toEqual([
      'direct/readonly/1:inconclusive',
      'pgbouncer-tx/readonly/1:inconclusive',
    ]);
    expect(res.inconclusive).toBe(1);
    expect(res.unpaired).toBe(0);
    expect(res.markdown).toContain('**no regression**');
    expect(res.terminal).toMatch(
      /direct \/ readonly \/ 1 clients: the interval straddles ±5%.* \d+ reps per side would detect/,
    );
    const tps = JSON.parse(readFileSync(path.join(tmp, 'github-benchmark-tps.json'), 'utf8'));
    expect(tps).toHaveLength(8);
    expect(tps[0]).toMatchObject({ unit: 'tps' });
    const p99 = JSON.parse(readFileSync(path.join(tmp, 'github-benchmark-p99.json'), 'utf8'));
    expect(p99[0]).toMatchObject({ unit: 'ms' });
    expect(res.files.map((f) => path.basename(f)).sort()).toEqual([
      'compare.json',
      'compare.md',
      'github-benchmark-p99.json',
      'github-benchmark-tps.json',
    ]);
  });
});

describe('bench compare, paired form on a run directory', () => {
  const run = path.resolve(import.meta.dirname, '../fixtures/runs/three-reps');

  it('pairs two configs of one run rep by rep', async () => {
    const res = await compare({ baseline: run, baselineConfig: 'direct', candidateConfig: 'pgbouncer-tx' });
    expect(res.result.mode).toBe('paired');
    expect(res.groups).toHaveLength(4);
    const ro8 = res.groups.find((g) => g.workload === 'readonly' && g.concurrency === 8);
    expect(ro8).toMatchObject({ config: 'pgbouncer-tx', baselineConfig: 'direct', verdict: 'slower' });
    expect(ro8?.tps.n).toBe(3);
    expect(ro8?.tps.ratio).toBeCloseTo(32574 / 68456, 1);
    expect(res.terminal).toContain('pgbouncer-tx vs direct');
  });

  it('refuses a config the run does not have, and mixing the two forms', async () => {
    await expect(
      compare({ baseline: run, baselineConfig: 'direct', candidateConfig: 'nope' }),
    ).rejects.toThrow(/--candidate-config "nope" has no results/);
    await expect(
      compare({ baseline: run, candidate: run, baselineConfig: 'direct', candidateConfig: 'pgbouncer-tx' }),
    ).rejects.toThrow(/ONE run/);
    await expect(compare({ baseline: run })).rejects.toThrow(/give a candidate run/);
  });
});
