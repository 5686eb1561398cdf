import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/pgbench/histogram.js';
import type { CellRecord, CompletedCell, GroupRecord } from '../../src/results/types.js';
import { noiseRule } from '../../summarize/figures/throughput/tldr.js';
import { buildRows } from '../../summarize/model/build-rows.js';
import { cellSeries, drawsGroupSeries, MAX_GROUP_SERIES } from '../../summarize/model/cell-series.js';
import { notComparable } from '../../summarize/model/comparable.js';
import { matrixInfo } from '../../summarize/model/matrix-info.js';
import type { Row } from '../../summarize/model/row.js';
import { reportRows, tenantCopyOf } from '../../summarize/model/tenant-template.js';
import { csv } from '../../summarize/reporters/csv.js';
import { mixMethodLines } from '../../summarize/reporters/findings/mix-method.js';
import { totals } from '../../summarize/reporters/json.js';
import { markdown } from '../../summarize/reporters/markdown.js';
import { ruleContext, tldr } from '../../summarize/tldr/index.js';
import { rowAt } from '../../summarize/tldr/pair-row.js';

/**
 * A `tenant: each` group (docs/tenants.md, "Reports"): one row per template in the human tables
 * (TPS summed per rep over its copies, percentiles from their histograms merged, the spread across
 * them), the copies' rows kept for summary.json and summary.csv; and no comparison between two
 * configs' rows that ran different clients (a config's share of the tenants).
 */

/** A copy's latencies: `fast` transactions at 1 ms and `slow` at `slowMs`. */
const latencies = new Map<string, { fast: number; slow: number; slowMs: number }>();

function copy(
  config: string,
  cell: string,
  name: string,
  tps: number,
  slowMs: number,
  i: number,
): GroupRecord {
  const file = `latency-histogram.${name}.json`;
  latencies.set(`${cell}/${file}`, { fast: 98, slow: 2, slowMs });
  return {
    name,
    clients: 1,
    threads: 1,
    database: `bench_${name}`,
    role: `bench_${config}_r1`,
    argv: ['-n', '-c', '1', '-R', '2', `--log-prefix=pgbench_log_g${i}`, 'bench_t1'],
    processes: 1,
    logPrefix: `pgbench_log_g${i}`,
    exitCode: 0,
    load: { workload: 'tenants', rate: 2 },
    summary: { processed: tps * 30, failed: 0, aborted: false, tps },
    latency: {
      count: 100,
      failed: 0,
      skipped: 0,
      meanMs: 1,
      minMs: 1,
      p50Ms: 1,
      p90Ms: 1,
      p95Ms: 1,
      p99Ms: slowMs,
      p999Ms: slowMs,
      maxMs: slowMs,
      histogramFile: file,
    },
    connectionErrors: 0,
  };
}

/** A cell of the mix `tenants` whose one group `t` has `tenant: each`: one copy per entry of `tps`. */
function cell(config: string, rep: number, tps: readonly number[], slowMs: readonly number[]): CompletedCell {
  const id = `${config}__tenants__c1__r${rep}`;
  const groups = tps.map((x, k) => copy(config, id, `t-t${k + 1}r1`, x, slowMs[k] ?? 5, k + 1));
  const total = tps.reduce((a, b) => a + b, 0);
  return {
    schema: 1,
    id,
    index: rep,
    config,
    workload: 'tenants',
    concurrency: 1,
    rep,
    threads: tps.length,
    startedAt: '',
    endedAt: '',
    argv: groups[0]?.argv ?? [],
    prepared: [],
    warnings: [],
    state: 'completed',
    exitCode: 0,
    summary: { processed: total * 30, failed: 0, aborted: false, tps: total },
    connectionErrors: 0,
    groups,
  };
}

const histogramOf = (c: CompletedCell): LatencyHistogram | undefined => {
  const l = c.latency ? latencies.get(`${c.id}/${c.latency.histogramFile}`) : undefined;
  if (!l) return undefined;
  const h = new LatencyHistogram();
  h.record(1000, l.fast);
  h.record(l.slowMs * 1000, l.slow);
  return h;
};

const effective = (baseline?: string) => ({
  configs: [
    { name: 'few', kind: 'pgbouncer' },
    { name: 'same', kind: 'pgbouncer' },
    { name: 'many', kind: 'pgbouncer' },
  ],
  workloads: [{ name: 'tenants', mix: [{ name: 't', builtin: 'readonly', clients: 1, tenant: 'each' }] }],
  concurrency: [1],
  reps: 3,
  ...(baseline ? { baseline } : {}),
});

