import { describe, expect, it } from 'vitest';
import { TxLogParser } from '../../src/pgbench/txlog.js';
import type { CompletedCell } from '../../src/results/types.js';
import { timeSeriesSpec } from '../../summarize/figures/time-series/spec.js';
import { cellSeries } from '../../summarize/model/cell-series.js';

/** A cell of 3 s started at epoch 1000.4 s, with the files a run writes beside it. */
const START_MS = 1_000_400;
const cell = {
  schema: 1,
  id: 'pgb__tpcb__c2__r1',
  index: 0,
  config: 'pgb',
  workload: 'tpcb',
  concurrency: 2,
  rep: 1,
  threads: 2,
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:00:05.000Z',
  argv: ['-n', '-c', '2', '-T', '3', '-P', '1'],
  prepared: ['checkpoint', 'warmup 2s (exit 0)'],
  warnings: [],
  state: 'completed',
  exitCode: 0,
  summary: { processed: 7, failed: 1, aborted: false, tps: 2.3 },
  connectionErrors: 0,
  sampling: { postgres: { role: 'bench_pgb' } },
} as unknown as CompletedCell;

// Seven completed transactions and one failed, over epoch seconds 1000..1003 (two thread files).
const log = [
  '0 1 1000 0 1000 600000\n0 2 3000 0 1001 100000\n0 3 failed 0 1001 900000\n0 4 1500 0 1002 500000\n',
  '1 1 2000 0 1000 900000\n1 2 2500 0 1001 500000\n1 3 100000 0 1002 700000\n1 4 900 0 1003 300000\n',
];
function latencySeconds(): string {
  const p = new TxLogParser();
  for (const f of log) {
    p.push(Buffer.from(f));
    p.end();
  }
  return JSON.stringify({ v: 1, rule: '', seconds: p.result().seconds });
}

const progress = [1, 2, 3]
  .map((t) => JSON.stringify({ t, tps: 2, latMs: 1, failed: 0, at: START_MS + t * 1000 + 40 + t }))
  .join('\n');
const samples = [
  {
    t: START_MS + 500,
    kind: 'pg_activity',
    database: { total: 9, active: 9 },
    databaseByUser: { bench_pgb: { total: 2, active: 1 }, other: { total: 7, active: 7 } },
  },
  { t: START_MS + 500, kind: 'pgbouncer', totals: { clWaiting: 1, svActive: 2, svIdle: 0 } },
  { t: START_MS + 500, kind: 'proc', component: 'postgres', pssBytes: 64 * 1048576, cpuCores: 0.5 },
  { t: START_MS + 1500, kind: 'proc', gap: true, error: 'gone' },
]
  .map((s) => JSON.stringify(s))
  .join('\n');

