import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { maxClientsOf } from '../../src/matrix/concurrency.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { cellClients } from '../../src/matrix/mix.js';
import { workloadWrites } from '../../src/matrix/workload.js';
import type { CellRecord, CompletedCell, GroupRecord } from '../../src/results/types.js';
import { mixIssue, stackRoom } from '../../src/runner/mix-preflight.js';
import { cellSettings, configOrder, planCells } from '../../src/runner/plan.js';
import { configRoles } from '../../src/stack/roles.js';
import { postgresSizing } from '../../src/stack/sizing.js';
import { buildRows } from '../../summarize/model/build-rows.js';
import { evaluateGates } from '../../summarize/model/gates.js';
import { matrixInfo } from '../../summarize/model/matrix-info.js';
import { totals } from '../../summarize/reporters/json.js';

const GiB = 2 ** 30;

const matrix = (mix: string, extra = '') =>
  parseMatrix(
    `
duration: 2s
concurrency: [1, 3]
${extra}configs:
  - { name: a, kind: direct }
  - { name: b, kind: pgbouncer }
workloads:
  - readonly
  - name: tenants
    mix:
${mix}`,
    'mix.yaml',
  );

const TWO = `      - { name: web, builtin: readonly, clients: 5, rate: 100, latency_limit: 50ms }
      - { name: batch, builtin: tpcb, clients: 2, flags: ["--max-tries", "3"] }
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

describe('a mix in the matrix', () => {
  it('resolves each group into its own workload, clients, rate and limit', () => {
    const m = matrix(TWO);
    const w = m.workloads.find((x) => x.name === 'tenants');
    expect(w?.mix?.map((g) => [g.name, g.clients, g.workload.builtin, g.workload.load?.rate])).toEqual([
      ['web', 5, 'readonly', 100],
      ['batch', 2, 'tpcb', undefined],
    ]);
    expect(w?.mix?.[0]?.workload.load?.latencyLimitMs).toBe(50);
    expect(w?.mix?.[1]?.workload.flags).toEqual(['--max-tries', '3']);
    // A mix with a writing group needs the vacuum between cells that tpcb does.
    expect(w && workloadWrites(w)).toBe(true);
  });

  it('scales every group by the concurrency: clients and rate, so the proportions hold', () => {
    const m = matrix(TWO);
    const cell = planCells(m, configOrder(['a', 'b'], 1, 'fixed', 1)).find(
      (c) => c.workload === 'tenants' && c.concurrency === 3 && c.config === 'a',
    );
    if (!cell) throw new Error('no cell');
    const s = cellSettings(m, cell, { cores: 2, sampling: true });
    expect(s.groups?.map((g) => [g.name, g.clients, g.threads, g.workload.load?.rate])).toEqual([
      ['web', 15, 2, 300],
      ['batch', 6, 2, undefined],
    ]);
    expect(s.threads).toBe(4);
    expect(s.sampling?.clients).toBe(21);
    const w = m.workloads.find((x) => x.name === 'tenants');
    expect(w && cellClients(w, 3)).toBe(21);
    // The stack is sized for the mix's largest cell, not the concurrency alone.
    expect(maxClientsOf(m.spec, 'a')).toBe(21);
    expect(postgresSizing(m.spec, 24 * GiB).sized).toBe(100);
  });

  it('refuses bad groups with the field path', () => {
    expect(
      errorOf(() =>
        matrix(
          '      - { name: a, builtin: tpcb, clients: 1 }\n      - { name: a, builtin: tpcb, clients: 2 }\n',
        ),
      ),
    ).toMatch(/workloads\[1\]\.mix\[1\]\.name: .*unique group name \("a" is also mix\[0\]\)/);
    expect(errorOf(() => matrix('      - { name: a, clients: 1 }\n'))).toMatch(
      /workloads\[1\]\.mix\[0\]: .*exactly one of "builtin" or "script"/,
    );
    expect(errorOf(() => matrix('      - { name: a, builtin: tpcb, script: x.sql, clients: 1 }\n'))).toMatch(
      /workloads\[1\]\.mix\[0\]: .*exactly one/,
    );
    expect(errorOf(() => matrix('      - { name: a, builtin: tpcb }\n'))).toMatch(
      /workloads\[1\]\.mix\[0\]\.clients/,
    );
    expect(
      errorOf(() =>
        matrix(
          '      - { name: a, builtin: tpcb, clients: 1, rate: 5, profile: { shape: constant, rate: 5, duration: 2s, segment: 1s } }\n',
        ),
      ),
    ).toMatch(/workloads\[1\]\.mix\[0\]\.profile: expected either "rate" or "profile" on a group, not both/);
    expect(
      errorOf(() => matrix('      - { name: a, builtin: tpcb, clients: 1, script: missing.sql }\n')),
    ).toMatch(/exactly one/);
    expect(errorOf(() => matrix('      - { name: a, script: missing.sql, clients: 1 }\n'))).toMatch(
      /workloads\[1\]\.mix\[0\]\.script: expected an existing pgbench script file/,
    );
  });

  it('refuses rate, flags or a profile on the mix itself: they are per group', () => {
    const m = `
