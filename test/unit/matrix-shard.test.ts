import { readdirSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import {
  assignShards,
  derivedSeed,
  groupsOfShard,
  parseShard,
  planShard,
  resolveShard,
  shardCells,
} from '../../src/matrix/shard.js';
import { configOrder, planCells } from '../../src/runner/plan.js';
import { continuesSegment } from '../../src/runner/segment.js';
import { bench, tempResults } from '../helpers/cli.js';

const matrix = (extra = '') =>
  parseMatrix(
    `
duration: 2s
reps: 3
concurrency: [1, 8, 32]
configs:
  - { name: a, kind: direct }
  - { name: b, kind: pgbouncer }
  - { name: c, kind: pgbouncer }
workloads: [readonly, tpcb, tpcb-short]
${extra}`,
    'shard.yaml',
  );

describe('parseShard', () => {
  it('reads i/N', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });
  it.each(['0/2', '3/2', '1', '1/0', 'a/b', '1/2/3', '-1/2', '1.5/2'])('refuses %s', (v) => {
    expect(() => parseShard(v)).toThrow(ConfigurationError);
  });
});

describe('sharding the planned cells', () => {
  const m = matrix();
  const cells = planCells(m, configOrder(['a', 'b', 'c'], 3, 'shuffle', 11));

  it.each([1, 2, 3, 4, 9])('splits into %i disjoint shards whose union is the whole plan', (n) => {
    const parts = Array.from({ length: n }, (_, i) =>
      shardCells(cells, groupsOfShard(m, { index: i + 1, count: n })),
    );
    const ids = parts.flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(cells.map((c) => c.id).sort());
    for (const p of parts) expect(p.length).toBeGreaterThan(0);
  });

  it('keeps every config and every rep of a workload x concurrency group in one shard', () => {
    const n = 4;
    const shardOf = new Map<string, Set<number>>();
    for (let i = 1; i <= n; i++) {
      for (const c of shardCells(cells, groupsOfShard(m, { index: i, count: n }))) {
        const k = `${c.workload}/${c.concurrency}`;
        shardOf.set(k, (shardOf.get(k) ?? new Set()).add(i));
      }
    }
    for (const s of shardOf.values()) expect(s.size).toBe(1);
  });

  it('keeps the planned order and the whole-matrix index (reps still interleaved)', () => {
    const part = shardCells(cells, groupsOfShard(m, { index: 2, count: 3 }));
    const idx = part.map((c) => c.index);
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    for (const c of part) expect(cells[c.index]).toEqual(c);
    const reps = part.map((c) => c.rep);
    expect(reps).toEqual([...reps].sort((a, b) => a - b));
  });

  it('balances equal groups to within one group per shard', () => {
    const sizes = [1, 2, 3, 4].map((i) => groupsOfShard(m, { index: i, count: 4 }).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('refuses more shards than groups, naming the limit', () => {
    expect(() => groupsOfShard(m, { index: 1, count: 10 })).toThrow(/at most 9 shards/);
  });
});

/** Every shard's cells for `n` shards: disjoint, together the whole plan, none empty. */
function shardsOf(m: ReturnType<typeof parseMatrix>, n: number) {
  const cells = planCells(
    m,
    configOrder(
      m.spec.configs.map((c) => c.name),
      m.spec.reps,
      'shuffle',
      3,
    ),
  );
  const parts = Array.from({ length: n }, (_, i) =>
    shardCells(cells, groupsOfShard(m, { index: i + 1, count: n })),
  );
  const ids = parts.flat().map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(cells.map((c) => c.id).sort());
  for (const p of parts) expect(p.length).toBeGreaterThan(0);
  return parts;
}

describe('sharding a matrix with a load profile and a rate list', () => {
  const m = parseMatrix(
    `
duration: 2s
reps: 2
concurrency: [1, 8]
configs:
  - { name: a, kind: direct }
  - { name: b, kind: pgbouncer }
workloads:
  - readonly
  - { name: web, builtin: readonly, profile: { shape: constant, rate: 100, duration: 30s, segment: 10s } }
  - { name: knee, builtin: readonly, rate: [100, 200] }
`,
    'profile.yaml',
  );

  it('keeps a profile whole: one group per concurrency, named by the profile', () => {
    expect(planShard(m, { index: 1, count: 1 }, {}).info.groups).toEqual([
      'readonly c1',
      'readonly c8',
      'web c1',
      'web c8',
      'knee.r100 c1',
      'knee.r100 c8',
      'knee.r200 c1',
      'knee.r200 c8',
    ]);
    expect(() => groupsOfShard(m, { index: 1, count: 9 })).toThrow(/at most 8 shards/);
  });

  it.each([2, 3, 5, 8])(
    'runs every segment in the shard of its profile, after its predecessor (%i shards)',
    (n) => {
      const parts = shardsOf(m, n);
      const segments = parts.map((p) => p.filter((c) => c.workload.startsWith('web.')));
      for (const p of segments) expect(p.length % 3).toBe(0);
      const later = parts.flatMap((part) =>
        part.flatMap((c, i) =>
          c.workload === 'web.s2' || c.workload === 'web.s3' ? [continuesSegment(m, part, i)] : [],
        ),
      );
      // 2 later segments x 2 configs x 2 reps x 2 concurrencies, each right after its predecessor.
      expect(later).toEqual(new Array(16).fill(true));
    },
  );

  it('costs a profile as its segments together', () => {
    const groups = groupsOfShard(m, { index: 1, count: 1 });
    const cost = (w: string) => groups.find((g) => g.workload === w && g.concurrency === 1)?.costMs;
    // 2 configs x 2 reps x (settle 1 s + 1 s overhead + run): 2 s for readonly, 3 x 10 s for web.
    expect(cost('readonly')).toBe(4 * 4_000);
    expect(cost('web')).toBe(4 * 32_000);
  });
});

describe('sharding a matrix whose configs have their own concurrency lists', () => {
  const m = parseMatrix(
    `
duration: 2s
reps: 2
concurrency: [1, 8]
configs:
  - { name: a, kind: direct, concurrency: [1, 64] }
  - { name: b, kind: pgbouncer }
  - { name: c, kind: pgbouncer, concurrency: [500] }
workloads: [readonly, tpcb]
`,
    'per-config.yaml',
  );

  it('has a group for every concurrency a config runs', () => {
    expect(planShard(m, { index: 1, count: 1 }, {}).info.groups).toEqual([
      'readonly c1',
      'readonly c64',
      'readonly c8',
      'readonly c500',
      'tpcb c1',
      'tpcb c64',
      'tpcb c8',
      'tpcb c500',
    ]);
  });

  it.each([1, 2, 3, 8])('drops no cell (%i shards)', (n) => {
    shardsOf(m, n);
  });

  it('costs a group by the configs that run its concurrency', () => {
    const groups = groupsOfShard(m, { index: 1, count: 1 });
    const cost = (n: number) => groups.find((g) => g.workload === 'readonly' && g.concurrency === n)?.costMs;
    expect([cost(1), cost(8), cost(64), cost(500)]).toEqual([2, 1, 1, 1].map((k) => k * 2 * 4_000));
  });
});

describe('assignShards', () => {
  it('gives the longest groups out first, each to the least loaded shard', () => {
    const g = (costMs: number) => ({ costMs });
    expect(assignShards([g(1), g(5), g(4), g(3), g(3)], 2)).toEqual([2, 1, 2, 2, 1]);
  });
});

describe('seeds and resume', () => {
  it('derives one seed from the matrix and overrides, the same in every shard process', () => {
    const m = matrix();
    const a = planShard(m, { index: 1, count: 2 }, { duration: '1s' });
    const b = planShard(m, { index: 2, count: 2 }, { duration: '1s' });
    expect(a.seed).toBe(b.seed);
    expect(a.info.seedFrom).toBe('derived');
    expect(derivedSeed(m.hash, { duration: '1s' })).not.toBe(derivedSeed(m.hash, { duration: '2s' }));
    expect(planShard(matrix('seed: 5'), { index: 1, count: 2 }, {}).seed).toBe(5);
    expect(planShard(matrix('seed: 5'), { index: 1, count: 2 }, {}).info.seedFrom).toBe('matrix');
  });

  it('records the groups of the shard', () => {
    const { info } = planShard(matrix(), { index: 1, count: 9 }, {});
    expect(info).toEqual({ index: 1, count: 9, groups: ['readonly c1'], seedFrom: 'derived' });
  });

  it('resumes as the recorded shard, and refuses another', () => {
    expect(resolveShard(undefined, { index: 2, count: 3 })).toEqual({ index: 2, count: 3 });
    expect(resolveShard({ index: 1, count: 2 }, undefined)).toEqual({ index: 1, count: 2 });
    expect(() => resolveShard({ index: 1, count: 3 }, { index: 2, count: 3 })).toThrow(/2\/3/);
  });
});

describe('bench run --shard on the command line', () => {
  it('refuses a malformed shard with exit 2 before anything starts', async () => {
    const results = tempResults();
    const r = await bench(['run', 'matrices/smoke.yaml', '--shard', '3/2', '--results-dir', results]);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('--shard: expected i/N with 1 <= i <= N');
    expect(readdirSync(results)).toEqual([]);
    rmSync(results, { recursive: true, force: true });
  });

  it('refuses more shards than the matrix has groups, naming the limit, and creates no run directory', async () => {
    const results = tempResults();
    const r = await bench(['run', 'matrices/smoke.yaml', '--shard', '1/7', '--results-dir', results], {
      env: { BENCH_PROVIDER: 'native' },
    });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(
      /expected at most 6 shards, the matrix has 6 workload x concurrency groups/,
    );
    expect(readdirSync(results)).toEqual([]);
    rmSync(results, { recursive: true, force: true });
  });
});
