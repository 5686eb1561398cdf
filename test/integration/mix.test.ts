import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LatencySecondsJSON } from '../../src/pgbench/txlog.js';
import { CELL_FILES, groupSecondsFile } from '../../src/results/paths.js';
import type { CellRecord, CompletedCell, GroupRecord } from '../../src/results/types.js';
import { loadCellSeries } from '../../summarize/input/cell-series-files.js';
import { bench, runMatrixText, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Client groups in one cell on real PostgreSQL and pgbench (docs/tenants.md): a steady readonly
 * group at a fixed rate and a tpcb group, started together. The tpcb group is split over two pgbench
 * processes (clients_per_pgbench: 2) so a group's own logs span processes. The raw logs are kept and
 * every per-group figure is checked against them, recomputed here from the lines on disk. A second
 * mix has a group with a profile of its own: three 1 s segments chained beside a group that runs
 * the whole cell.
 */
const MATRIX = `
name: mix-test
duration: 3s
warmup: 0s
settle: 200ms
reps: 1
scale: 1
concurrency: [1]
auth: trust
provider: native
keep_raw_logs: true
clients_per_pgbench: 2
configs:
  - { name: direct, kind: direct }
workloads:
  - name: tenants
    mix:
      - { name: web, builtin: readonly, clients: 2, rate: 150, role: bench_direct, database: bench }
      - { name: batch, builtin: tpcb, clients: 3 }
  - name: bursty
    mix:
      - { name: steady, builtin: readonly, clients: 2, rate: 100 }
      - name: burst
        builtin: readonly
        clients: 3
        profile: { shape: step, base: 40, segment: 1s, duration: 3s, bursts: [{ at: 1s, for: 1s, rate: 400 }] }
`;

/** One line of a pgbench per-transaction log: latency in µs, or undefined for skipped/failed. */
function latencies(file: string): { us: number[]; epochs: number[] } {
  const us: number[] = [];
  const epochs: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const t = Number(f[2]);
    if (!Number.isInteger(t)) continue;
    us.push(t);
    epochs.push(Number(f[4]) + Number(f[5]) / 1e6);
  }
  return { us, epochs };
}

/** Nearest rank over the sorted values (the rule of docs/percentiles.md), in ms. */
function nearestRankMs(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9)));
  return (sorted[rank - 1] as number) / 1000;
}

/** The group's own log files: `<prefix>.<pid>[.<thread>]`, or `<prefix>_p<i>.…` when it was split. */
function groupLogs(dir: string, prefix: string): string[] {
  const own = new RegExp(`^${prefix}(_p\\d+)?\\.\\d+(\\.\\d+)?$`);
  return readdirSync(dir)
    .filter((f) => own.test(f))
    .map((f) => path.join(dir, f));
}

