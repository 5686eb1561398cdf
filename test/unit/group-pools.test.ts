import { describe, expect, it } from 'vitest';
import { groupDatabases, groupPools, groupProcessHop } from '../../src/stack/group-pools.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';

const hop = (pool_per_group: boolean, default_pool_size = 8, pgbouncer_per_group = false) => ({
  pool_mode: 'transaction' as const,
  default_pool_size,
  pool_per_group,
  pgbouncer_per_group,
  settings: {},
});

const mix = (names: string[], database?: string) => ({
  name: 'tenants',
  flags: [] as string[],
  mix: names.map((name) => ({
    name,
    builtin: 'tpcb' as const,
    clients: 2,
    flags: [],
    ...(database ? { database } : {}),
  })),
});

describe('a pool per group', () => {
  it('splits the shared pool evenly over the mix, at least 1 each, one entry per group name', () => {
    const spec = { workloads: ['tpcb' as const, mix(['web', 'batch', 'billing']), mix(['web', 'other'])] };
    expect(groupPools(spec, hop(true), 'bench')).toEqual([
      { group: 'web', alias: 'bench__web', dbname: 'bench', poolSize: 2 },
      { group: 'batch', alias: 'bench__batch', dbname: 'bench', poolSize: 2 },
      { group: 'billing', alias: 'bench__billing', dbname: 'bench', poolSize: 2 },
      { group: 'other', alias: 'bench__other', dbname: 'bench', poolSize: 4 },
    ]);
    expect(
      groupPools({ workloads: [mix(['a', 'b', 'c'])] }, hop(true, 2), 'bench').map((p) => p.poolSize),
    ).toEqual([1, 1, 1]);
  });

  it('is nothing without pool_per_group (one shared pool)', () => {
    expect(groupPools({ workloads: [mix(['web', 'batch'])] }, hop(false), 'bench')).toEqual([]);
  });

  it('gives each group its own PgBouncer process with its share of the pool (pgbouncer_per_group)', () => {
    const h = hop(false, 6, true);
    const pools = groupPools(
      { workloads: [mix(['web', 'batch', 'billing'])] },
      h,
      'bench',
      'pgbouncer_per_group',
    );
    expect(pools.map((p) => p.poolSize)).toEqual([2, 2, 2]);
    expect(groupPools({ workloads: [mix(['web'])] }, h, 'bench')).toEqual([]); // no pool per group in that process
    expect(groupProcessHop(h, pools[0] as (typeof pools)[0])).toMatchObject({
      default_pool_size: 2,
      pgbouncer_per_group: false,
      pool_per_group: false,
    });
  });

  it("points each group at its own database entry, behind the group's own database", () => {
    const pools = groupPools({ workloads: [mix(['web'], 'other_db')] }, hop(true), 'bench');
    expect(groupDatabases(pools)).toEqual({ web: { database: 'other_db__web' } });
    const ini = renderPgbouncerIni({
      hop: hop(true),
      listenPort: 6432,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5432,
      database: 'bench',
      user: 'bench',
      authFile: '/a',
      authType: 'trust',
      socketDir: '/s',
      maxClientConn: 100,
      listenBacklog: 128,
      groupPools: pools,
    });
    expect(ini).toContain('other_db__web = host=127.0.0.1 port=5432 dbname=other_db pool_size=8\n');
    expect(ini).toContain('bench = host=127.0.0.1 port=5432 dbname=bench\n');
  });
});
