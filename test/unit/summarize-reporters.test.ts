import { describe, expect, it } from 'vitest';
import { csvNumber, fixed, fmtMs, fmtTps, meanPm, tpsDecimals } from '../../summarize/model/format.js';
import type { RenderOptions } from '../../summarize/model/report-options.js';
import { DEFAULT_THRESHOLDS, type Row, type Warning } from '../../summarize/model/row.js';
import { describe as stats } from '../../summarize/model/stats.js';
import { reporters } from '../../summarize/reporters/index.js';

/** Hand-made rows: a baseline, a pooled path, a -C workload, a group with a failed cell, a group with nothing. */
function row(p: Partial<Row> & Pick<Row, 'config' | 'workload' | 'concurrency'>, tps: number[]): Row {
  return {
    reconnect: false,
    isBaseline: p.config === 'direct',
    repsPlanned: 3,
    repsCompleted: tps.length,
    tps: stats(tps),
    processed: Math.round(tps.reduce((a, b) => a + b, 0) * 10),
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: tps.map((t, i) => ({
      cellId: `${p.config}__${p.workload}__c${p.concurrency}__r${i + 1}`,
      rep: i + 1,
      tps: t,
      processed: Math.round(t * 10),
      failedTransactions: 0,
      outlier: false,
    })),
    ...p,
  };
}

const latency = (p50: number, p99: number) => ({
  source: 'merged-histograms' as const,
  reps: 3,
  count: 100000,
  meanMs: p50 * 1.1,
  p50Ms: p50,
  p90Ms: p50 * 1.8,
  p95Ms: p50 * 2.3,
  p99Ms: p99,
  p999Ms: p99 * 3,
  maxMs: p99 * 12.5,
});

const rows: Row[] = [
  row(
    {
      config: 'direct',
      configKind: 'direct',
      workload: 'readonly',
      concurrency: 8,
      latency: latency(0.112, 0.466),
      sampling: {
        serverBackendsPeak: 8,
        role: 'bench_direct',
        foreignBackendsPeak: 0,
        pssPerBackendBytes: 7_340_032,
        components: [
          {
            name: 'postgres',
            role: 'postgres',
            pssPeakBytes: 61_865_984,
            pssMeanBytes: 58_720_256,
            rssPeakBytes: 221_000_000,
            cpuCoresMean: 1.02,
          },
        ],
      },
    },
    [68757, 67210, 69402],
  ),
  row(
    {
      config: 'pgbouncer-tx',
      configKind: 'pgbouncer',
      poolMode: 'transaction',
      workload: 'readonly',
      concurrency: 8,
      latency: latency(0.245, 0.981),
      vsBaseline: { config: 'direct', tpsRatio: 0.475838, tpsRatioError: 0.011653, p99Ratio: 2.105 },
      sampling: {
        serverBackendsPeak: 8,
        role: 'bench_pgbouncer_tx',
        foreignBackendsPeak: 1,
        pssPerBackendBytes: 7_077_888,
        clWaitingPeak: 0,
        poolerServerConnectionsPeak: 8,
        components: [
          // PSS not readable (a pooler running as another user): the tables say "not read".
          {
            name: 'pgbouncer:pgbouncer-tx',
            role: 'pgbouncer',
            pssMissing: { reps: 3, reason: 'EACCES' },
            rssPeakBytes: 6_820_000,
            cpuCoresMean: 0.96,
          },
          {
            name: 'postgres',
            role: 'postgres',
            pssPeakBytes: 59_768_832,
            pssMeanBytes: 56_623_104,
            rssPeakBytes: 212_000_000,
            cpuCoresMean: 0.99,
          },
        ],
      },
    },
    [32625, 31988, 33110],
  ),
  row(
    {
      config: 'direct',
      configKind: 'direct',
      workload: 'readonly-short',
      concurrency: 8,
      reconnect: true,
      latency: latency(0.9, 3.6),
      connectionMs: stats([3.81, 3.77, 3.9]),
    },
    [521.1, 509.8, 530.4],
  ),
  row(
    {
      config: 'pgbouncer-tx',
      configKind: 'pgbouncer',
      poolMode: 'transaction',
      workload: 'readonly-short',
      concurrency: 8,
      reconnect: true,
      latency: latency(0.904, 3.62),
      connectionMs: stats([0.27, 0.268, 0.281]),
      vsBaseline: { config: 'direct', tpsRatio: 13.0813, tpsRatioError: 0.3147 },
      failedTransactions: 2,
    },
    [6814, 6702, 6890],
  ),
  row(
    {
      config: 'pgbouncer-tx',
      configKind: 'pgbouncer',
      poolMode: 'transaction',
      workload: 'tpcb',
      concurrency: 4,
      failedCells: [
        { cellId: 'pgbouncer-tx__tpcb__c4__r2', rep: 2, state: 'failed', reason: 'pgbench exited with 2' },
      ],
      vsBaseline: { config: 'direct', tpsRatio: 0.7931, tpsRatioError: Number.NaN },
    },
    [1510.8],
  ),
  row(
    {
      config: 'pgbouncer-tx',
      configKind: 'pgbouncer',
      poolMode: 'transaction',
      workload: 'tpcb',
      concurrency: 16,
      failedCells: [
        {
          cellId: 'pgbouncer-tx__tpcb__c16__r1',
          rep: 1,
          state: 'timed-out',
          reason: 'pgbench still running | 61 s',
        },
      ],
    },
    [],
  ),
];