describe('a cell of two client groups running at once (native)', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;

  beforeAll(async () => {
    ({ runDir, cells, output, exitCode } = await runMatrixText('mix', MATRIX));
  }, 120_000);

  const cellOf = (workload: string) => {
    expect(exitCode, output).toBe(0);
    expect(cells, output).toHaveLength(2);
    const c = cells.find((x) => x.workload === workload) as CompletedCell;
    expect(c.state, output).toBe('completed');
    return c;
  };
  const theCell = () => cellOf('tenants');
  const group = (c: CellRecord, name: string) => c.groups?.find((g) => g.name === name) as GroupRecord;

  it('runs each group as its own pgbench processes, with its own workload, clients, rate and role', () => {
    const c = theCell();
    expect(c.groups?.map((g) => g.name)).toEqual(['web', 'batch']);
    const web = group(c, 'web');
    const batch = group(c, 'batch');
    expect([web.clients, batch.clients]).toEqual([2, 3]);
    expect(web.processes).toBe(1);
    expect(batch.processes).toBe(2);
    expect(web.argv).toContain('-S');
    expect(web.argv.slice(web.argv.indexOf('-R'), web.argv.indexOf('-R') + 2)).toEqual(['-R', '150']);
    expect(batch.argv).not.toContain('-S');
    expect(batch.argv).not.toContain('-R');
    expect([web.role, web.database]).toEqual(['bench_direct', 'bench']);
    expect(c.pgbenchProcesses?.map((p) => p.clients)).toEqual([2, 2, 1]);
    // The rate-limited group reports its schedule lag, from its own log.
    expect(web.latency?.lag?.meanMs).toBeGreaterThanOrEqual(0);
    expect(batch.latency?.lag).toBeUndefined();
    // The tpcb group's transactions wrote: both groups did real work in the same seconds.
    expect(web.summary?.processed).toBeGreaterThan(0);
    expect(batch.summary?.processed).toBeGreaterThan(0);
  });

  it("sums the groups' transactions to the cell's total", () => {
    const c = theCell();
    const gs = c.groups ?? [];
    const sum = (f: (g: GroupRecord) => number | undefined) => gs.reduce((a, g) => a + (f(g) ?? 0), 0);
    expect(sum((g) => g.summary?.processed)).toBe(c.summary.processed);
    expect(sum((g) => g.summary?.failed)).toBe(c.summary.failed);
    expect(sum((g) => g.latency?.count)).toBe(c.latency?.count);
    expect(sum((g) => g.summary?.tps)).toBeCloseTo(c.summary.tps ?? Number.NaN, 6);
  });

  it("takes each group's percentiles from its own per-transaction logs, and the total's from all of them", () => {
    const c = theCell();
    const dir = path.join(runDir, 'cells', c.id);
    const all: number[] = [];
    const starts: number[] = [];
    const seen = new Set<string>();
    for (const g of c.groups ?? []) {
      const files = groupLogs(dir, g.logPrefix);
      expect(files.length, g.name).toBeGreaterThan(0);
      for (const f of files) {
        expect(seen.has(f), f).toBe(false);
        seen.add(f);
      }
      const logs = files.map(latencies);
      const us = logs.flatMap((l) => l.us).sort((a, b) => a - b);
      starts.push(Math.min(...logs.flatMap((l) => l.epochs)));
      all.push(...us);
      expect(g.latency?.count, g.name).toBe(us.length);
      expect(g.latency?.histogramFile).toBe(`latency-histogram.${g.name}.json`);
      for (const [p, key] of [
        [50, 'p50Ms'],
        [90, 'p90Ms'],
        [99, 'p99Ms'],
        [100, 'maxMs'],
      ] as const) {
        expect(g.latency?.[key], `${g.name} p${p}`).toBe(nearestRankMs(us, p));
      }
    }
    // Every log file of the cell belongs to exactly one group.
    expect(readdirSync(dir).filter((f) => f.startsWith('pgbench_log')).length).toBe(seen.size);
    all.sort((a, b) => a - b);
    expect(c.latency?.p99Ms).toBe(nearestRankMs(all, 99));
    expect(c.latency?.p50Ms).toBe(nearestRankMs(all, 50));
    // Started together: each group's first transaction within a second of the other's.
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(1);
    // The two groups' latencies differ in kind (a select against a five-statement write):
    // the figures are not one histogram copied twice.
    expect(group(c, 'web').latency?.p50Ms).not.toBe(group(c, 'batch').latency?.p50Ms);
  });

  it("writes each group's seconds from its own logs, on the cell's axis, summing to its transactions", () => {
    const c = theCell();
    const dir = path.join(runDir, 'cells', c.id);
    const read = (file: string) =>
      (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as LatencySecondsJSON).seconds;
    const cellSeconds = read(CELL_FILES.latencySeconds);
    const cellTs = cellSeconds.map((s) => s.t);
    const perT = new Map<number, number>();
    for (const g of c.groups ?? []) {
      const own = read(groupSecondsFile(g.name));
      expect(own.length, g.name).toBeGreaterThan(0);
      expect(
        own.reduce((a, s) => a + s.count, 0),
        g.name,
      ).toBe(g.latency?.count);
      expect(
        own.reduce((a, s) => a + s.failed, 0),
        g.name,
      ).toBe(g.latency?.failed);
      // Recomputed from the group's raw logs: its transactions per epoch second of completion.
      const fromLogs = new Map<number, number>();
      for (const f of groupLogs(dir, g.logPrefix))
        for (const e of latencies(f).epochs)
          fromLogs.set(Math.floor(e), (fromLogs.get(Math.floor(e)) ?? 0) + 1);
      expect(
        own.map((s) => [s.t, s.count]),
        g.name,
      ).toEqual([...fromLogs].sort((a, b) => a[0] - b[0]));
      for (const s of own) {
        // Every second of a group is a second of the cell (same epoch axis).
        expect(cellTs, `${g.name} ${s.t}`).toContain(s.t);
        perT.set(s.t, (perT.get(s.t) ?? 0) + s.count);
      }
      // The rate-limited group carries its schedule lag per second; the other none.
      expect(
        own.some((s) => s.lagMeanMs !== undefined),
        g.name,
      ).toBe(g.name === 'web');
    }
    // Second by second, the groups add up to the cell.
    for (const s of cellSeconds) expect(perT.get(s.t) ?? 0, String(s.t)).toBe(s.count);
  });

  it("draws each group's tps, latency and lag beside the cell's total in its time series", () => {
    const c = theCell();
    const [series] = loadCellSeries([{ cell: c, dir: runDir }] as never);
    const names = new Set(series?.points.map((p) => p.series));
    for (const n of ['per-transaction log', 'p99', 'web tps', 'web p50', 'web p99', 'batch tps', 'batch p99'])
      expect(names.has(n), n).toBe(true);
    expect(names.has('web schedule lag (mean)')).toBe(true);
    expect(names.has('batch schedule lag (mean)')).toBe(false);
    expect(series?.groups?.map((g) => [g.name, g.count])).toEqual(
      (c.groups ?? []).map((g) => [g.name, g.latency?.count]),
    );
    expect(readFileSync(path.join(runDir, 'report.html'), 'utf8')).toContain('web p99');
  });

  it('reports a row per group with a group column, beside the total', () => {
    const c = theCell();
    const csv = readFileSync(path.join(runDir, 'summary.csv'), 'utf8').trim().split('\n');
    const header = (csv[0] ?? '').split(',');
    const gi = header.indexOf('group');
    const wi = header.indexOf('workload');
    expect(gi).toBeGreaterThan(-1);
    const mine = csv.slice(1).filter((l) => l.split(',')[wi] === 'tenants');
    expect(mine.map((l) => l.split(',')[gi])).toEqual(['', 'web', 'batch']);
    const json = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as {
      rows: Array<{ workload: string; group?: string; processed: number; latency?: { p99Ms: number } }>;
      totals: { transactions: number };
    };
    const rows = json.rows.filter((r) => r.workload === 'tenants');
    expect(rows.map((r) => r.group)).toEqual([undefined, 'web', 'batch']);
    expect(rows[1]?.latency?.p99Ms).toBe(group(c, 'web').latency?.p99Ms);
    expect(rows[2]?.latency?.p99Ms).toBe(group(c, 'batch').latency?.p99Ms);
    // The run's total counts each mix once.
    expect(json.totals.transactions).toBe(c.summary.processed + cellOf('bursty').summary.processed);
  });

  it("runs a group's profile as chained segments at their rates while the other group runs the whole cell", () => {
    const c = cellOf('bursty');
    const dir = path.join(runDir, 'cells', c.id);
    const steady = group(c, 'steady');
    const burst = group(c, 'burst');
    const segs = burst.segments ?? [];
    expect(segs.map((s) => [s.index, s.startMs, s.durationMs, s.rate, s.burst, s.processes])).toEqual([
      [1, 0, 1000, 40, false, 2],
      [2, 1000, 1000, 400, true, 2],
      [3, 2000, 1000, 40, false, 2],
    ]);
    expect(burst.load?.profile?.rates).toEqual([40, 400, 40]);
    expect(burst.load?.rate).toBe(160);
    // Each segment ran at its own rate (loosely: a Poisson schedule over 1 s on a shared machine).
    for (const s of segs) {
      const n = s.summary?.processed ?? 0;
      expect(n, `segment ${s.index}`).toBeGreaterThan(0.4 * s.rate);
      expect(n, `segment ${s.index}`).toBeLessThan(1.6 * s.rate + 10);
      expect(s.exitCode).toBe(0);
    }
    const [s1, s2, s3] = segs.map((s) => s.summary?.processed ?? 0) as [number, number, number];
    expect(s2).toBeGreaterThan(3 * Math.max(s1, s3));
    // One after another: each started when the one before it had run its second (the stamps are
    // taken as each pgbench is spawned, so a slow spawn of the one before shortens a gap a little).
    const at = segs.map((s) => s.startedAfterMs ?? Number.NaN);
    expect(at[0]).toBeLessThan(500);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThan(800);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThan(800);
    // The group's record is over all its segments: transactions add, TPS does not.
    expect(burst.summary?.processed).toBe(s1 + s2 + s3);
    expect(burst.latency?.count).toBe(s1 + s2 + s3);
    const segTps = segs.reduce((a, s) => a + (s.summary?.tps ?? 0), 0);
    expect(burst.summary?.tps).toBeLessThan(0.7 * segTps);
    expect(burst.summary?.durationS).toBe(3);
    // Its logs, by segment, on disk: each segment's under its own prefix, in time order.
    const spans = segs.map((s) => {
      const files = groupLogs(dir, s.logPrefix);
      expect(files.length, s.logPrefix).toBeGreaterThan(0);
      const ep = files.flatMap((f) => latencies(f).epochs);
      return { n: ep.length, from: Math.min(...ep), to: Math.max(...ep) };
    });
    expect(spans.map((x) => x.n)).toEqual([s1, s2, s3]);
    expect(spans[1]?.from).toBeGreaterThan((spans[0]?.to ?? 0) - 0.05);
    expect(spans[2]?.from).toBeGreaterThan((spans[1]?.to ?? 0) - 0.05);
    // Its seconds on the cell's axis (latency-seconds.burst.json) are over every segment's logs:
    // they sum to its transactions, and its busiest second lies in the burst.
    const own = (
      JSON.parse(readFileSync(path.join(dir, groupSecondsFile('burst')), 'utf8')) as LatencySecondsJSON
    ).seconds;
    expect(own.reduce((a, x) => a + x.count, 0)).toBe(s1 + s2 + s3);
    const busiest = own.reduce((a, x) => (x.count > a.count ? x : a));
    expect(busiest.t + 1).toBeGreaterThan(spans[1]?.from ?? 0);
    expect(busiest.t).toBeLessThan(spans[1]?.to ?? 0);
    // The steady group ran the whole cell as one pgbench, across the burst.
    expect(steady.processes).toBe(1);
    expect(steady.segments).toBeUndefined();
    expect(steady.argv[steady.argv.indexOf('-T') + 1]).toBe('3');
    const steadyEnds = groupLogs(dir, steady.logPrefix).flatMap((f) => latencies(f).epochs);
    expect(Math.min(...steadyEnds)).toBeLessThan(spans[1]?.from ?? 0);
    expect(Math.max(...steadyEnds)).toBeGreaterThan(spans[1]?.to ?? 0);
    // The cell's total: the groups side by side.
    expect(c.summary.processed).toBe((steady.summary?.processed ?? 0) + s1 + s2 + s3);
    expect(c.summary.tps).toBeCloseTo((steady.summary?.tps ?? 0) + (burst.summary?.tps ?? 0), 6);
    expect(c.argv[c.argv.indexOf('-T') + 1]).toBe('3');
  });
});