// few and same: 2 tenants each; many: 4 tenants (its share is larger), so about twice the TPS.
// Tenant t-t2r1 of `few` is slow (p99 of 400 ms); its TPS varies a lot over reps, t-t1r1's the
// other way, so the template's sum stays steady.
const cells: CellRecord[] = [
  cell('few', 1, [2, 1], [5, 400]),
  cell('few', 2, [1, 2], [5, 400]),
  cell('few', 3, [1.5, 1.5], [5, 400]),
  cell('same', 1, [2.1, 2.1], [5, 5]),
  cell('same', 2, [2.2, 2.1], [5, 5]),
  cell('same', 3, [2.1, 2.2], [5, 5]),
  cell('many', 1, [2, 2, 2, 2.4], [5, 5, 5, 5]),
  cell('many', 2, [2, 2, 2.1, 2], [5, 5, 5, 5]),
  cell('many', 3, [2, 2.2, 2, 2], [5, 5, 5, 5]),
];
const built = (baseline?: string) =>
  buildRows({ cells, matrix: matrixInfo(effective(baseline)), histogramOf });
const { rows, warnings } = built();
const at = (config: string, group?: string) =>
  rows.find((r) => r.config === config && r.group === group) as Row;

describe('a tenant: each template row', () => {
  it('names its copies only when they are of a `tenant: each` group', () => {
    expect(tenantCopyOf('t-t3r12', ['t'])).toEqual({ template: 't', database: 3, role: 12 });
    expect(tenantCopyOf('web-t1r1', ['t'])).toBeUndefined();
    expect(tenantCopyOf('t-t1r1', undefined)).toBeUndefined();
  });

  it('sums its copies TPS per rep and takes the mean over reps', () => {
    const t = at('few', 't');
    expect(t.tps.n).toBe(3);
    expect(t.tps.mean).toBeCloseTo(3, 9);
    expect(t.tps.std).toBeCloseTo(0, 9);
    expect(t.groupClients).toBe(2);
    expect(at('many', 't').groupClients).toBe(4);
    expect(t.processed).toBe(3 * 3 * 30);
  });

  it('takes its percentiles from its copies histograms merged over copies and reps', () => {
    const t = at('few', 't');
    expect(t.latency?.source).toBe('merged-histograms');
    expect(t.latency?.count).toBe(2 * 3 * 100);
    // 588 of 600 transactions at 1 ms, 6 at 5 ms (t-t1r1), 6 at 400 ms (t-t2r1): the merged p99 is
    // 5 ms although one copy's own p99 is 400 ms (the spread says so); p99.9 and max are 400 ms.
    expect(t.latency?.p90Ms).toBe(1);
    expect(t.latency?.p99Ms).toBe(5);
    expect(t.latency?.p999Ms).toBe(400);
    expect(t.latency?.maxMs).toBe(400);
  });

  it('has each rep p99 from that rep copies merged, for comparisons paired by rep', () => {
    // Per rep: 196 transactions at 1 ms, 2 at 5 ms, 2 at 400 ms.
    expect(at('few', 't').samples.map((x) => x.p99Ms)).toEqual([5, 5, 5]);
    expect(at('few', 't').samples[0]?.latencyMeanMs).toBeCloseTo((196 + 10 + 800) / 200, 9);
  });

  it('shows the spread across its copies: the worst p99 and which copy, min/median/max TPS', () => {
    const s = at('few', 't').tenants;
    expect(s).toMatchObject({ copies: 2, databases: 2, roles: 1, worstP99: { group: 't-t2r1', ms: 400 } });
    expect(at('many', 't').tenants?.copyTps).toMatchObject({ min: 2, minGroup: 't-t1r1' });
    expect(at('many', 't').tenants?.copyTps?.max).toBeCloseTo(2.1333, 3);
  });

  it('keeps every copy row for summary.json and summary.csv, marked, out of the human rows', () => {
    const copies = rows.filter((r) => r.tenantCopyOf === 't');
    expect(copies.map((r) => r.group)).toContain('t-t4r1');
    expect(copies).toHaveLength(2 + 2 + 4);
    expect(reportRows(rows).map((r) => `${r.config}/${r.group ?? 'total'}`)).toEqual([
      'few/total',
      'few/t',
      'same/total',
      'same/t',
      'many/total',
      'many/t',
    ]);
    const table = csv(rows, { warnings });
    expect(table.split('\n').filter((l) => l.includes(',t-t'))).toHaveLength(8);
    expect(table.split('\n')[0]).toContain('tenant_template');
  });

  it('is never counted in the totals: transactions once, through the total row', () => {
    const t = totals(rows, { warnings });
    const sumTotals = rows.filter((r) => r.group === undefined).reduce((a, r) => a + r.processed, 0);
    expect(t.transactions).toBe(sumTotals);
    expect(t.groups).toBe(6);
  });

  it('shows one row per template in summary.md, with the spread and where the copies are', () => {
    const md = markdown(rows, { warnings });
    expect(md).not.toMatch(/\| t-t1r1 \|/);
    expect(md).toMatch(/\| few \| 1 \| t: 2 tenants \| 2 \|/);
    expect(md).toMatch(/400 \(t-t2r1\)/);
    expect(md).toContain('Per-tenant rows: summary.csv');
  });

  it('leaves the noise of a copy to its template, in the warnings and the TL;DR count', () => {
    // t-t1r1 of `few` varies by 33% over reps, its template by nothing.
    expect(at('few', 't-t1r1').tps.cv).toBeGreaterThan(0.1);
    expect(warnings.filter((w) => w.kind === 'high-cv')).toEqual([]);
    expect(noiseRule(ruleContext(rows, {}))).toEqual([]);
  });

  it('counts the human rows in the TL;DR noise sentence (template rows, not copies)', () => {
    const noisy = rows.map((r) => (r.config === 'many' ? { ...r, tps: { ...r.tps, cv: 0.5 } } : r));
    const [s] = noiseRule(ruleContext(noisy, {}));
    expect(s?.sentence.text).toMatch(/^Noise: the TPS of 2 of 6 rows/);
  });
});

