import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import type { FigureContext } from '../../summarize/figures/figure.js';
import { poolsFigure } from '../../summarize/figures/pools/figure.js';
import type { Row } from '../../summarize/model/row.js';
import { runMatrixText } from '../helpers/cli.js';

/**
 * The three pool topologies of docs/tenants.md on real PostgreSQL, PgBouncer and pgbench, in one
 * run: one shared pool, one pool per group (its own [databases] entry) and one PgBouncer process per
 * group. What each group's clients reached is read from the samplers' SHOW POOLS rows of each cell
 * (per database and, for separate processes, per process), and the isolation figure's rows from
 * summary.json.
 */
const MATRIX = `
name: topologies-test
duration: 2s
warmup: 0s
settle: 200ms
reps: 2
scale: 1
concurrency: [1]
auth: trust
provider: native
sample_interval: 250ms
baseline: shared
configs:
  - { name: shared, kind: pgbouncer, pool_mode: transaction, default_pool_size: 4 }
  - { name: per-pool, kind: pgbouncer, pool_mode: transaction, default_pool_size: 4, pool_per_group: true }
  - { name: per-process, kind: pgbouncer, pool_mode: transaction, default_pool_size: 4, pgbouncer_per_group: true }
workloads:
  - name: noisy
    mix:
      - { name: web, builtin: readonly, clients: 2, rate: 100 }
      - { name: batch, builtin: tpcb, clients: 6 }
  - name: quiet
    mix:
      - { name: web, builtin: readonly, clients: 2, rate: 100 }
`;

interface PoolRow {
  database: string;
  group?: string;
  clActive: number;
  clWaiting: number;
  svActive: number;
}
interface PoolSample {
  kind: string;
  pools?: PoolRow[];
  workers?: Array<{ worker: number; clActive: number }>;
}

/** The cell's SHOW POOLS samples (samples.jsonl of its directory). */
function poolSamples(runDir: string, cell: CellRecord): PoolSample[] {
  const file = path.join(runDir, 'cells', cell.id, 'samples.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kind":"pgbouncer"'))
    .map((l) => JSON.parse(l) as PoolSample);
}

/** Peak of f over every sample's pools of `database`. */
function peak(samples: PoolSample[], database: string, f: (p: PoolRow) => number): number {
  return Math.max(
    0,
    ...samples.flatMap((s) => (s.pools ?? []).filter((p) => p.database === database).map(f)),
  );
}

