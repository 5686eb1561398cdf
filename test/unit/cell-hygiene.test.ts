import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { writtenDatabases } from '../../src/matrix/workload.js';
import { databasesToDrain, drainedLine, vacuumLine } from '../../src/runner/prepare.js';

const pool = (
  database: string,
  n: Partial<Record<'svActive' | 'svIdle' | 'svUsed' | 'clActive' | 'clWaiting', number>>,
) => ({
  database,
  user: 'bench_pgb',
  clActive: 0,
  clWaiting: 0,
  svActive: 0,
  svIdle: 0,
  svUsed: 0,
  maxwaitMs: 0,
  ...n,
});

describe('between cells: every pool and every written database', () => {
  it("drains the path's database and every other pool that holds a connection", () => {
    const pools = [
      pool('bench', {}),
      pool('bench__web', { svIdle: 1 }),
      pool('bench_t2', { svUsed: 2 }),
      pool('bench_t2', { svActive: 1 }),
      pool('bench_t3', {}),
    ];
    expect(databasesToDrain(pools, 'bench')).toEqual(['bench', 'bench__web', 'bench_t2']);
    expect(drainedLine('pgb', ['bench'])).toBe('drained pgbouncer server pool (pgb)');
    expect(drainedLine('pgb', ['bench', 'bench__web', 'bench_t2'])).toBe(
      'drained pgbouncer server pools (pgb: bench, bench__web, bench_t2)',
    );
  });

  it('vacuums each database a writing group used, the line as before for bench alone', () => {
    const m = parseMatrix(
      `
duration: 2s
concurrency: [1]
tenants: { databases: 2, roles: 1 }
configs: [{ name: pgb, kind: pgbouncer }]
workloads:
  - tpcb
  - readonly
  - name: mixed
    mix:
      - { name: web, builtin: readonly, clients: 1 }
      - { name: w, builtin: tpcb, clients: 1, tenant: each }
  - name: quiet
    mix: [{ name: web, builtin: readonly, clients: 1, database: bench_t1 }]
`,
      'h.yaml',
    );
    const of = (name: string) => {
      const w = m.workloads.find((x) => x.name === name);
      if (!w) throw new Error(`no workload ${name}`);
      return w;
    };
    expect(writtenDatabases(of('tpcb'), 'bench')).toEqual(['bench']);
    expect(writtenDatabases(of('readonly'), 'bench')).toEqual([]);
    expect(writtenDatabases(of('mixed'), 'bench')).toEqual(['bench_t1', 'bench_t2']);
    expect(writtenDatabases(of('quiet'), 'bench')).toEqual([]);
    expect(vacuumLine(['bench'])).toBe('vacuum pgbench_branches, pgbench_tellers; truncate pgbench_history');
    expect(vacuumLine(['bench_t1', 'bench_t2'])).toBe(
      'vacuum pgbench_branches, pgbench_tellers; truncate pgbench_history (in bench_t1, bench_t2)',
    );
  });
});