describe('bad mixes exit 2 before anything starts, naming the field', () => {
  const dir = tempDir('bench-mix-input-');
  const matrix = (mix: string, extra = '') => {
    const file = path.join(dir, `m${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `duration: 1s\nconcurrency: [1]\nprovider: native\n${extra}configs:\n  - { name: direct, kind: direct }\nworkloads:\n  - name: tenants\n    mix:\n${mix}`,
    );
    return file;
  };
  const rejected = async (file: string, message: RegExp) => {
    const results = tempResults();
    const r = await bench(['run', file, '--results-dir', results], { timeout: 30_000 });
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.stderr)).toMatch(message);
    expect(readdirSync(results)).toEqual([]);
  };

  it('refuses two groups with one name', async () => {
    await rejected(
      matrix(
        '      - { name: a, builtin: tpcb, clients: 1 }\n      - { name: a, builtin: readonly, clients: 1 }\n',
      ),
      /workloads\[0\]\.mix\[1\]\.name: .*unique group name/,
    );
  });
  it('refuses a group without a workload', async () => {
    await rejected(
      matrix('      - { name: a, clients: 1 }\n'),
      /workloads\[0\]\.mix\[0\]: .*exactly one of "builtin" or "script"/,
    );
  });
  it('refuses a role or a database the stack does not create', async () => {
    await rejected(
      matrix('      - { name: a, builtin: tpcb, clients: 1, role: tenant_7 }\n'),
      /workloads\[0\]\.mix\[0\]\.role: expected a role the stack creates for config direct \(bench_direct/,
    );
    await rejected(
      matrix('      - { name: a, builtin: tpcb, clients: 1, database: tenant_7 }\n'),
      /workloads\[0\]\.mix\[0\]\.database: expected a database the stack creates for config direct \(bench\)/,
    );
  });
  it("refuses a group's profile whose duration is not the cell's, and a profile beside a rate", async () => {
    await rejected(
      matrix(
        '      - { name: a, builtin: tpcb, clients: 1, profile: { shape: constant, rate: 5, duration: 2s, segment: 1s } }\n',
      ),
      /workloads\[0\]\.mix\[0\]\.profile\.duration: expected the cell's measured duration \(the matrix's duration, or --duration: 1 s\), got 2 s/,
    );
    await rejected(
      matrix(
        '      - { name: a, builtin: tpcb, clients: 1, rate: 5, profile: { shape: constant, rate: 5, duration: 1s, segment: 1s } }\n',
      ),
      /workloads\[0\]\.mix\[0\]\.profile: expected either "rate" or "profile" on a group, not both/,
    );
  });
  it('refuses groups whose clients together exceed what the stack is sized for', async () => {
    await rejected(
      matrix(
        '      - { name: a, builtin: tpcb, clients: 60 }\n      - { name: b, builtin: readonly, clients: 30 }\n',
        'postgres: { settings: { max_connections: 100 } }\n',
      ),
      /workloads\[0\]\.mix: expected groups whose clients fit .*max_connections 100 less 20.*they hold 90 \(a 60, b 30\)/,
    );
  });
});