describe('pool topologies for a noisy neighbour (native)', () => {
  let runDir: string;
  let cells: CellRecord[];
  let exitCode: number | undefined;
  let output: string;

  beforeAll(async () => {
    ({ runDir, cells, output, exitCode } = await runMatrixText('topo', MATRIX));
  }, 150_000);

  const noisy = (config: string) => cells.filter((c) => c.config === config && c.workload === 'noisy');

  it('ran every cell of the three topologies', () => {
    expect(exitCode, output).toBe(0);
    expect(cells.map((c) => c.state).every((s) => s === 'completed')).toBe(true);
    expect(new Set(cells.map((c) => c.config))).toEqual(new Set(['shared', 'per-pool', 'per-process']));
  });

  it('a shared pool: every group in the one database entry', () => {
    for (const c of noisy('shared')) {
      const s = poolSamples(runDir, c);
      expect(new Set(s.flatMap((x) => (x.pools ?? []).map((p) => p.database)))).toEqual(new Set(['bench']));
      expect(peak(s, 'bench', (p) => p.clActive + p.clWaiting)).toBeGreaterThan(2); // more than web's own clients
    }
  });

  it("a pool per group: each group's clients in its own pool, holding its share (4 / 2 groups) of servers", () => {
    for (const c of noisy('per-pool')) {
      const s = poolSamples(runDir, c);
      expect(peak(s, 'bench__web', (p) => p.clActive + p.clWaiting)).toBe(2);
      expect(peak(s, 'bench__batch', (p) => p.clActive + p.clWaiting)).toBeGreaterThan(2);
      expect(peak(s, 'bench__batch', (p) => p.clActive + p.clWaiting)).toBeLessThanOrEqual(6);
      expect(peak(s, 'bench__batch', (p) => p.svActive)).toBeLessThanOrEqual(2);
      expect(peak(s, 'bench', (p) => p.clActive + p.clWaiting)).toBe(0);
    }
  });

  it("a PgBouncer per group: each group's clients on its own process, none on the config's own", () => {
    for (const c of noisy('per-process')) {
      const workers = poolSamples(runDir, c).flatMap((x) => x.workers ?? []);
      const peakOf = (w: number) =>
        Math.max(0, ...workers.filter((x) => x.worker === w).map((x) => x.clActive));
      // worker 1 is the config's own process; 2 and 3 are web's and batch's (the mix's order)
      expect(peakOf(1)).toBe(0);
      expect(peakOf(2)).toBe(2);
      expect(peakOf(3)).toBeGreaterThan(0);
      expect(peakOf(3)).toBeLessThanOrEqual(6);
      // Each process's SHOW POOLS rows are tagged with it: batch's pool is batch's, not a sum.
      const batchPools = poolSamples(runDir, c).flatMap((x) =>
        (x.pools ?? []).filter((p) => p.group === 'batch'),
      );
      expect(batchPools.length).toBeGreaterThan(0);
      expect(Math.max(...batchPools.map((p) => p.svActive))).toBeLessThanOrEqual(2);
      const ports = new Set(c.groups?.map((g) => g.argv[g.argv.indexOf('-p') + 1]));
      expect(ports.size).toBe(2);
    }
  });

  it("summary.json has the isolation figure's rows: each topology's web with batch against web alone", () => {
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as {
      rows: Array<{
        config: string;
        workload: string;
        group?: string;
        alone?: {
          workload: string;
          without: string[];
          p99Ratio?: { pairs: number };
          p99VsOthers?: Array<{ config: string; pairs: number }>;
        };
      }>;
    };
    for (const config of ['shared', 'per-pool', 'per-process']) {
      const r = summary.rows.find((x) => x.config === config && x.workload === 'noisy' && x.group === 'web');
      expect(r?.alone).toMatchObject({ workload: 'quiet', without: ['batch'] });
      expect(r?.alone?.p99Ratio?.pairs).toBe(2);
    }
    // The two separated topologies against each other, and the baseline's row against both.
    const of = (config: string) =>
      summary.rows.find((x) => x.config === config && x.workload === 'noisy' && x.group === 'web')?.alone
        ?.p99VsOthers;
    expect(of('per-pool')?.map((v) => [v.config, v.pairs])).toEqual([['per-process', 2]]);
    expect(of('shared')?.map((v) => v.config)).toEqual(['per-pool', 'per-process']);
    const md = readFileSync(path.join(runDir, 'summary.md'), 'utf8');
    expect(md).toContain('Noisy neighbour: quiet groups with and without it');
    expect(md).toMatch(/\| web \| noisy \(\+ batch\) \| per-pool \| per-process \|/);
    // Which topology kept web's p99 lowest: named, or that the 2 reps cannot tell, never neither.
    const findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toMatch(
      /kept (group web's p99|the p99 of every quiet group)|cannot tell which of the 3 topologies/,
    );
  });

  it("summary.json has the pools figure: a pool per group's waiting under its group, every pointer resolving", () => {
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as { rows: Row[] };
    const row = summary.rows.find(
      (x) => x.config === 'per-pool' && x.workload === 'noisy' && x.group === undefined,
    );
    const pools = row?.pools?.pools ?? [];
    const batch = pools.find((p) => p.database === 'bench__batch');
    expect(batch?.group).toBe('batch');
    expect(pools.find((p) => p.database === 'bench__web')?.group).toBe('web');
    // 6 closed-loop tpcb clients on batch's pool of 2 servers: clients queue for a server.
    expect(batch?.clWaitingPeak ?? 0).toBeGreaterThan(0);
    expect(batch?.svActivePeak ?? 0).toBeLessThanOrEqual(2);
    expect(row?.pools?.cost?.pssMeanBytes ?? 0).toBeGreaterThan(0);
    const resolve = (p: string) =>
      p
        .split('/')
        .slice(1)
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], summary);
    const ctx = { rows: summary.rows, options: { warnings: [] } } as unknown as FigureContext;
    const rows = poolsFigure.rows(ctx);
    let checked = 0;
    for (const t of poolsFigure.tables) {
      const tRows = (t.select ? t.select(rows, ctx) : rows) as unknown[];
      for (const c of t.columns(tRows as never, ctx))
        for (const r of tRows) {
          const p = c.pointer?.(r as never);
          const v = c.value?.(r as never);
          if (p === undefined || v === undefined) continue;
          expect(resolve(p), `${t.id} ${c.header} ${p}`).toBe(v);
          checked++;
        }
    }
    expect(checked).toBeGreaterThan(20);
    const md = readFileSync(path.join(runDir, 'summary.md'), 'utf8');
    expect(md).toContain('PgBouncer pools: who waited, and what pools cost');
    expect(md).toMatch(/\| batch \| bench__batch \/ /);
    // The per-group processes' pools share a name (bench / role) but each is its own process's:
    // batch's waiting is under group batch, as with a pool per group, and no note says otherwise.
    const perProcess = summary.rows.find(
      (x) => x.config === 'per-process' && x.workload === 'noisy' && x.group === undefined,
    )?.pools;
    const procBatch = perProcess?.pools.find((p) => p.group === 'batch');
    expect(procBatch?.process).toBe('pgbouncer:per-process/group-batch');
    expect(procBatch?.database).toBe('bench');
    expect(procBatch?.clWaitingPeak ?? 0).toBeGreaterThan(0);
    expect(perProcess?.pools.find((p) => p.group === 'web')?.process).toBe('pgbouncer:per-process/group-web');
    expect(perProcess?.poolsPeak ?? 0).toBeGreaterThanOrEqual(2);
    expect(md).toMatch(/\| per-process \| noisy \| \d+ \| batch \| bench \/ /);
    expect(md).not.toContain('per-process runs a PgBouncer per mix group');
  });

  it("FINDINGS Setup says each group's pool (from run.json's topologies), not the config's whole pool", () => {
    const findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('`shared` (pgbouncer, transaction mode, pool 4)');
    expect(findings).toContain(
      '`per-pool` (pgbouncer, transaction mode, a pool per group, each a pool of 2: web, batch)',
    );
    expect(findings).toContain(
      '`per-process` (pgbouncer, transaction mode, a PgBouncer per group, each a pool of 2: web, batch)',
    );
  });
});
