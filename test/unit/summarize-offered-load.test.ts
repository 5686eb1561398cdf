import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMatrix } from '../../src/matrix/load.js';
import type { CompletedCell } from '../../src/results/types.js';
import { LOAD_CSV } from '../../summarize/figures/offered-load/csv.js';
import { profileSeries } from '../../summarize/figures/offered-load/profile-series.js';
import type { CellSeries } from '../../summarize/model/cell-series.js';
import { loadFigures, rateShortfall } from '../../summarize/model/offered-load.js';

function cell(workload: string, rate: number, o: Partial<CompletedCell> = {}, seg?: number): CompletedCell {
  return {
    schema: 1,
    id: `pg__${workload}__c4__r1`,
    index: 0,
    config: 'pg',
    workload,
    concurrency: 4,
    rep: 1,
    threads: 2,
    startedAt: '',
    endedAt: '',
    argv: ['-T', '2', '-R', String(rate)],
    prepared: [],
    warnings: [],
    state: 'completed',
    exitCode: 0,
    summary: { processed: 2 * rate, failed: 0, aborted: false, tps: rate },
    connectionErrors: 0,
    load: {
      workload: 'w',
      rate,
      latencyLimitMs: 10,
      ...(seg
        ? {
            segment: {
              index: seg,
              count: 2,
              startMs: (seg - 1) * 2000,
              durationMs: 2000,
              rate,
              shape: 'step' as const,
              burst: seg === 2,
            },
          }
        : {}),
    },
    ...o,
  };
}

describe('loadFigures', () => {
  it('a served rate: achieved from processed over -T, met, no shortfall sentence', () => {
    const l = loadFigures([cell('w.r100', 100)]);
    expect(l).toMatchObject({
      workload: 'w',
      offeredTps: 100,
      achievedTps: 100,
      scheduled: 200,
      skipped: 0,
      met: true,
    });
    expect(rateShortfall(l as never)).toBeUndefined();
  });

  it('an unserved rate: skipped and lag from the records, a sentence that says the TPS is not the offered load', () => {
    const c = cell('w.r9000', 9000, {
      summary: {
        processed: 4000,
        failed: 0,
        aborted: false,
        tps: 2000,
        skipped: 14000,
        lagAvgMs: 9.5,
        lagMaxMs: 10,
      },
      latency: {
        count: 4000,
        failed: 0,
        skipped: 14000,
        meanMs: 2,
        minMs: 1,
        p50Ms: 2,
        p90Ms: 3,
        p95Ms: 3,
        p99Ms: 4,
        p999Ms: 5,
        maxMs: 6,
        lag: { meanMs: 9.5, p99Ms: 9.99, maxMs: 10 },
        histogramFile: 'h',
      },
    });
    const l = loadFigures([c]);
    expect(l).toMatchObject({
      achievedTps: 2000,
      skipped: 14000,
      lagMeanMs: 9.5,
      lagP99Ms: 9.99,
      met: false,
    });
    expect(rateShortfall(l as never)).toMatch(
      /offered 9,000 tps, achieved 2,000 \(22\.2 ?%\); 14,000 transactions skipped .*: the config did not serve the offered rate/,
    );
    const row = { load: l } as never;
    const csv = Object.fromEntries(LOAD_CSV.map((c) => [c.name, c.value(row, 0)]));
    expect(csv.rate_met).toBe('false');
    expect(csv.skipped_transactions).toBe('14000');
  });

  it('a workload without a rate has none', () => {
    const c = cell('w', 1);
    delete c.load;
    expect(loadFigures([c])).toBeUndefined();
  });
});

describe('profileSeries', () => {
  it('places each segment at its real start, draws the offered rate and marks every boundary', () => {
    const mk = (id: string, startMs: number): CellSeries => ({
      cellId: id,
      config: 'pg',
      workload: id,
      concurrency: 4,
      rep: 1,
      startMs,
      durationS: 2,
      warmupS: 0,
      points: [
        { panel: 'tps', series: 'per-transaction log', t: 1, value: 10 },
        { panel: 'backends', series: 'total', t: -0.2, value: 4 },
      ],
      segments: [],
      events: [],
    });
    const c1 = cell('w.s1', 50, {}, 1);
    const c2 = { ...cell('w.s2', 400, {}, 2), id: 'pg__w.s2__c4__r1' };
    const s2 = { ...mk(c2.id, 12_100), events: [{ t: 0.5, label: 'SIGHUP to pgbouncer' }] };
    const [p] = profileSeries([s2, mk(c1.id, 10_000)], [c1, c2]);
    expect(p?.cellId).toBe('profile:pg__w__c4__r1');
    expect(p?.durationS).toBeCloseTo(4.1);
    expect(p?.points.filter((x) => x.series === 'per-transaction log').map((x) => x.t)).toEqual([1, 3.1]);
    // A sample taken before its segment's pgbench started belongs to the previous segment's tail: dropped.
    expect(p?.points.filter((x) => x.panel === 'backends')).toHaveLength(0);
    expect(p?.points.filter((x) => x.series === 'offered (-R)').map((x) => [x.t, x.value])).toEqual([
      [0, 50],
      [2, 50],
      [2.1, 400],
      [4.1, 400],
    ]);
    expect(p?.segments).toEqual([{ from: 2.1, to: 4.1, label: 'burst 400 tps' }]);
    expect(p?.events.map((e) => e.label)).toEqual([
      'segment 1/2: 50 tps; start',
      'segment 2/2: 400 tps; pgbench restarted, clients reconnected',
      'SIGHUP to pgbouncer',
    ]);
    // A segment's scheduled event, shifted onto the profile's axis.
    expect(p?.events[2]?.t).toBeCloseTo(2.6);
  });
});

describe('matrices/load-profiles.yaml', () => {
  it('loads: a diurnal day with a burst in 12 segments and a five-rate axis', () => {
    const m = loadMatrix(path.resolve(import.meta.dirname, '../../matrices/load-profiles.yaml'));
    const day = m.workloads.filter((w) => w.load?.workload === 'day');
    expect(day).toHaveLength(12);
    expect(day.filter((w) => w.load?.segment?.burst).map((w) => w.load?.rate)).toEqual([3000]);
    expect(Math.min(...day.map((w) => w.load?.rate ?? 0))).toBeGreaterThanOrEqual(200);
    expect(m.workloads.filter((w) => w.load?.workload === 'knee').map((w) => w.load?.rate)).toEqual([
      250, 500, 1000, 2000, 4000,
    ]);
  });
});
