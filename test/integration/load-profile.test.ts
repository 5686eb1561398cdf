import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import { profileSeries } from '../../summarize/figures/offered-load/profile-series.js';
import { loadCellSeries } from '../../summarize/input/cell-series-files.js';
import type { Row } from '../../summarize/model/row.js';
import { runMatrixText } from '../helpers/cli.js';

/**
 * Rate-limited workloads on real PostgreSQL, PgBouncer and pgbench: a three-segment profile (2 s
 * each: 50, a burst of 400, 50 tps) and a rate axis with a rate far beyond what the machine can
 * serve under -L, through direct and a PgBouncer with a pool of 2.
 */
const MATRIX = `
name: load-profile-test
duration: 2s
warmup: 0s
settle: 200ms
reps: 1
scale: 1
concurrency: [4]
auth: trust
config_order: fixed
sample_interval: 500ms
baseline: direct
provider: native
configs:
  - { name: direct, kind: direct }
  - { name: pgbouncer-tx, kind: pgbouncer, pool_mode: transaction, default_pool_size: 2 }
workloads:
  - name: burst
    builtin: readonly
    profile: { shape: step, base: 50, duration: 6s, segment: 2s, bursts: [{ at: 2s, rate: 400, for: 2s }] }
  - name: over
    builtin: readonly
    rate: [100, 200000]
    latency_limit: 20ms
`;

const CONFIGS = ['direct', 'pgbouncer-tx'];

