import { describe, expect, it } from 'vitest';
import { parseCachegrind } from '../../src/runner/cost-cachegrind.js';
import type { CostCell } from '../../src/runner/cost-plan.js';
import { costComponent, costFailure, costRecord } from '../../src/runner/cost-record.js';

const cg = (ir: number) => parseCachegrind(`events: Ir\nfl=a.c\nfn=main\n1 ${ir}\nsummary: ${ir}\n`);
const perf = (syscalls: number) => ({
  method: 'perf' as const,
  perf: { ok: true as const, counts: { syscalls, contextSwitches: 2, taskClockMs: 1.5, pageFaults: 10 } },
});

const cell: CostCell = {
  id: 'cost__pgb__readonly__t200__r1__valgrind',
  index: 3,
  config: 'pgb',
  workload: 'readonly',
  method: 'valgrind',
  transactions: 200,
  clients: 1,
  perClient: 200,
  repeat: 1,
  reconnect: false,
  roles: ['pgbouncer'],
};
const ok = { exitCode: 0, processed: 200, failed: 0, errorLines: [] };

describe('costComponent', () => {
  it('sums every process of every wrapped process (PgBouncer workers) under valgrind', () => {
    const c = costComponent('pgbouncer', [
      { method: 'valgrind', files: [cg(100), cg(50)] },
      { method: 'valgrind', files: [cg(25)] },
    ]);
    expect(c).toMatchObject({ component: 'pgbouncer', processes: 3, instructions: 175, symbolized: true });
    expect(c.functions).toEqual([{ fn: 'main', file: 'a.c', instructions: 175 }]);
  });

  it('sums perf counts over the wrapped processes', () => {
    expect(costComponent('pgbouncer', [perf(10), perf(5)])).toEqual({
      component: 'pgbouncer',
      processes: 2,
      syscalls: 15,
      contextSwitches: 4,
      taskClockMs: 3,
      pageFaults: 20,
    });
  });

  it('says why counts are missing', () => {
    expect(costComponent('proxy', []).error).toMatch(/no proxy process was counted/);
    expect(costComponent('proxy', [{ method: 'valgrind', files: [] }]).error).toMatch(
      /no cachegrind out file/,
    );
    expect(
      costComponent('proxy', [{ method: 'perf', perf: { ok: false, error: 'perf stat did not count x' } }]),
    ).toEqual({
      component: 'proxy',
      processes: 1,
      error: 'perf stat did not count x',
    });
  });
});

describe('costFailure and costRecord', () => {
  it('completes only with every transaction processed and every component counted', () => {
    const comps = [costComponent('pgbouncer', [{ method: 'valgrind', files: [cg(9)] }])];
    expect(costFailure(cell, ok, comps)).toBeUndefined();
    expect(costFailure(cell, { ...ok, processed: 150 }, comps)).toBe(
      'pgbench processed 150 of 200 transactions (0 failed)',
    );
    expect(costFailure(cell, { ...ok, exitCode: 2, errorLines: ['pgbench: error: boom'] }, comps)).toBe(
      'pgbench exited 2: pgbench: error: boom',
    );
    expect(costFailure(cell, ok, [{ component: 'pgbouncer', processes: 0, error: 'gone' }])).toBe(
      'pgbouncer: gone',
    );
  });

  it('writes the contract record', () => {
    const comps = [costComponent('pgbouncer', [{ method: 'valgrind', files: [cg(9)] }])];
    const r = costRecord(cell, {
      startedAt: 'a',
      endedAt: 'b',
      argv: ['-t', '200'],
      pgbench: ok,
      components: comps,
    });
    expect(r).toEqual({
      schema: 1,
      kind: 'cost',
      id: cell.id,
      index: 3,
      config: 'pgb',
      workload: 'readonly',
      method: 'valgrind',
      transactions: 200,
      clients: 1,
      repeat: 1,
      reconnect: false,
      state: 'completed',
      startedAt: 'a',
      endedAt: 'b',
      argv: ['-t', '200'],
      processed: 200,
      failed: 0,
      components: comps,
    });
    const failed = costRecord(cell, {
      startedAt: 'a',
      endedAt: 'b',
      argv: [],
      components: [],
      failure: 'did not start',
    });
    expect(failed).toMatchObject({ state: 'failed', reason: 'did not start', processed: 0 });
  });
});