describe('cellSeries', () => {
  const s = cellSeries({ cell, progress, samples: `${samples}\n{"torn`, latencySeconds: latencySeconds() });
  const of = (panel: string, series: string) =>
    s.points.filter((p) => p.panel === panel && p.series === series).map((p) => [p.t, p.value]);

  it('draws the active clients of each log second (clients with a completed transaction in it)', () => {
    // Client 0 completed a transaction in seconds 1000-1002 (its 1001 failure aside), client 1 in 1000-1003.
    expect(of('clients', 'active clients').map(([, v]) => v)).toEqual([2, 2, 2, 1]);
  });

  it('puts t = 0 at the earliest start the -P lines allow and marks the window and the warmup', () => {
    expect(s.startMs).toBe(START_MS + 41);
    expect(s.durationS).toBe(3);
    expect(s.segments).toEqual([{ from: -2, to: 0, label: 'warmup 2 s (before sampling)' }]);
    expect(s.events).toEqual([]);
  });

  it('counts every logged transaction once: per-second TPS sums to the cell count', () => {
    expect(s.log).toEqual({ count: 7, failed: 1, skipped: 0, seconds: 4 });
    expect(s.log?.count).toBe(cell.summary.processed);
    expect(s.log?.failed).toBe(cell.summary.failed);
    const tps = of('tps', 'per-transaction log');
    expect(tps.map(([, v]) => v)).toEqual([2, 2, 2, 1]);
    // A log second [s, s+1) is drawn at its end, on the same axis as the -P lines.
    expect(tps.map(([t]) => t)).toEqual([0.559, 1.559, 2.559, 3.559]);
    expect(of('tps', 'pgbench -P').map(([t]) => t)).toEqual([1, 2, 3]);
  });

  it('takes percentiles per second from that second only', () => {
    expect(of('latency', 'p50').map(([, v]) => v)).toEqual([1, 2.5, 1.5, 0.9]);
    expect(of('latency', 'p99').map(([, v]) => v)[2]).toBeCloseTo(100, 0);
    expect(of('failed', 'failed').map(([, v]) => v)).toEqual([0, 1, 0, 0]);
  });

  it("counts server backends of the config's role only, and reads PgBouncer, CPU and PSS", () => {
    expect(of('backends', 'total')).toEqual([[0.459, 2]]);
    expect(of('backends', 'active')).toEqual([[0.459, 1]]);
    expect(of('pgbouncer', 'cl_waiting')).toEqual([[0.459, 1]]);
    expect(of('cpu', 'postgres')).toEqual([[0.459, 0.5]]);
    expect(of('pss', 'postgres')).toEqual([[0.459, 64]]);
  });

  it('becomes a stacked Vega-Lite plot with one panel per kind of data', () => {
    const spec = timeSeriesSpec(s) as { vconcat: { layer: { data: { values: unknown[] } }[] }[] };
    expect(spec.vconcat).toHaveLength(8);
    for (const panel of spec.vconcat) expect(panel.layer.at(-1)?.data.values.length).toBeGreaterThan(0);
  });

  it('sums the -P lines of several pgbench processes per interval (one point per t, the cell rate)', () => {
    // Three processes; the third ended after 2 s (it adds nothing after).
    const lines = [1, 2, 3].flatMap((t) =>
      [0, 1, 2]
        .filter((process) => process < 2 || t < 3)
        .map((process) =>
          JSON.stringify({ t, tps: 100 + process, latMs: 5, process, at: START_MS + t * 1000 }),
        ),
    );
    const split = cellSeries({ cell, progress: lines.join('\n') });
    const tps = split.points.filter((p) => p.panel === 'tps' && p.series === 'pgbench -P');
    expect(tps.map((p) => [p.t, p.value])).toEqual([
      [1, 303],
      [2, 303],
      [3, 201],
    ]);
  });

  it("adds a chained segment's -P lines, shifted onto the cell's axis, to the same seconds", () => {
    // web at 100 tps all cell; a profile group's segment 1 (t 1..2) and segment 2, started 2.23 s
    // in, whose lines the runner shifted to 3.2 and 4.2 (src/runner/process-output.ts).
    const line = (t: number, tps: number, process: number) =>
      JSON.stringify({ t, tps, latMs: 5, process, at: START_MS + t * 1000 });
    const lines = [
      ...[1, 2, 3, 4].map((t) => line(t, 100, 0)),
      line(1, 50, 1),
      line(2, 50, 1),
      line(3.2, 50, 2),
      line(4.2, 50, 2),
    ];
    const s2 = cellSeries({ cell, progress: lines.join('\n') });
    const tps = s2.points.filter((p) => p.panel === 'tps' && p.series === 'pgbench -P');
    expect(tps.map((p) => [p.t, p.value])).toEqual([
      [1, 150],
      [2, 150],
      [3, 150],
      [4, 150],
    ]);
  });

  it('still gives a series without progress lines or samples', () => {
    const bare = cellSeries({ cell, latencySeconds: latencySeconds() });
    expect(bare.startMs).toBe(1_000_000);
    expect(bare.log?.count).toBe(7);
  });
});
