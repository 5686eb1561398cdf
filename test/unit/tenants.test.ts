import { describe, expect, it } from 'vitest';
import {
  isOwnRole,
  tenantDatabases,
  tenantPairs,
  tenantRole,
  tenantRoles,
} from '../../src/matrix/tenants.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';

describe('tenants', () => {
  it('names databases and per-config roles', () => {
    expect(tenantDatabases({ databases: 3, roles: 1 })).toEqual(['bench_t1', 'bench_t2', 'bench_t3']);
    expect(tenantDatabases(undefined)).toEqual([]);
    expect(tenantRoles('bench_pgb', { databases: 1, roles: 2 })).toEqual(['bench_pgb_r1', 'bench_pgb_r2']);
    expect(tenantRole('x'.repeat(63), 12)).toHaveLength(63);
    expect(tenantPairs({ databases: 2, roles: 2 })).toEqual([
      { database: 'bench_t1', role: 1 },
      { database: 'bench_t1', role: 2 },
      { database: 'bench_t2', role: 1 },
      { database: 'bench_t2', role: 2 },
    ]);
  });

  it('ties every tenant role to its config and no other', () => {
    expect(isOwnRole('bench_a', 'bench_a')).toBe(true);
    expect(isOwnRole('bench_a', 'bench_a_r7')).toBe(true);
    expect(isOwnRole('bench_a', 'bench_b_r7')).toBe(false);
    expect(isOwnRole('bench_a', 'bench_a_r0')).toBe(false);
    expect(isOwnRole('bench_a', 'bench_a_x_r1')).toBe(false);
    const long = 'y'.repeat(63);
    expect(isOwnRole(long, tenantRole(long, 3))).toBe(true);
  });

  it('gives PgBouncer one [databases] entry per tenant database', () => {
    const ini = renderPgbouncerIni({
      hop: { pool_mode: 'transaction', default_pool_size: 2, settings: {} } as never,
      listenPort: 6432,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5432,
      database: 'bench',
      tenantDatabases: tenantDatabases({ databases: 2, roles: 1 }),
      user: 'bench',
      authFile: '/x/userlist.txt',
      authType: 'trust',
      socketDir: '/x',
      maxClientConn: 1000,
      listenBacklog: 128,
    });
    const section = ini.split('[pgbouncer]')[0] ?? '';
    expect(section.split('\n').filter((l) => l.includes(' = host='))).toEqual([
      'bench = host=127.0.0.1 port=5432 dbname=bench',
      'bench_t1 = host=127.0.0.1 port=5432 dbname=bench_t1',
      'bench_t2 = host=127.0.0.1 port=5432 dbname=bench_t2',
    ]);
  });
});

describe('sizing with tenants', () => {
  it('counts a tenant: each group once per pair, and sizes max_connections for a pool per pair', async () => {
    const { maxClientsOf } = await import('../../src/matrix/concurrency.js');
    const { postgresSizing } = await import('../../src/stack/sizing.js');
    const spec = {
      concurrency: [1],
      configs: [
        { name: 'pgb', kind: 'pgbouncer', pool_mode: 'transaction', default_pool_size: 1, settings: {} },
      ],
      workloads: [{ name: 'm', mix: [{ name: 't', clients: 1, tenant: 'each' as const }] }],
      tenants: { databases: 100, roles: 10 },
      postgres: { settings: {} },
    };
    expect(maxClientsOf(spec, 'pgb')).toBe(1000);
    expect(postgresSizing(spec as never, 64 * 1024 ** 3).maxConnections).toBe(1020);
  });
});
