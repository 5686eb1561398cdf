import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/pgbench/histogram.js';
import type { CellRecord } from '../../src/results/types.js';
import { loadSummary } from '../../summarize/input/load.js';
import { isolationOf, spectrumSupported } from '../../summarize/model/build-rows.js';
import { DEFAULT_THRESHOLDS, type Row } from '../../summarize/model/row.js';
import { aggregateSampling } from '../../summarize/model/sampling.js';
import { mean } from '../../summarize/model/stats.js';
import { rowWarnings } from '../../summarize/model/warnings.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/runs');
const find = (rows: Row[], config: string, workload: string, concurrency: number) => {
  const r = rows.find((x) => x.config === config && x.workload === workload && x.concurrency === concurrency);
  if (!r) throw new Error(`no row ${config}/${workload}/${concurrency}`);
  return r;
};

describe('rows from a run with 3 reps and a baseline', () => {
  const s = loadSummary([path.join(fixtures, 'three-reps')]);

  it('makes one row per config x workload x concurrency, in matrix order', () => {
    expect(s.rows.map((r) => `${r.workload}/${r.config}/${r.concurrency}`)).toEqual([
      'readonly/direct/1',
      'readonly/direct/8',
      'readonly/pgbouncer-tx/1',
      'readonly/pgbouncer-tx/8',
      'readonly-short/direct/1',
      'readonly-short/direct/8',
      'readonly-short/pgbouncer-tx/1',
      'readonly-short/pgbouncer-tx/8',
    ]);
    expect(s.baseline).toBe('direct');
  });

  it('computes TPS statistics over reps and the ratio to the baseline with both uncertainties', () => {
    const d = find(s.rows, 'direct', 'readonly-short', 8);
    const p = find(s.rows, 'pgbouncer-tx', 'readonly-short', 8);
    expect(d.tps.n).toBe(3);
    expect(d.tps.mean).toBeCloseTo((521.1 + 509.8 + 530.4) / 3, 9);
    expect(p.vsBaseline?.config).toBe('direct');
    expect(p.vsBaseline?.tpsRatio).toBeCloseTo(p.tps.mean / d.tps.mean, 12);
    const rel = Math.sqrt((p.tps.std / p.tps.mean) ** 2 + (d.tps.std / d.tps.mean) ** 2);
    expect(p.vsBaseline?.tpsRatioError).toBeCloseTo((p.tps.mean / d.tps.mean) * rel, 12);
    expect(d.vsBaseline).toBeUndefined();
    expect(d.isBaseline).toBe(true);
  });

  it('merges the per-rep histograms for percentiles instead of averaging per-rep percentiles', () => {
    const r = find(s.rows, 'pgbouncer-tx', 'readonly', 8);
    const merged = new LatencyHistogram();
    for (const rep of [1, 2, 3]) {
      const file = path.join(
        fixtures,
        'three-reps/cells',
        `pgbouncer-tx__readonly__c8__r${rep}`,
        'latency-histogram.json',
      );
      merged.merge(LatencyHistogram.fromJSON(JSON.parse(readFileSync(file, 'utf8'))));
    }
    expect(r.latency?.source).toBe('merged-histograms');
    expect(r.latency?.count).toBe(merged.count);
    expect(r.latency?.p99Ms).toBe(merged.percentile(99) / 1000);
    expect(r.latency?.p999Ms).toBe(merged.percentile(99.9) / 1000);
    expect(r.latency?.maxMs).toBe(merged.max / 1000);
    // Not the same thing as the mean of the reps' own p99s:
    expect(r.latency?.p99Ms).not.toBe(mean(r.samples.map((x) => x.p99Ms ?? 0)));
  });

  it('reports connection time separately on -C workloads only', () => {
    expect(find(s.rows, 'direct', 'readonly-short', 8).reconnect).toBe(true);
    expect(find(s.rows, 'direct', 'readonly-short', 8).connectionMs?.mean).toBeCloseTo(3.8, 9);
    expect(find(s.rows, 'direct', 'readonly', 8).reconnect).toBe(false);
    expect(find(s.rows, 'direct', 'readonly', 8).connectionMs).toBeUndefined();
  });

  it('aggregates sampled figures (peaks are maxima over reps)', () => {
    const r = find(s.rows, 'pgbouncer-tx', 'readonly-short', 8);
    expect(r.sampling?.serverBackendsPeak).toBe(4);
    expect(r.sampling?.clWaitingPeak).toBe(2);
    expect(r.sampling?.components.map((c) => c.role)).toEqual(['pgbouncer', 'postgres']);
  });

  it('takes PSS as the memory figure, with memory per server backend and the role', () => {
    const r = find(s.rows, 'pgbouncer-tx', 'readonly', 8);
    const pg = r.sampling?.components.find((c) => c.role === 'postgres');
    // Every rep has the same figures in the fixture: the peak is theirs, the mean of means too.
    expect(pg?.pssPeakBytes).toBe(40_000_000 + 8 * 2_500_000);
    expect(pg?.pssMeanBytes).toBe(38_000_000 + 8 * 2_400_000);
    expect(pg?.pssMissing).toBeUndefined();
    expect(r.sampling?.pssPerBackendBytes).toBe(Math.round((38_000_000 + 8 * 2_400_000) / 8));
    expect(r.sampling?.role).toBe('bench_pgbouncer_tx');
    expect(r.sampling?.foreignBackendsPeak).toBe(0);
    expect(s.warnings.filter((w) => w.kind === 'pss-missing' || w.kind === 'foreign-backends')).toEqual([]);
  });

  it('records the isolation check of every cell', () => {
    expect(find(s.rows, 'direct', 'readonly', 8).isolation).toEqual({
      cellsChecked: 3,
      cellsWithForeign: 0,
      foreignMax: 0,
    });
  });

  it('flags the wide spread and the saturated pooler, each with a hint; no outlier test with 3 reps', () => {
    const kinds = s.warnings.map(
      (w) => `${w.kind}@${w.group ? `${w.group.config}/${w.group.workload}/${w.group.concurrency}` : ''}`,
    );
    expect(kinds).toContain('high-cv@direct/readonly/1');
    expect(kinds).toContain('cpu-saturated@pgbouncer-tx/readonly/8');
    // Rep 3 of direct/readonly/1 is far off, but 3 reps are too few for the outlier rule.
    expect(kinds.filter((k) => k.startsWith('outlier-rep'))).toEqual([]);
    expect(s.rows.flatMap((r) => r.samples.filter((x) => x.outlier))).toEqual([]);
    for (const w of s.warnings) expect(w.hint.length).toBeGreaterThan(10);
  });

  it('gives the paired 95% interval of each TPS ratio, and a spectrum only as far as the count supports', () => {
    for (const r of s.rows.filter((x) => x.vsBaseline)) {
      const ci = r.vsBaseline?.tpsRatioCi95;
      expect(ci?.pairs).toBe(3);
      expect(ci?.low).toBeLessThanOrEqual(r.vsBaseline?.tpsRatio as number);
      expect(ci?.high).toBeGreaterThanOrEqual(r.vsBaseline?.tpsRatio as number);
    }
    for (const r of s.rows) {
      const sp = r.latency?.spectrum ?? [];
      expect(sp.length).toBeGreaterThan(0);
      for (const pt of sp) expect(spectrumSupported(pt.p, r.latency?.count as number)).toBe(true);
      expect(sp.map((x) => x.ms)).toEqual([...sp.map((x) => x.ms)].sort((a, b) => a - b));
      expect(sp.find((x) => x.p === 99)?.ms).toBe(r.latency?.p99Ms);
    }
  });
});