const g = (r: Row) => ({ config: r.config, workload: r.workload, concurrency: r.concurrency });
const warnings: Warning[] = [
  {
    kind: 'cpu-saturated',
    group: g(rows[1] as Row),
    message: 'pgbouncer-tx / readonly / 8 clients: pgbouncer:pgbouncer-tx used 0.96 cores on average',
    hint: 'The pooler saturates its one core.',
  },
  {
    kind: 'pss-missing',
    group: g(rows[1] as Row),
    message:
      'pgbouncer-tx / readonly / 8 clients: the PSS of pgbouncer:pgbouncer-tx was not read in 3 of 3 reps (EACCES)',
    hint: 'Run as the owner.',
  },
  {
    kind: 'failed-transactions',
    group: g(rows[3] as Row),
    message: 'pgbouncer-tx / readonly-short / 8 clients: 2 failed transaction(s) over 3 completed rep(s)',
    hint: 'Read stderr.txt.',
  },
  {
    kind: 'failed-cells',
    group: g(rows[4] as Row),
    message: 'pgbouncer-tx / tpcb / 4 clients: 1 cell(s) did not complete',
    hint: 'Rerun the cell.',
    cells: ['pgbouncer-tx__tpcb__c4__r2'],
  },
  {
    kind: 'few-reps',
    group: g(rows[4] as Row),
    message: 'pgbouncer-tx / tpcb / 4 clients: 1 completed rep',
    hint: 'Use --reps 3.',
  },
  {
    kind: 'no-completed-reps',
    group: g(rows[5] as Row),
    message: 'pgbouncer-tx / tpcb / 16 clients: no rep completed',
    hint: 'Fix it.',
  },
];

const options: RenderOptions = {
  warnings,
  baseline: 'direct',
  thresholds: DEFAULT_THRESHOLDS,
  meta: {
    runIds: ['20261123-100000-fixture'],
    matrix: { file: 'matrices/fixture.yaml', hash: 'ab'.repeat(32), name: 'fixture' },
    provider: 'native',
    versions: { postgres: '15.20', pgbouncer: '1.18.0', pgbench: '15.20' },
  },
  gates: { checked: 12, failures: [] },
};