duration: 2s
concurrency: [1]
configs: [{ name: a, kind: direct }]
workloads:
  - name: t
    rate: 100
    mix: [{ name: g, builtin: tpcb, clients: 1 }]
`;
    expect(errorOf(() => parseMatrix(m, 'm.yaml'))).toMatch(
      /workloads\[0\]\.mix: expected rate, latency_limit, profile, reconnect and flags on each group of a mix/,
    );
  });
});

describe('what the stack has for a mix', () => {
  const m = matrix(TWO);
  const roles = configRoles(m.spec.configs);
  const groups = [
    { name: 'web', clients: 50 },
    { name: 'batch', clients: 20 },
  ];

  it('names the databases and roles the stack creates, and the clients it is sized for', () => {
    const direct = stackRoom(m, m.spec.configs[0] as never, roles, 24 * GiB);
    expect(direct).toMatchObject({ databases: ['bench'], roles: ['bench_a'], clients: 80 });
    const bouncer = stackRoom(m, m.spec.configs[1] as never, roles, 24 * GiB);
    expect(bouncer).toMatchObject({ roles: ['bench_b'], clients: 1000 });
  });

  it('passes a mix that fits and names what is wrong with one that does not', () => {
    const room = {
      databases: ['bench'],
      roles: ['bench_a'],
      clients: 80,
      clientsFrom: 'max_connections 100 less 20',
    };
    const at = { at: 'workloads[1]', config: 'a', factor: 1 };
    expect(mixIssue(at, groups, room)).toBeUndefined();
    expect(mixIssue({ ...at, factor: 2 }, groups, room)).toBe(
      'workloads[1].mix: expected groups whose clients fit what the stack is sized for under config a (max_connections 100 less 20), at concurrency 2 they hold 140 (web 100, batch 40)',
    );
    expect(mixIssue(at, [{ ...groups[0], name: 'web', clients: 1, role: 'bench_b' }], room)).toMatch(
      /^workloads\[1\]\.mix\[0\]\.role: expected a role the stack creates for config a \(bench_a/,
    );
    expect(mixIssue(at, [{ name: 'web', clients: 1, database: 'tenant1' }], room)).toMatch(
      /^workloads\[1\]\.mix\[0\]\.database: .*"tenant1" does not exist/,
    );
  });
});

/** A completed mix cell of two groups, as the runner records it. */
function mixCell(config: string, rep: number, web: number, batch: number): CompletedCell {
  const lat = (p99: number, name: string) => ({
    count: 100,
    failed: 0,
    skipped: 0,
    meanMs: 1,
    minMs: 0.1,
    p50Ms: 1,
    p90Ms: 2,
    p95Ms: 3,
    p99Ms: p99,
    p999Ms: p99,
    maxMs: p99,
    histogramFile: `latency-histogram.${name}.json`,
  });
  const group = (name: string, tps: number, clients: number, p99: number): GroupRecord => ({
    name,
    clients,
    threads: 1,
    database: 'bench',
    role: `bench_${config}`,
    argv: ['-c', String(clients)],
    processes: 1,
    logPrefix: 'pgbench_log_g1',
    exitCode: 0,
    summary: { processed: tps * 2, failed: 0, aborted: false, tps },
    latency: lat(p99, name),
    connectionErrors: 0,
  });
  return {
    schema: 1,
    id: `${config}__tenants__c1__r${rep}`,
    index: rep,
    config,
    workload: 'tenants',
    concurrency: 1,
    rep,
    threads: 2,
    startedAt: '',
    endedAt: '',
    argv: [],
    prepared: [],
    warnings: [],
    state: 'completed',
    exitCode: 0,
    summary: { processed: (web + batch) * 2, failed: 0, aborted: false, tps: web + batch },
    latency: { ...lat(9, 'x'), histogramFile: 'latency-histogram.json' },
    connectionErrors: 0,
    groups: [group('web', web, 5, 2), group('batch', batch, 2, 9)],
  };
}

describe('rows of a mix', () => {
  const effective = {
    configs: [
      { name: 'a', kind: 'direct' },
      { name: 'b', kind: 'pgbouncer' },
    ],
    workloads: [{ name: 'tenants', mix: [{ name: 'web' }, { name: 'batch' }] }],
    concurrency: [1],
    reps: 2,
    baseline: 'a',
    gates: { min_tps: 500 },
  };
  const cells: CellRecord[] = [
    mixCell('a', 1, 400, 200),
    mixCell('a', 2, 420, 210),
    mixCell('b', 1, 300, 200),
    mixCell('b', 2, 310, 220),
  ];
  const { rows } = buildRows({ cells, matrix: matrixInfo(effective) });

  it('gives the total and each group a row, in the matrix order, each with its own figures', () => {
    expect(rows.map((r) => [r.config, r.group, r.groupClients, r.tps.mean])).toEqual([
      ['a', undefined, 7, 615],
      ['a', 'web', 5, 410],
      ['a', 'batch', 2, 205],
      ['b', undefined, 7, 515],
      ['b', 'web', 5, 305],
      ['b', 'batch', 2, 210],
    ]);
    // One rep: each row's percentiles are its own record's (the group's, from its own logs).
    const one = buildRows({ cells: cells.filter((c) => c.rep === 1), matrix: matrixInfo(effective) }).rows;
    expect(one.map((r) => [r.config, r.group, r.latency?.p99Ms])).toEqual([
      ['a', undefined, 9],
      ['a', 'web', 2],
      ['a', 'batch', 9],
      ['b', undefined, 9],
      ['b', 'web', 2],
      ['b', 'batch', 9],
    ]);
    // Samplers watched the whole cell: a group row has no sampling of its own.
    expect(rows.find((r) => r.group)?.sampling).toBeUndefined();
  });

  it("pairs a group with the same group of the baseline config, never with the baseline's total", () => {
    const webB = rows.find((r) => r.config === 'b' && r.group === 'web');
    expect(webB?.vsBaseline?.tpsRatio).toBeCloseTo(305 / 410, 6);
    const totalB = rows.find((r) => r.config === 'b' && r.group === undefined);
    expect(totalB?.vsBaseline?.tpsRatio).toBeCloseTo(515 / 615, 6);
  });

  it('counts the mix once in the totals and the gates (through its total row)', () => {
    const t = totals(rows, { warnings: [] } as never);
    expect(t.transactions).toBe((615 + 515) * 2 * 2);
    // Rows as the tables show them: two totals and four groups.
    expect(t.groups).toBe(6);
    expect(t.cellsCompleted).toBe(4);
    const gates = evaluateGates(rows, effective);
    // min_tps 500 holds for both totals; the groups (all below 500) are not gates' rows.
    expect(gates.failures).toEqual([]);
  });
});