describe('rows from a run with a failed cell and a truncated last line', () => {
  const s = loadSummary([path.join(fixtures, 'failed-cell')]);

  it('counts and lists failed cells, never averages them', () => {
    const r = find(s.rows, 'pgbouncer-tx', 'tpcb', 4);
    expect(r.repsCompleted).toBe(1);
    expect(r.failedCells).toEqual([
      {
        cellId: 'pgbouncer-tx__tpcb__c4__r2',
        rep: 2,
        state: 'failed',
        reason: 'pgbench exited with 2; pgbouncer:pgbouncer-tx died during the cell',
      },
    ]);
    expect(r.tps.n).toBe(1);
    expect(r.tps.mean).toBe(1510.8);
    expect(r.tps.std).toBeNaN();
    expect(r.tps.ci95).toBeNaN();
    expect(r.vsBaseline?.tpsRatioError).toBeNaN();
    expect(
      s.warnings.some((w) => w.kind === 'failed-cells' && w.cells?.[0] === 'pgbouncer-tx__tpcb__c4__r2'),
    ).toBe(true);
  });

  it('skips the truncated record with a reader warning and keeps the rest', () => {
    expect(s.warnings.some((w) => w.kind === 'reader' && w.message.includes('truncated last line'))).toBe(
      true,
    );
    expect(find(s.rows, 'direct', 'tpcb', 1).repsCompleted).toBe(2);
  });

  it('sums failed transactions over completed reps and warns about few reps', () => {
    expect(find(s.rows, 'direct', 'tpcb', 4).failedTransactions).toBe(4);
    expect(s.warnings.filter((w) => w.kind === 'few-reps')).toHaveLength(4);
    expect(s.warnings.some((w) => w.kind === 'failed-transactions')).toBe(true);
  });
});