describe('renderers (snapshots from hand-made rows)', () => {
  it('csv: one unit per column, plain numbers, empty for missing', async () => {
    const out = reporters.csv(rows, options);
    await expect(out).toMatchFileSnapshot('./__snapshots__/summarize-summary.csv');
    expect(out).not.toMatch(/NaN|Infinity|e[+-]\d/);
    expect(out.split('\n')[0]).toContain('tps_mean,tps_std');
    expect(out.split('\n')[0]).toContain('p99_ms');
    const header = out.split('\n')[0]?.split(',') ?? [];
    const line = out.split('\n')[2]?.split(',') ?? [];
    const at = (col: string) => line[header.indexOf(col)];
    expect(at('postgres_pss_peak_mib')).toBe('57');
    expect(at('postgres_rss_peak_mib_shared_pages_counted_per_process')).toBe('202.2');
    expect(at('pgbouncer_pss_peak_mib')).toBe('');
    expect(at('postgres_pss_per_server_backend_mib')).toBe('6.75');
    expect(at('foreign_backends_peak')).toBe('1');
  });

  it('json: every figure, warnings and metadata; NaN as null', async () => {
    const out = reporters.json(rows, options);
    await expect(out).toMatchFileSnapshot('./__snapshots__/summarize-summary.json.snap');
    const doc = JSON.parse(out);
    expect(doc.rows[4].tps.std).toBeNull();
    expect(doc.totals).toMatchObject({ groups: 6, cellsFailed: 2, failedTransactions: 2 });
    expect(doc.warnings).toHaveLength(6);
    expect(doc.meta.matrix.name).toBe('fixture');
  });

  it('markdown: one table per workload, mean ± σ, "–" for missing, no scientific notation', async () => {
    const out = reporters.markdown(rows, options);
    await expect(out).toMatchFileSnapshot('./__snapshots__/summarize-summary.md');
    expect(out).toContain('## readonly\n');
    expect(out).toContain('## readonly-short\n');
    expect(out).toContain('68,456 ± 1,127');
    expect(out).toContain('13.1 ± 0.3');
    expect(out).toContain('| pgbouncer-tx | 16 | 0/3 | – | – | – | – | – |');
    expect(out).not.toMatch(/NaN|Infinity|undefined|e[+-]\d/);
    expect(out).toContain('logged latency excludes it');
    // PSS first, the RSS sum labelled as such, and "not read" rather than a bare dash.
    expect(out).toContain(
      '| config | clients | server backends (peak) | foreign backends (peak) | pooler server conns (peak) | cl_waiting (peak) | pgbouncer PSS (MiB, peak) | pgbouncer RSS sum (MiB, peak; shared pages counted per process) |',
    );
    expect(out).toContain(
      '| pgbouncer-tx | 8 | 8 | 1 | 8 | 0 | not read | 6.5 | 0.96 | 57.0 | 202.2 | 0.99 | 6.8 |',
    );
    expect(out).toContain('| direct | 8 | 8 | 0 | – | – | – | – | – | 59.0 | 210.8 | 1.02 | 7.0 |');
  });

  it('terminal: a cli-table3 table without colours, warnings with hints below', async () => {
    const out = reporters.terminal(rows, options);
    await expect(out).toMatchFileSnapshot('./__snapshots__/summarize-terminal.txt');
    expect(out.includes(String.fromCharCode(27))).toBe(false);
    expect(out).toContain('hint: The pooler saturates its one core.');
    expect(out).toContain('57.0 / n/r');
  });
});

describe('number formatting', () => {
  it('never prints scientific notation and shows missing figures as "–"', () => {
    expect(fixed(1e21, 0)).toBe('1000000000000000000000');
    expect(fixed(1.5e-7, 3)).toBe('0.000');
    expect(fixed(-0.0001, 2)).toBe('0.00');
    expect(fmtTps(Number.NaN)).toBe('–');
    expect(fmtMs(Number.POSITIVE_INFINITY)).toBe('–');
    expect(fmtMs(undefined)).toBe('–');
    expect(fmtTps(68456.3)).toBe('68,456');
    expect(fmtTps(12.345)).toBe('12.3');
    expect(fmtMs(0.2704)).toBe('0.270');
    expect(meanPm(521.1, Number.NaN, tpsDecimals)).toBe('521');
    expect(csvNumber(1e-7, 3)).toBe('0');
    expect(csvNumber(2.5e21, 0)).toBe('2500000000000000000000');
    expect(csvNumber(Number.NaN, 3)).toBe('');
  });
});
