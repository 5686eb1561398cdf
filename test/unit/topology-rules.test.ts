import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { checkRoles } from '../../src/runner/role-preflight.js';
import { groupPools, groupServerConnections } from '../../src/stack/group-pools.js';
import { roleCollision } from '../../src/stack/roles.js';
import { postgresSizing } from '../../src/stack/sizing.js';

const GiB = 2 ** 30;

const matrix = (configs: string, mix = MIX, extra = '') =>
  parseMatrix(
    `
duration: 2s
concurrency: [1]
${extra}configs:
${configs}
workloads:
  - name: tenants
    mix:
${mix}`,
    'topology.yaml',
  );

const MIX = `      - { name: web, builtin: readonly, clients: 2 }
      - { name: batch, builtin: tpcb, clients: 2 }
`;

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigurationError) return [e.message, ...(e.details ?? [])].join('\n');
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('pool topologies: what is refused', () => {
  it('refuses both topologies on one config, naming the second', () => {
    expect(
      errorOf(() =>
        matrix('  - { name: p, kind: pgbouncer, pool_per_group: true, pgbouncer_per_group: true }\n'),
      ),
    ).toMatch(
      /^topology\.yaml: configs\[0\]\.pgbouncer_per_group: expected one pool topology per config, not both pool_per_group and pgbouncer_per_group/,
    );
  });

  it('refuses either topology with several workers, also in a workers list, with the reason', () => {
    expect(
      errorOf(() => matrix('  - { name: p, kind: pgbouncer, pool_per_group: true, workers: 2 }\n')),
    ).toMatch(
      /^topology\.yaml: configs\[0\]\.workers: expected one PgBouncer process with pool_per_group \(workers: 2 is not built: each so_reuseport worker/,
    );
    expect(
      errorOf(() => matrix('  - { name: p, kind: pgbouncer, pgbouncer_per_group: true, workers: [1, 4] }\n')),
    ).toMatch(/configs\[0\]\.workers: expected one PgBouncer process with pgbouncer_per_group \(workers: 4/);
    // One worker is the topology as built.
    expect(() =>
      matrix('  - { name: p, kind: pgbouncer, pool_per_group: true, workers: 1 }\n'),
    ).not.toThrow();
  });

  it('refuses a topology on a config without a PgBouncer of its own', () => {
    expect(errorOf(() => matrix('  - { name: d, kind: direct, pool_per_group: true }\n'))).toMatch(
      /configs\[0\].*pool_per_group/,
    );
    expect(
      errorOf(() =>
        matrix(
          '  - { name: x, kind: proxy, command: "p {port}", via_pgbouncer: { pgbouncer_per_group: true } }\n',
        ),
      ),
    ).toMatch(
      /^topology\.yaml: configs\[0\]\.via_pgbouncer\.pgbouncer_per_group: expected no pgbouncer_per_group behind a proxy/,
    );
  });

  it('refuses a group pool_size that no config uses, and two sizes for one group name', () => {
    const sized = `      - { name: web, builtin: readonly, clients: 2, pool_size: 3 }
      - { name: batch, builtin: tpcb, clients: 2 }
`;
    expect(errorOf(() => matrix('  - { name: p, kind: pgbouncer }\n', sized))).toMatch(
      /^topology\.yaml: workloads\[0\]\.mix\[0\]\.pool_size: expected a config with pool_per_group or pgbouncer_per_group for a group pool_size/,
    );
    const two = parseMatrix.bind(
      null,
      `
duration: 2s
concurrency: [1]
configs: [{ name: p, kind: pgbouncer, pool_per_group: true }]
workloads:
  - name: both
    mix: [{ name: web, builtin: readonly, clients: 2, pool_size: 3 }, { name: batch, builtin: tpcb, clients: 2 }]
  - name: quiet
    mix: [{ name: web, builtin: readonly, clients: 2, pool_size: 5 }]
`,
      'two.yaml',
    );
    expect(
      errorOf(() =>
        matrix(
          '  - { name: p, kind: pgbouncer, pool_per_group: true }\n',
          '      - { name: t, builtin: tpcb, clients: 1, tenant: each, pool_size: 2 }\n',
          'tenants: { databases: 2, roles: 1 }\n',
        ),
      ),
    ).toMatch(/workloads\[0\]\.mix\[0\]\.pool_size: expected no pool_size on a "tenant: each" group/);
    expect(errorOf(two)).toMatch(
      /^two\.yaml: workloads\[1\]\.mix\[0\]\.pool_size: expected one pool_size per group name \(.*workloads\[0\]\.mix\[0\] gives "web" 3, this 5\)/,
    );
  });
});

describe('a group pool_size', () => {
  const sized = `      - { name: web, builtin: readonly, clients: 2, pool_size: 1 }
      - { name: batch, builtin: tpcb, clients: 2, pool_size: 60 }
`;
  it('replaces the even share, for the group in every mix, and PostgreSQL is sized for the sum', () => {
    const m = matrix(
      '  - { name: p, kind: pgbouncer, default_pool_size: 50, pool_per_group: true }\n  - { name: d, kind: direct }\n',
      sized,
    );
    const hop = m.spec.configs[0];
    if (hop?.kind !== 'pgbouncer') throw new Error('no pgbouncer');
    expect(groupPools(m.spec, hop, 'bench').map((p) => [p.group, p.poolSize])).toEqual([
      ['web', 1],
      ['batch', 60],
    ]);
    expect(groupServerConnections(m.spec, hop)).toBe(61);
    // The config's own pool (50) and the group pools (61) may all hold server connections.
    expect(postgresSizing(m.spec, 24 * GiB).sized).toBe(50 + 61 + 20);
  });

  it('counts the group pools of a PgBouncer per group, each with its reserve', () => {
    const m = matrix(
      '  - { name: p, kind: pgbouncer, default_pool_size: 60, reserve_pool_size: 2, pgbouncer_per_group: true }\n',
      sized,
    );
    const hop = m.spec.configs[0];
    if (hop?.kind !== 'pgbouncer') throw new Error('no pgbouncer');
    expect(groupServerConnections(m.spec, hop)).toBe(1 + 2 + 60 + 2);
    expect(postgresSizing(m.spec, 24 * GiB).sized).toBe(62 + 65 + 20);
  });
});

describe('roles that attribution could not tell apart', () => {
  it("refuses a config whose role reads as another config's tenant role, with or without tenants", () => {
    const configs = '  - { name: a, kind: direct }\n  - { name: a_r1, kind: direct }\n';
    const hit = roleCollision(matrix(configs).spec.configs, undefined);
    expect(hit).toEqual({ config: 'a_r1', role: 'bench_a_r1', other: 'a', otherRole: 'bench_a' });
    const withTenants = matrix(configs, MIX, 'tenants: { databases: 1, roles: 2 }\n');
    expect(errorOf(() => checkRoles(withTenants))).toMatch(
      /configs\[1\]\.name: expected a config name whose roles no other config's read as: role bench_a_r1 of config a_r1 would be counted as config a's/,
    );
    // Sanitized names collide too: a-r2 logs in as bench_a_r2.
    expect(
      roleCollision(
        matrix('  - { name: a, kind: direct }\n  - { name: a-r2, kind: direct }\n').spec.configs,
        undefined,
      )?.config,
    ).toBe('a-r2');
  });

  it('refuses long names whose tenant roles truncate to one name', () => {
    const long = 'x'.repeat(60);
    const configs = [
      { name: `${long}a`, kind: 'direct' as const },
      { name: `${long}b`, kind: 'direct' as const },
    ];
    expect(roleCollision(configs, undefined)).toBeUndefined();
    expect(roleCollision(configs, { databases: 1, roles: 1 })).toMatchObject({
      config: `${long}a`,
      other: `${long}b`,
    });
  });

  it('passes names that only look alike', () => {
    const m = matrix(
      '  - { name: a, kind: direct }\n  - { name: a_r0, kind: direct }\n  - { name: b_r1x, kind: direct }\n  - { name: ar1, kind: direct }\n',
      MIX,
      'tenants: { databases: 1, roles: 3 }\n',
    );
    expect(roleCollision(m.spec.configs, m.spec.tenants)).toBeUndefined();
    expect(() => checkRoles(m)).not.toThrow();
  });
});
