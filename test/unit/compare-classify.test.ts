import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/commands/compare.js';
import { compareRows, githubBenchmark } from '../../summarize/compare.js';
import type { Row } from '../../summarize/model.js';
import { compareReporters } from '../../summarize/reporters/index.js';
import { describe as stats } from '../../summarize/stats.js';

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

describe('compare classification', () => {
  it('a candidate that failed where the baseline did not is a regression, whatever its TPS', () => {
    const base = [row('pgbouncer', [32600, 32100, 33050], [1, 1, 1])];
    const cand = [row('pgbouncer', [32500, 32200, 33000], [1, 1, 1], { failedTransactions: 12 })];
    const r = compareRows(base, cand);
    expect(r.groups[0]?.verdict).toBe('slower');
    expect(r.regressions).toBe(1);
    expect(r.groups[0]?.notes.join(' ')).toMatch(/candidate failed where the baseline did not/);
  });

  it('a clear regression over 5 reps is slower and significant', () => {
    const base = [row('pgbouncer', [32600, 32100, 33050, 32400, 32800], [0.98, 1.01, 0.97, 1.0, 0.99])];
    const cand = [row('pgbouncer', [25900, 26300, 25700, 26100, 26050], [1.31, 1.29, 1.35, 1.3, 1.33])];
    const r = compareRows(base, cand);
    const g = r.groups[0];
    expect(g?.tps.significant).toBe(true);
    expect(g?.tps.welch?.p).toBeLessThan(0.001);
    expect(g?.tps.change).toBe('slower');
    expect(g?.p99?.change).toBe('slower');
    expect(g?.verdict).toBe('slower');
    expect(r.regressions).toBe(1);
  });

  it('noise is no change', () => {
    const base = [row('direct', [68757, 67210, 69402, 68100, 67950], [0.46, 0.47, 0.45, 0.47, 0.46])];
    const cand = [row('direct', [68200, 69100, 67600, 68900, 68300], [0.47, 0.46, 0.46, 0.45, 0.47])];
    const r = compareRows(base, cand);
    expect(r.groups[0]?.tps.significant).toBe(false);
    expect(r.groups[0]?.verdict).toBe('no-change');
    expect(r.regressions).toBe(0);
  });

  it('a significant change smaller than the threshold is no change', () => {
    const base = [row('direct', [1000, 1001, 1000, 999, 1000], [1, 1, 1, 1, 1])];
    const cand = [row('direct', [980, 981, 980, 979, 980], [1, 1, 1, 1, 1])];
    const g = compareRows(base, cand, { threshold: 0.05 }).groups[0];
    expect(g?.tps.significant).toBe(true);
    expect(g?.tps.change).toBe('no-change');
    expect(compareRows(base, cand, { threshold: 0.01 }).groups[0]?.tps.change).toBe('slower');
  });

  it('a faster candidate is faster', () => {
    const g = compareRows(
      [row('x', [100, 102, 98], [2, 2.1, 1.9])],
      [row('x', [150, 151, 149], [2, 2.1, 1.9])],
    ).groups[0];
    expect(g?.verdict).toBe('faster');
  });

  it('with fewer than 2 reps on a side: insufficient reps, not significant, never a regression', () => {
    const r = compareRows([row('x', [1000], [1])], [row('x', [500], [3])]);
    const g = r.groups[0];
    expect(g?.tps.welch).toBeUndefined();
    expect(g?.tps.significant).toBe(false);
    expect(g?.verdict).toBe('no-change');
    expect(g?.notes[0]).toContain('insufficient reps');
    expect(r.regressions).toBe(0);
    const md = compareReporters.markdown(r, { baselineLabel: 'a', candidateLabel: 'b' });
    expect(md).toContain('n/a (reps < 2)');
    expect(md).toContain('insufficient reps');
  });

  it('lists groups present on one side only', () => {
    const r = compareRows(
      [row('x', [1, 2], [1, 1]), row('y', [1, 2], [1, 1])],
      [row('x', [1, 2], [1, 1]), row('z', [1, 2], [1, 1])],
    );
    expect(r.unmatched.map((u) => `${u.config}:${u.side}`)).toEqual(['y:baseline-only', 'z:candidate-only']);
  });

  it('renders markdown for a PR comment and a terminal table', () => {
    const base = [row('pgbouncer', [32600, 32100, 33050, 32400, 32800], [0.98, 1.01, 0.97, 1.0, 0.99])];
    const cand = [row('pgbouncer', [25900, 26300, 25700, 26100, 26050], [1.31, 1.29, 1.35, 1.3, 1.33])];
    const r = compareRows(base, cand);
    const o = { baselineLabel: 'main', candidateLabel: 'pr-42' };
    expect(compareReporters.markdown(r, o)).toMatchSnapshot();
    expect(compareReporters.terminal(r, o)).toMatchSnapshot();
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

describe('bench compare on run directories', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'bench-compare-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const run = path.resolve(import.meta.dirname, '../fixtures/runs/three-reps');

  it('a run against itself: no regression; files written for the action', async () => {
    const res = await compare({ baseline: run, candidate: run, out: tmp });
    expect(res.regressions).toBe(0);
    expect(res.groups).toHaveLength(8);
    expect(res.groups.every((g) => g.verdict === 'no-change')).toBe(true);
    expect(res.markdown).toContain('**no regression**');
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
