import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { topologiesRecord } from '../../src/stack/group-pools.js';
import { matrixInfo } from '../../summarize/model/matrix-info.js';
import { poolLabel } from '../../summarize/reporters/findings/pool-label.js';

const m = parseMatrix(
  `
duration: 2s
concurrency: [1]
configs:
  - { name: shared, kind: pgbouncer, default_pool_size: 6 }
  - { name: per-pool, kind: pgbouncer, default_pool_size: 6, pool_per_group: true }
  - { name: per-process, kind: pgbouncer, default_pool_size: 6, pgbouncer_per_group: true }
  - { name: d, kind: direct }
workloads:
  - tpcb
  - name: tenants
    mix:
      - { name: web, builtin: readonly, clients: 2 }
      - { name: batch, builtin: tpcb, clients: 2 }
      - { name: billing, builtin: tpcb, clients: 2 }
`,
  'setup.yaml',
);

describe("FINDINGS Setup: the pools a separated config's groups ran through", () => {
  it('run.json records each group pool of the configs with a per-group topology, and only those', () => {
    const t = topologiesRecord(m.spec, 'bench');
    expect(Object.keys(t)).toEqual(['per-pool', 'per-process']);
    expect(t['per-process']).toEqual({
      topology: 'pgbouncer_per_group',
      pools: [
        { group: 'web', database: 'bench', poolSize: 2 },
        { group: 'batch', database: 'bench', poolSize: 2 },
        { group: 'billing', database: 'bench', poolSize: 2 },
      ],
    });
  });

  it("says the groups' pools instead of the config's whole default_pool_size", () => {
    const info = matrixInfo(
      JSON.parse(JSON.stringify(m.spec)) as Record<string, unknown>,
      topologiesRecord(m.spec, 'bench'),
    );
    const label = (name: string, own = false) => {
      const c = info.configs.find((x) => x.name === name);
      if (!c) throw new Error(`no config ${name}`);
      return poolLabel(c, own);
    };
    expect(label('shared')).toBe('pool 6');
    expect(label('per-pool')).toBe('a pool per group, each a pool of 2: web, batch, billing');
    expect(label('per-process', true)).toBe(
      'a PgBouncer per group, each a pool of 2: web, batch, billing; pool 6 for workloads without a mix',
    );
    expect(label('d')).toBeUndefined();
  });

  it('lists unequal sizes per group, and ignores a malformed record', () => {
    const c = {
      name: 'p',
      poolSize: 6,
      groupPools: {
        topology: 'pool_per_group' as const,
        pools: [
          { group: 'web', database: 'bench', poolSize: 1 },
          { group: 'batch', database: 'bench', poolSize: 5 },
        ],
      },
    };
    expect(poolLabel(c, false)).toBe('a pool per group: web 1, batch 5');
    const bad = matrixInfo({ configs: [{ name: 'p', kind: 'pgbouncer', default_pool_size: 6 }] }, {
      p: { topology: 'other', pools: [] },
    } as never);
    expect(bad.configs[0]?.groupPools).toBeUndefined();
  });
});
