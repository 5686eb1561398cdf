import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { runMatrixText } from '../helpers/cli.js';

/**
 * Between two cells of one config on real PostgreSQL, PgBouncer and pgbench: every pool the first
 * cell warmed (a group's own pool, each tenant database's) is drained, and every tenant database it
 * wrote to is vacuumed and its pgbench_history emptied, not bench's alone (docs/tenants.md). And a
 * group's own `pool_size:` (1, where its even share of 6 would be 3) is the pool it runs through.
 */
const MATRIX = `
name: hygiene-test
duration: 1s
warmup: 0s
settle: 0s
reps: 2
scale: 1
concurrency: [1]
auth: trust
provider: native
config_order: fixed
sample_interval: 200ms
tenants: { databases: 2, roles: 1 }
configs:
  - { name: pgb, kind: pgbouncer, pool_mode: transaction, default_pool_size: 6, pool_per_group: true }
workloads:
  - name: mixed
    mix:
      - { name: web, builtin: readonly, clients: 3, pool_size: 1 }
      - { name: w, builtin: tpcb, clients: 1, rate: 50, tenant: each }
`;

describe('between cells: pools drained and tenant databases vacuumed (native)', () => {
  let cells: CellRecord[];
  let runDir: string;
  let output: string;
  let exitCode: number | undefined;

  beforeAll(async () => {
    ({ runDir, cells, output, exitCode } = await runMatrixText('hygiene', MATRIX));
  }, 120_000);

  it("drains the group's pool and the tenant databases' pools, and vacuums each tenant database written", () => {
    expect(exitCode, output).toBe(0);
    expect(cells.map((c) => c.state)).toEqual(['completed', 'completed']);
    const second = (cells[1]?.prepared ?? []).join('\n');
    expect(second).toMatch(/drained pgbouncer server pools \(pgb: bench, .*\)/);
    for (const db of ['bench__web', 'bench_t1', 'bench_t2']) expect(second).toContain(db);
    expect(second).toContain(
      'vacuum pgbench_branches, pgbench_tellers; truncate pgbench_history (in bench_t1, bench_t2)',
    );
  });

  it("is recorded in run.json and caps the servers of the group's pool", () => {
    const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as {
      topologies?: Record<string, { topology: string; pools: Array<{ group: string; poolSize: number }> }>;
    };
    expect(run.topologies?.pgb?.topology).toBe('pool_per_group');
    expect(run.topologies?.pgb?.pools.find((p) => p.group === 'web')?.poolSize).toBe(1);
    // The tenant: each group has no group pool: its copies use their pairs' pools.
    expect(run.topologies?.pgb?.pools.map((p) => p.group)).toEqual(['web']);
    for (const c of cells) {
      const pools = readFileSync(path.join(runDir, 'cells', c.id, 'samples.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"kind":"pgbouncer"'))
        .flatMap((l) => (JSON.parse(l) as { pools?: PoolRow[] }).pools ?? [])
        .filter((p) => p.database === 'bench__web');
      expect(pools.length, c.id).toBeGreaterThan(0);
      expect(Math.max(...pools.map((p) => p.clActive + p.clWaiting)), c.id).toBe(3);
      expect(Math.max(...pools.map((p) => p.svActive + p.svIdle + p.svUsed)), c.id).toBe(1);
    }
  });
});

interface PoolRow {
  database: string;
  clActive: number;
  clWaiting: number;
  svActive: number;
  svIdle: number;
  svUsed: number;
}