describe('rate-limited workloads and a load profile on native processes', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;

  beforeAll(async () => {
    ({ runDir, cells, output, exitCode } = await runMatrixText('load-profile', MATRIX));
  }, 240_000);

  const cell = (config: string, workload: string) => {
    const c = cells.find((x) => x.config === config && x.workload === workload);
    if (!c) throw new Error(`no cell ${config} ${workload}`);
    return c;
  };

  it('records each of the three segments like a cell, tied to its profile, back to back', () => {
    expect(exitCode, output).toBe(0);
    expect(
      cells.map((c) => c.state),
      output,
    ).toEqual(cells.map(() => 'completed'));
    for (const config of CONFIGS) {
      const segs = ['burst.s1', 'burst.s2', 'burst.s3'].map((w) => cell(config, w) as CompletedCell);
      expect(segs.map((s) => s.load?.segment?.index)).toEqual([1, 2, 3]);
      expect(segs.map((s) => s.load?.rate)).toEqual([50, 400, 50]);
      expect(segs.map((s) => s.load?.workload)).toEqual(['burst', 'burst', 'burst']);
      expect(segs.map((s) => s.load?.segment?.burst)).toEqual([false, true, false]);
      for (const s of segs) {
        const r = s.argv.indexOf('-R');
        expect(s.argv[r + 1]).toBe(String(s.load?.rate));
        expect(s.argv[s.argv.indexOf('-T') + 1]).toBe('2');
        // -R: the per-transaction log's schedule lag was read.
        expect(s.latency?.lag?.maxMs).toBeGreaterThanOrEqual(0);
        expect(s.summary.lagAvgMs).toBeDefined();
        // A Poisson schedule at a rate this machine serves easily: within 40 % over 2 s.
        const achieved = s.summary.processed / 2;
        expect(achieved).toBeGreaterThan((s.load?.rate ?? 0) * 0.6);
        expect(achieved).toBeLessThan((s.load?.rate ?? 0) * 1.4);
      }
      // The first segment is prepared like a cell; the others continue at once.
      expect(segs[0]?.prepared).toContainEqual(expect.stringMatching(/^isolation: 0 foreign/));
      for (const s of segs.slice(1)) {
        // The segment line, and nothing that prepares a cell (the open-file check is no preparation).
        expect(s.prepared[0]).toMatch(/^profile segment \d of 3: continues/);
        expect(s.prepared.filter((l) => /^(isolation|drained|checkpoint|vacuum|settle)/i.test(l))).toEqual(
          [],
        );
      }
      const order = cells.filter((c) => c.config === config).map((c) => c.workload);
      expect(order.indexOf('burst.s2') - order.indexOf('burst.s1')).toBe(1);
      expect(order.indexOf('burst.s3') - order.indexOf('burst.s2')).toBe(1);
      // No checkpoint or settle between segments: the gap is pgbench's restart (and the sampler's).
      for (let i = 1; i < 3; i++) {
        const gap = Date.parse(segs[i]?.startedAt ?? '') - Date.parse(segs[i - 1]?.endedAt ?? '');
        expect(gap).toBeLessThan(1500);
      }
    }
  });

  it("builds the profile's time series on one axis: offered vs achieved, latency, lag, pools, backends", () => {
    const sourced = cells.map((c) => ({ cell: c, dir: runDir }));
    const profiles = profileSeries(loadCellSeries(sourced as never), cells);
    expect(profiles.map((p) => p.cellId).sort()).toEqual([
      'profile:direct__burst__c4__r1',
      'profile:pgbouncer-tx__burst__c4__r1',
    ]);
    for (const p of profiles) {
      expect(p.events.map((e) => e.t)[0]).toBe(0);
      expect(p.events).toHaveLength(3);
      expect(p.segments).toEqual([expect.objectContaining({ label: 'burst 400 tps' })]);
      expect(p.durationS).toBeGreaterThanOrEqual(6);
      expect(p.durationS).toBeLessThan(9);
      const of = (panel: string, series: string) =>
        p.points.filter((x) => x.panel === panel && x.series === series);
      expect(of('tps', 'offered (-R)').map((x) => x.value)).toEqual([50, 50, 400, 400, 50, 50]);
      const log = of('tps', 'per-transaction log');
      // Seconds of all three segments, in order on one axis, with the burst's seconds the busiest.
      expect(Math.max(...log.map((x) => x.t))).toBeGreaterThan(5);
      const inBurst = log.filter((x) => x.t > (p.events[1]?.t ?? 0) + 1 && x.t <= (p.events[2]?.t ?? 0));
      expect(Math.max(...inBurst.map((x) => x.value))).toBeGreaterThan(150);
      expect(of('latency', 'p99').length).toBeGreaterThanOrEqual(5);
      expect(of('wait', 'schedule lag (mean)').length).toBeGreaterThanOrEqual(5);
      expect(of('backends', 'total').length).toBeGreaterThan(3);
      if (p.config === 'pgbouncer-tx') {
        expect(of('pgbouncer', 'cl_waiting').length).toBeGreaterThan(3);
        expect(of('wait', 'maxwait').length).toBeGreaterThan(3);
        // The pool of 2 is all the server side PgBouncer holds.
        expect(Math.max(...of('pgbouncer', 'sv_active').map((x) => x.value))).toBeLessThanOrEqual(2);
      }
    }
    const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('id="offered-load"');
    expect(html).toContain('data-cell="profile:pgbouncer-tx__burst__c4__r1"');
  });

  it('shows skipped transactions and schedule lag for a rate far beyond capacity, never its TPS as met', () => {
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as { rows: Row[] };
    for (const config of CONFIGS) {
      const c = cell(config, 'over.r200000') as CompletedCell;
      expect(c.summary.skipped).toBeGreaterThan(0);
      expect(c.latency?.skipped).toBe(c.summary.skipped);
      expect(c.summary.lagAvgMs).toBeGreaterThan(0);
      expect(c.latency?.lag?.maxMs).toBeGreaterThan(0);
      const row = summary.rows.find((r) => r.config === config && r.workload === 'over.r200000');
      expect(row?.load).toMatchObject({ offeredTps: 200000, met: false, skipped: c.summary.skipped });
      expect(row?.load?.achievedTps).toBeLessThan(200000 / 2);
      const low = summary.rows.find((r) => r.config === config && r.workload === 'over.r100');
      // The low rate is served (this machine is shared: a stall past -L may skip a few, and
      // then the report says so too; the figures below hold either way).
      expect(low?.load?.offeredTps).toBe(100);
      expect(low?.load?.achievedRatio).toBeGreaterThan(0.6);
      expect(low?.load?.skipped).toBeLessThan(0.1 * (low?.load?.scheduled ?? 0));
    }
    const findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('## Offered load');
    expect(findings).toMatch(
      /\| over \| direct \| 4 \| – \| 200,000 \| [\d,.]+ \| [\d.]+ ?% \| \*\*no\*\* \| [\d.,]+ \| [\d,]+ \|/,
    );
    expect(findings).toMatch(
      /rate-not-met.*direct \/ over\.r200000 \/ 4 clients: offered 200,000 tps, achieved/,
    );
    expect(findings).toMatch(/clients disconnect and reconnect/);
    // report.html: the same rows, the shortfall marked.
    const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
    const overRows = summary.rows.flatMap((r, i) => (r.workload === 'over.r200000' ? [i] : []));
    for (const i of overRows) expect(html).toContain(`<tr data-row="${i}" class="not-met">`);
  });
});
