import { describe, expect, it } from 'vitest';
import { tenantDatabases, tenantsOf } from '../../src/matrix/tenants.js';
import {
  groupDatabases,
  groupPools,
  groupProcessHop,
  groupServerConnections,
  topologiesRecord,
} from '../../src/stack/group-pools.js';
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

describe('a pool per group with tenants', () => {
  // A config holding a share of the matrix's tenants (2 of 4 databases, 1 of 2 roles), and a mix
  // with a `tenant: each` group beside a plain one.
  const withTenants = mix(['web']);
  withTenants.mix.push({ name: 't', builtin: 'tpcb', clients: 1, flags: [], tenant: 'each' } as never);
  const cfg = {
    name: 'pp',
    kind: 'pgbouncer' as const,
    ...hop(true, 6),
    tenants: { databases: 2, roles: 1 },
  };
  const spec = { tenants: { databases: 4, roles: 2 }, configs: [cfg], workloads: [withTenants] };

  it("gives a tenant: each group no group pool nor a part of the split: its copies use the config's pairs", () => {
    expect(groupPools(spec, cfg, 'bench')).toEqual([
      { group: 'web', alias: 'bench__web', dbname: 'bench', poolSize: 6 },
    ]);
    expect(groupPools(spec, { ...cfg, ...hop(false, 6, true) }, 'bench', 'pgbouncer_per_group')).toHaveLength(
      1,
    );
    expect(topologiesRecord(spec as never, 'bench').pp?.pools.map((p) => p.group)).toEqual(['web']);
    expect(groupServerConnections(spec, cfg)).toBe(6);
  });

  it("lists only the config's share of the tenant databases beside its group pools", () => {
    const ini = renderPgbouncerIni({
      hop: cfg,
      listenPort: 6432,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5432,
      database: 'bench',
      tenantDatabases: tenantDatabases(tenantsOf(spec, 'pp')),
      user: 'bench',
      authFile: '/a',
      authType: 'trust',
      socketDir: '/s',
      maxClientConn: 100,
      listenBacklog: 128,
      groupPools: groupPools(spec, cfg, 'bench'),
    });
    expect(ini).toContain('bench__web = ');
    expect(ini).toContain('bench_t2 = ');
    expect(ini).not.toContain('bench_t3');
    expect(ini).not.toContain('__t ');
  });
});
