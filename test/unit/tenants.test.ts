import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import {
  isOwnRole,
  tenantDatabases,
  tenantPairs,
  tenantRole,
  tenantRoles,
} from '../../src/matrix/tenants.js';
import { cellSettings, configOrder, planCells } from '../../src/runner/plan.js';
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

describe("PgBouncer's max_client_conn with many pgbench processes", () => {
  it('leaves room for each pgbench process its setup connection besides its clients (1,000 tenant pools)', async () => {
    const { pgbouncerSizing, pgbenchProcessesOf } = await import('../../src/stack/sizing.js');
    const m = parseMatrix(MANY, 'm.yaml');
    expect(pgbenchProcessesOf(m.spec, 'pgb')).toBe(1000);
    // 1,000 clients in 1,000 processes: PgBouncer counted up to two connections per process at
    // once (the setup one closed but not yet read), and refused at 1,100.
    expect(pgbouncerSizing(m.spec, 'pgb')?.maxClientConn).toBe(1000 + 1000 + 100);
  });
});

const MANY = `
concurrency: [1]
tenants: { databases: 100, roles: 10 }
configs:
  - { name: pgb, kind: pgbouncer, default_pool_size: 1 }
workloads:
  - name: m
    mix: [{ name: t, builtin: readonly, clients: 1, rate: 2, tenant: each }]
`;

const SHARES = `
concurrency: [1]
tenants: { databases: 3, roles: 2 }
configs:
  - { name: small, kind: pgbouncer, default_pool_size: 1, tenants: { databases: 2, roles: 1 } }
  - { name: all, kind: pgbouncer, default_pool_size: 1 }
workloads:
  - name: m
    mix:
      - { name: t, builtin: readonly, clients: 1, tenant: each }
      - { name: own, builtin: readonly, clients: 2 }
`;

describe("a config's own share of the tenants", () => {
  it('runs only the pairs of its first databases and roles, and is sized for them', async () => {
    const { maxClientsOf } = await import('../../src/matrix/concurrency.js');
    const { tenantsOf } = await import('../../src/matrix/tenants.js');
    const { pgbenchProcessesOf } = await import('../../src/stack/sizing.js');
    const m = parseMatrix(SHARES, 'm.yaml');
    expect(tenantsOf(m.spec, 'small')).toEqual({ databases: 2, roles: 1 });
    expect(tenantsOf(m.spec, 'all')).toEqual({ databases: 3, roles: 2 });
    expect(maxClientsOf(m.spec, 'small')).toBe(2 + 2);
    expect(maxClientsOf(m.spec, 'all')).toBe(6 + 2);
    expect(pgbenchProcessesOf(m.spec, 'small')).toBe(3);
    const cells = planCells(m, configOrder(['small', 'all'], 1, 'fixed', 1));
    const groups = (config: string) =>
      cellSettings(m, cells.find((c) => c.config === config) as never, {
        cores: 2,
        sampling: false,
      }).groups?.map((g) => g.name);
    expect(groups('small')).toEqual(['t-t1r1', 't-t2r1', 'own']);
    expect(groups('all')).toEqual(['t-t1r1', 't-t1r2', 't-t2r1', 't-t2r2', 't-t3r1', 't-t3r2', 'own']);
  });

  it('refuses a share larger than the matrix tenants, or without them, with the field path', () => {
    const bigger = SHARES.replace(
      'tenants: { databases: 2, roles: 1 }',
      'tenants: { databases: 2, roles: 3 }',
    );
    expect(() => parseMatrix(bigger, 'm.yaml')).toThrow(
      /configs\[0\]\.tenants\.roles: .*at most the matrix's tenants\.roles \(2\)/,
    );
    const none = `
concurrency: [1]
configs:
  - { name: small, kind: pgbouncer, tenants: { databases: 2, roles: 1 } }
workloads: [readonly]
`;
    expect(() => parseMatrix(none, 'm.yaml')).toThrow(/configs\[0\]\.tenants: .*a matrix with "tenants/);
  });
});
