import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LatencySecondsJSON, TxLogParser } from '../../src/pgbench/txlog.js';
import { groupSecondsFile } from '../../src/results/paths.js';
import type { CompletedCell } from '../../src/results/types.js';
import { groupRecords } from '../../src/runner/mix-cell.js';
import type { PgbenchProcess } from '../../src/runner/pgbench-processes.js';
import type { GroupPlan } from '../../src/runner/plan.js';
import type { ConfigPath } from '../../src/stack/types.js';
import { timeSeriesSpec } from '../../summarize/figures/time-series/spec.js';
import { cellSeries } from '../../summarize/model/cell-series.js';
import { tempDir } from '../helpers/tmp.js';

/*
 * Per-group seconds of a mix cell (docs/tenants.md): each group's from its own logs only, by epoch
 * second of completion (so on the cell's axis, whenever the group's processes started), and drawn
 * beside the cell's total with the group's name in the label.
 */

const seconds = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as LatencySecondsJSON).seconds;

describe("a group's per-second file (runner)", () => {
  // web: pgbench -R (a lag column), one process, then a later segment of its own (another prefix)
  // that started two seconds after the cell; batch: split over two processes, one with two threads.
  const dir = tempDir('bench-group-seconds-');
  const files: Record<string, string> = {
    'pgbench_log_g1.100': '0 1 1000 0 2000 100000 50\n1 1 1200 0 2000 900000 70\n0 2 900 0 2001 200000 10\n',
    'pgbench_log_g1_s2.300': '0 1 5000 0 2003 400000 900\n0 2 7000 0 2003 800000 1100\n',
    'pgbench_log_g2_p0.200': '0 1 3000 0 2000 500000\n0 2 failed 0 2001 100000\n',
    'pgbench_log_g2_p0.200.1': '1 1 4000 0 2001 600000\n',
    'pgbench_log_g2_p1.201': '0 1 2500 0 2002 300000\n0 2 2600 0 2003 300000\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const processes: PgbenchProcess[] = [
    { clients: 2, threads: 1, argv: ['-S', '-R', '100'], logPrefix: 'pgbench_log_g1', group: 0 },
    { clients: 1, threads: 1, argv: ['-S', '-R', '100'], logPrefix: 'pgbench_log_g1_s2', group: 0 },
    { clients: 2, threads: 2, argv: [], logPrefix: 'pgbench_log_g2_p0', group: 1 },
    { clients: 1, threads: 1, argv: [], logPrefix: 'pgbench_log_g2_p1', group: 1 },
  ];
  const groups = [
    { name: 'web', clients: 2, threads: 1, workload: {} },
    { name: 'batch', clients: 3, threads: 2, workload: {} },
  ] as unknown as GroupPlan[];
  const configPath = {
    config: 'direct',
    endpoint: { host: '127.0.0.1', port: 5432, database: 'bench', user: 'bench_direct' },
    components: [],
  } as unknown as ConfigPath;
  const warnings: string[] = [];
  const records = groupRecords(
    { dir, path: configPath, groups, logPrefix: 'pgbench_log', warnings },
    processes,
    [],
  );

  it('writes latency-seconds.<group>.json beside the histogram, and never the cell file', async () => {
    await records;
    const written = readdirSync(dir).filter((f) => f.startsWith('latency-'));
    expect(written.sort()).toEqual([
      'latency-histogram.batch.json',
      'latency-histogram.web.json',
      'latency-seconds.batch.json',
      'latency-seconds.web.json',
    ]);
    expect(groupSecondsFile('web')).toBe('latency-seconds.web.json');
  });

  it("sums a group's seconds to its own transaction count, from every one of its log files", async () => {
    const [web, batch] = await records;
    const web_ = seconds(path.join(dir, groupSecondsFile('web')));
    const batch_ = seconds(path.join(dir, groupSecondsFile('batch')));
    const sum = (s: typeof web_, k: 'count' | 'failed') => s.reduce((a, x) => a + x[k], 0);
    expect(web?.latency?.count).toBe(5);
    expect(sum(web_, 'count')).toBe(web?.latency?.count);
    expect(batch?.latency?.count).toBe(4);
    expect(sum(batch_, 'count')).toBe(batch?.latency?.count);
    expect(sum(batch_, 'failed')).toBe(batch?.latency?.failed);
    expect(sum(batch_, 'failed')).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('places each second at its epoch second: a segment that started later lands later, not at t = 0', async () => {
    await records;
    const web_ = seconds(path.join(dir, groupSecondsFile('web')));
    expect(web_.map((s) => [s.t, s.count])).toEqual([
      [2000, 2],
      [2001, 1],
      [2003, 2],
    ]);
    // The later segment's latencies (5 and 7 ms) and schedule lag are its second's own.
    expect(web_[2]?.p99Ms).toBe(7);
    expect(web_[2]?.lagMaxMs).toBeCloseTo(1.1, 6);
    const batch_ = seconds(path.join(dir, groupSecondsFile('batch')));
    expect(batch_.map((s) => s.t)).toEqual([2000, 2001, 2002, 2003]);
    expect(batch_.every((s) => s.lagMeanMs === undefined)).toBe(true);
  });
});

/** A per-second file's text, from per-transaction log lines (as the runner writes it). */
function secondsText(lines: string, lag = false): string {
  const p = new TxLogParser({ lag });
  p.push(Buffer.from(lines));
  p.end();
  return JSON.stringify({ v: 1, rule: '', seconds: p.result().seconds });
}

describe("a mix cell's series (summarize)", () => {
  // t = 0 at epoch 1000.0 s. quiet (-R) runs 1000..1003; noisy starts two seconds in (1002..1003),
  // and quiet's latency climbs exactly then.
  const START_MS = 1_000_000;
  const quiet =
    '0 1 1000 0 1000 100000 10\n0 2 1100 0 1001 100000 20\n0 3 40000 0 1002 100000 3000\n0 4 48000 0 1003 100000 4000\n';
  const noisy = '0 1 9000 0 1002 500000\n0 2 8000 0 1002 600000\n0 3 7000 0 1003 100000\n';
  const cell = {
    id: 'direct__tenants__c1__r1',
    config: 'direct',
    workload: 'tenants',
    concurrency: 1,
    rep: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    argv: ['-T', '4'],
    prepared: [],
    summary: { processed: 7, failed: 0 },
    groups: [
      { name: 'quiet', latency: { count: 4 } },
      { name: 'noisy', latency: { count: 3 } },
    ],
  } as unknown as CompletedCell;
  const progress = [1, 2, 3, 4].map((t) => JSON.stringify({ t, tps: 2, at: START_MS + t * 1000 })).join('\n');
  const s = cellSeries({
    cell,
    progress,
    latencySeconds: secondsText(quiet + noisy),
    groupSeconds: [
      { name: 'quiet', text: secondsText(quiet, true) },
      { name: 'noisy', text: secondsText(noisy) },
    ],
  });
  const of = (panel: string, series: string) =>
    s.points.filter((p) => p.panel === panel && p.series === series).map((p) => [p.t, p.value]);

  it("draws each group's tps, p50 and p99 on the cell's axis, labelled with its name", () => {
    expect(of('tps', 'quiet tps')).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
    ]);
    // The noisy group started later: its first second is drawn at 3, not at 1.
    expect(of('tps', 'noisy tps')).toEqual([
      [3, 2],
      [4, 1],
    ]);
    expect(of('latency', 'quiet p99').map(([, v]) => v)).toEqual([1, 1.1, 40, 48]);
    expect(of('latency', 'noisy p50').map(([t]) => t)).toEqual([3, 4]);
    expect(of('latency', 'noisy p99').map(([, v]) => v)).toEqual([9, 7]);
  });

  it('draws schedule lag for a group with a rate only', () => {
    expect(of('wait', 'quiet schedule lag (mean)').map(([, v]) => v)).toEqual([0.01, 0.02, 3, 4]);
    expect(of('wait', 'noisy schedule lag (mean)')).toEqual([]);
  });

  it("keeps the cell's total series, and sums each group's seconds to its transaction count", () => {
    expect(of('tps', 'per-transaction log').map(([, v]) => v)).toEqual([1, 1, 3, 2]);
    expect(of('latency', 'p99')).toHaveLength(4);
    expect(s.log?.count).toBe(cell.summary.processed);
    expect(s.groups).toEqual([
      { name: 'quiet', count: 4, failed: 0, skipped: 0, seconds: 4 },
      { name: 'noisy', count: 3, failed: 0, skipped: 0, seconds: 2 },
    ]);
    for (const g of s.groups ?? [])
      expect(g.count).toBe(cell.groups?.find((x) => x.name === g.name)?.latency?.count);
    // The groups' seconds add up to the cell's.
    expect((s.groups ?? []).reduce((a, g) => a + g.count, 0)).toBe(s.log?.count);
  });

  it('draws the group series in the existing panels (no panel of their own)', () => {
    const spec = timeSeriesSpec(s) as { vconcat: { layer: { data: { values: { series: string }[] } }[] }[] };
    expect(spec.vconcat).toHaveLength(5); // tps, clients, latency, failed (all zero, still drawn), wait
    const latency = spec.vconcat.find((p) =>
      p.layer.at(-1)?.data.values.some((v) => v.series === 'quiet p99'),
    );
    const names = new Set(latency?.layer.at(-1)?.data.values.map((v) => v.series));
    expect([...names].sort()).toEqual(['noisy p50', 'noisy p99', 'p50', 'p99', 'quiet p50', 'quiet p99']);
  });

  it('adds nothing to a cell without groups', () => {
    const plain = cellSeries({ cell, progress, latencySeconds: secondsText(quiet + noisy) });
    expect(plain.groups).toBeUndefined();
    expect(new Set(plain.points.map((p) => p.series))).toEqual(
      new Set(['per-transaction log', 'active clients', 'p50', 'p99', 'failed', 'pgbench -P']),
    );
  });
});