describe('two configs rows that ran different clients', () => {
  it('are not comparable; rows of the same clients and rate are', () => {
    expect(notComparable(at('many', 't'), at('few', 't'))).toBe('different clients (4 vs 2)');
    expect(notComparable(at('many'), at('few'))).toBe('different clients (4 vs 2)');
    expect(notComparable(at('same', 't'), at('few', 't'))).toBeUndefined();
  });

  it('get no ratio to the baseline: "–" and a note in the table, and no TL;DR sentence', () => {
    const b = built('few');
    const many = b.rows.find((r) => r.config === 'many' && r.group === undefined) as Row;
    expect(many.vsBaseline).toBeUndefined();
    expect(many.unpaired).toBe('different clients (4 vs 2) than few');
    expect(b.rows.find((r) => r.config === 'same' && r.group === 't')?.vsBaseline).toBeDefined();
    const md = markdown(b.rows, { warnings: b.warnings, baseline: 'few' });
    const line = md.split('\n').find((l) => l.startsWith('| many | 1 | total |')) ?? '';
    expect(line).toContain('| – |');
    expect(line).toContain('different clients (4 vs 2) than few');
    expect(rowAt(b.rows, 'few', many)).toBeUndefined();
    for (const s of tldr(b.rows, { baseline: 'few' }))
      expect(s.text).not.toMatch(/many.* times the TPS of few/);
  });

  it('are in no contrast between configs other than the baseline', () => {
    for (const r of reportRows(rows).filter((x) => x.config === 'many' || x.config === 'few'))
      expect((r.contrasts ?? []).filter((c) => c.config === 'few' || c.config === 'many')).toEqual([]);
    const sentences = tldr(rows, {});
    // same and few ran the same clients: their comparison stays.
    expect(sentences.some((s) => /through same, .* times the TPS of few/.test(s.text))).toBe(true);
    for (const s of sentences) expect(/\bmany\b/.test(s.text) && /\bfew\b/.test(s.text), s.text).toBe(false);
  });
});

describe('the Method bullets of a mix with a tenant: each group', () => {
  const flags = (argv: readonly string[]) => `pgbench ${argv.slice(0, -1).join(' ')}`;
  const tg = ['t'];
  it('say one bullet per template with its copy counts per config and the log prefix range', () => {
    const lines = mixMethodLines(cells[6] as CellRecord, cells, tg, flags);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('group `t` (`tenant: each`)');
    expect(lines[0]).toContain(
      '2 copies over 2 databases × 1 roles in few, 2 over 2 × 1 in same, 4 over 4 × 1 in many',
    );
    expect(lines[0]).toContain('`pgbench_log_g1` … `pgbench_log_g4`');
    expect(lines[0]).toContain('--log-prefix=pgbench_log_g1');
  });

  it('keep one bullet per ordinary group, as before', () => {
    const lines = mixMethodLines(cells[0] as CellRecord, cells, undefined, flags);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^- `tenants` group `t-t2r1`: `pgbench .*` \(1 client at concurrency 1/);
  });
});

describe('the time series of a cell of many groups', () => {
  it('draws each group only up to MAX_GROUP_SERIES groups', () => {
    expect(drawsGroupSeries(MAX_GROUP_SERIES)).toBe(true);
    expect(drawsGroupSeries(MAX_GROUP_SERIES + 1)).toBe(false);
    const text = JSON.stringify({ seconds: [{ t: 1, count: 2, p50Us: 1000, p99Us: 2000, failed: 0 }] });
    const series = (n: number) =>
      cellSeries({
        cell: cells[0] as CellRecord,
        groupSeconds: Array.from({ length: n }, (_, i) => ({ name: `t-t${i + 1}r1`, text })),
      });
    expect(series(2).points.some((p) => p.series === 't-t1r1 tps')).toBe(true);
    expect(series(MAX_GROUP_SERIES + 1).points.some((p) => p.series.startsWith('t-t'))).toBe(false);
  });
});