describe('sampling figures and isolation, edge cases', () => {
  const comp = (o: Record<string, unknown>) => ({ components: { postgres: { role: 'postgres', ...o } } });

  it('counts the reps without PSS and keeps the reason, rather than an empty figure', () => {
    const f = aggregateSampling([
      comp({ pssPeakBytes: 100, pssMeanBytes: 80, rssPeakBytes: 400 }),
      comp({ rssPeakBytes: 500, pssError: 'EACCES' }),
      comp({ pssPeakBytes: 120, pssMeanBytes: 100, rssPeakBytes: 450 }),
    ]);
    expect(f?.components[0]).toMatchObject({
      pssPeakBytes: 120,
      pssMeanBytes: 90,
      rssPeakBytes: 500,
      pssMissing: { reps: 1, reason: 'EACCES' },
    });
  });

  it('reads isolation lines, counting cells that found foreign backends', () => {
    const cell = (prepared: string[]) => ({ prepared }) as unknown as CellRecord;
    expect(isolationOf([cell(['checkpoint'])])).toBeUndefined();
    expect(
      isolationOf([
        cell(['checkpoint', 'isolation: 0 foreign client backends, 4 of this config']),
        cell([
          'isolation: 3 foreign client backends (bench_direct: 3), 0 of this config, after waiting 5000 ms',
        ]),
        cell(['checkpoint']),
      ]),
    ).toEqual({ cellsChecked: 2, cellsWithForeign: 1, foreignMax: 3 });
  });

  it('warns when PSS is missing or foreign backends were seen, naming the component', () => {
    const s = loadSummary([path.join(fixtures, 'three-reps')]);
    const r = structuredClone(find(s.rows, 'pgbouncer-tx', 'readonly', 8));
    const pgb = r.sampling?.components.find((c) => c.role === 'pgbouncer');
    if (!pgb || !r.sampling) throw new Error('fixture changed');
    delete pgb.pssPeakBytes;
    pgb.pssMissing = { reps: 3, reason: 'EACCES' };
    r.sampling.foreignBackendsPeak = 2;
    const ws = rowWarnings(r, DEFAULT_THRESHOLDS);
    expect(ws.find((w) => w.kind === 'pss-missing')?.message).toContain(
      'the PSS (proportional memory) of pgbouncer:pgbouncer-tx was not read in 3 of 3 completed reps (EACCES)',
    );
    expect(ws.find((w) => w.kind === 'foreign-backends')?.message).toContain('up to 2 client backend(s)');
  });
});

describe('the spectrum rule', () => {
  it('shows p only when at least 10 transactions lie above it', () => {
    expect(spectrumSupported(99.99, 100_000)).toBe(true);
    expect(spectrumSupported(99.99, 99_999)).toBe(false);
    expect(spectrumSupported(99.9, 10_000)).toBe(true);
    expect(spectrumSupported(99, 999)).toBe(false);
    expect(spectrumSupported(50, 20)).toBe(true);
    expect(spectrumSupported(50, 19)).toBe(false);
  });
});
