import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { configOrder, planCells, switchesConfig } from '../../src/runner/plan.js';

const matrix = (extra = '') =>
  parseMatrix(
    `
duration: 2s
reps: 3
concurrency: [1, 8]
configs:
  - { name: a, kind: direct }
  - { name: b, kind: pgbouncer }
  - { name: c, kind: pgbouncer }
workloads: [readonly, tpcb]
${extra}`,
    'plan.yaml',
  );

describe('configOrder', () => {
  it('is the same for the same seed and differs between seeds', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    expect(configOrder(names, 10, 'shuffle', 42)).toEqual(configOrder(names, 10, 'shuffle', 42));
    expect(configOrder(names, 10, 'shuffle', 42).reps).not.toEqual(
      configOrder(names, 10, 'shuffle', 43).reps,
    );
  });

  it('puts every config exactly once in every rep', () => {
    const o = configOrder(['a', 'b', 'c'], 20, 'shuffle', 7);
    for (let rep = 1; rep <= 20; rep++)
      expect([...(o.reps[String(rep)] ?? [])].sort()).toEqual(['a', 'b', 'c']);
  });

  it('lets each config run first in some rep (the shuffle is not stuck)', () => {
    const o = configOrder(['a', 'b', 'c'], 30, 'shuffle', 1);
    const firsts = new Set(Object.values(o.reps).map((r) => r[0]));
    expect(firsts).toEqual(new Set(['a', 'b', 'c']));
  });

  it('keeps the file order when fixed', () => {
    const o = configOrder(['a', 'b', 'c'], 3, 'fixed', 99);
    expect(Object.values(o.reps)).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });
});

describe('planCells', () => {
  it('runs every cell of a rep before the next rep, in the rep config order, a config block at a time', () => {
    const m = matrix();
    const order = configOrder(['a', 'b', 'c'], 3, 'shuffle', 5);
    const cells = planCells(m, order);
    expect(cells).toHaveLength(3 * 3 * 2 * 2);
    expect(cells.map((c) => c.index)).toEqual(cells.map((_, i) => i));
    for (let rep = 1; rep <= 3; rep++) {
      const ofRep = cells.filter((c) => c.rep === rep);
      const blocks = ofRep
        .filter((_, i) => i === 0 || ofRep[i - 1]?.config !== ofRep[i]?.config)
        .map((c) => c.config);
      expect(blocks).toEqual(order.reps[String(rep)]);
    }
    const reps = cells.map((c) => c.rep);
    expect(reps).toEqual([...reps].sort((x, y) => x - y));
  });

  it('gives the same cell ids whatever the order (resume matches cells by id)', () => {
    const m = matrix();
    const ids = (seed: number) =>
      planCells(m, configOrder(['a', 'b', 'c'], 3, 'shuffle', seed))
        .map((c) => c.id)
        .sort();
    expect(ids(1)).toEqual(ids(2));
  });

  it('switches config exactly at block boundaries', () => {
    const m = matrix('config_order: fixed');
    const cells = planCells(m, configOrder(['a', 'b', 'c'], 3, 'fixed', 0));
    const switches = cells.flatMap((_, i) => (switchesConfig(cells, i) ? [i] : []));
    // 3 reps x 3 configs, each block 2 workloads x 2 concurrencies long.
    expect(switches).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32]);
  });
});
