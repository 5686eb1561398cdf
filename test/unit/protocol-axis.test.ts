import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { expandCells } from '../../src/matrix/expand.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { applyPreparedRule, preparedThroughPool } from '../../src/matrix/prepared-rule.js';
import { pgbouncerHopOf } from '../../src/matrix/schema.js';
import { cellSettings, configOrder } from '../../src/runner/plan.js';

const env = { cores: 2, sampling: false };

function err(text: string): ConfigurationError {
  try {
    parseMatrix(text, 'm.yaml');
  } catch (e) {
    if (e instanceof ConfigurationError) return e;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

const perConfig = `
duration: 2s
concurrency: [4]
workloads: [tpcb]
baseline: direct
configs:
  - { name: direct, kind: direct, protocol: [simple, prepared] }
  - { name: tx, kind: pgbouncer, workers: [1, 2], protocol: [extended, prepared] }
  - { name: session, kind: pgbouncer, pool_mode: session }
`;

describe('protocol as a config axis', () => {
  it('expands a list into <config>-<protocol> configs in place (after workers), each with its protocol', () => {
    const m = parseMatrix(perConfig, 'm.yaml');
    expect(m.spec.configs.map((c) => [c.name, 'protocol' in c ? c.protocol : undefined])).toEqual([
      ['direct-simple', 'simple'],
      ['direct-prepared', 'prepared'],
      ['tx-w1-extended', 'extended'],
      ['tx-w1-prepared', 'prepared'],
      ['tx-w2-extended', 'extended'],
      ['tx-w2-prepared', 'prepared'],
      ['session', undefined],
    ]);
    // A baseline naming the list means its first expansion, as for workers.
    expect(m.spec.baseline).toBe('direct-simple');
  });

  it('gives every cell its config protocol, and unexpanded configs the matrix protocol', () => {
    const m = parseMatrix(`${perConfig}protocol: extended\n`, 'm.yaml');
    const cells = expandCells(m);
    expect(cells.map((c) => c.id)).toContain('tx-w2-prepared__tpcb__c4__r1');
    const protocols = Object.fromEntries(cells.map((c) => [c.config, cellSettings(m, c, env).protocol]));
    expect(protocols).toEqual({
      'direct-simple': 'simple',
      'direct-prepared': 'prepared',
      'tx-w1-extended': 'extended',
      'tx-w1-prepared': 'prepared',
      'tx-w2-extended': 'extended',
      'tx-w2-prepared': 'prepared',
      session: 'extended',
    });
  });

  it('shuffles the expanded configs like any others (one per name, every rep)', () => {
    const m = parseMatrix(perConfig, 'm.yaml');
    const order = configOrder(
      m.spec.configs.map((c) => c.name),
      3,
      'shuffle',
      7,
    );
    const names = m.spec.configs.map((c) => c.name);
    const reps = Object.values(order.reps);
    expect(reps).toHaveLength(3);
    for (const rep of reps) expect([...rep].sort()).toEqual([...names].sort());
    // Shuffled: not every rep in the file's order.
    expect(reps.some((rep) => rep.join() !== names.join())).toBe(true);
  });

  it('keeps the baseline when --configs selects the list it names', () => {
    const text = perConfig.replace('baseline: direct', 'baseline: direct-prepared');
    expect(parseMatrix(text, 'm', { configs: ['direct'] }).spec.baseline).toBe('direct-prepared');
  });

  it('refuses repeated protocols, unknown ones, and protocol per config and per workload at once', () => {
    expect(err(perConfig.replace('[simple, prepared]', '[simple, simple]')).message).toBe(
      'm.yaml: configs[0].protocol: expected unique protocols (simple repeats)',
    );
    expect(err(perConfig.replace('[simple, prepared]', '[simple, binary]')).message).toContain(
      'configs[0].protocol: expected a pgbench protocol (simple, extended, prepared) or a list of them',
    );
    const both = perConfig.replace(
      'workloads: [tpcb]',
      'workloads: [{ name: t, builtin: tpcb, protocol: prepared }]',
    );
    expect(err(both).message).toBe(
      'm.yaml: workloads[0].protocol: expected protocol per config or per workload, not both (configs[0].protocol sets it too)',
    );
  });
});

describe('protocol as a workload axis', () => {
  const text = `
duration: 2s
concurrency: [1]
protocol: extended
workloads:
  - { name: ro, builtin: readonly, protocol: [simple, prepared] }
  - { name: web, builtin: tpcb, rate: [100, 200], protocol: [prepared] }
  - tpcb
configs:
  - { name: direct, kind: direct }
`;
  it('expands into <workload>.<protocol> workloads (rates after), each cell with its protocol', () => {
    const m = parseMatrix(text, 'm.yaml');
    expect(m.workloads.map((w) => w.name)).toEqual([
      'ro.simple',
      'ro.prepared',
      'web.prepared.r100',
      'web.prepared.r200',
      'tpcb',
    ]);
    const cells = expandCells(m);
    expect(cells.map((c) => [c.workload, cellSettings(m, c, env).protocol])).toEqual([
      ['ro.simple', 'simple'],
      ['ro.prepared', 'prepared'],
      ['web.prepared.r100', 'prepared'],
      ['web.prepared.r200', 'prepared'],
      ['tpcb', 'extended'],
    ]);
  });

  it('selects a protocol list by its workload name with --workloads', () => {
    const m = parseMatrix(text, 'm.yaml', { workloads: ['ro'] });
    expect(m.workloads.map((w) => w.name)).toEqual(['ro.simple', 'ro.prepared']);
  });
});

describe('prepared statements through a transaction pool', () => {
  const text = `
duration: 2s
concurrency: [1]
workloads: [tpcb]
configs:
  - { name: direct, kind: direct, protocol: prepared }
  - { name: tx, kind: pgbouncer, protocol: [simple, prepared] }
  - { name: stmt, kind: pgbouncer, pool_mode: statement, protocol: prepared, settings: { max_prepared_statements: 7 } }
  - { name: session, kind: pgbouncer, pool_mode: session, protocol: prepared }
  - name: proxy
    kind: proxy
    command: "p --port {port}"
    protocol: prepared
    via_pgbouncer: { pool_mode: transaction }
`;
  const spec = parseMatrix(text, 'm.yaml').spec;
  const settingsOf = (s: typeof spec, name: string) => {
    const c = s.configs.find((x) => x.name === name);
    return c ? pgbouncerHopOf(c)?.settings : undefined;
  };

  it('finds the configs that send prepared statements through a transaction or statement pool', () => {
    expect(preparedThroughPool(spec)).toEqual(['tx-prepared', 'stmt', 'proxy']);
    // The matrix protocol counts when the config sets none.
    const m = parseMatrix(
      'duration: 1s\nconcurrency: [1]\nworkloads: [tpcb]\nprotocol: prepared\nconfigs: [{ name: tx, kind: pgbouncer }]\n',
      'm.yaml',
    );
    expect(preparedThroughPool(m.spec)).toEqual(['tx']);
  });

  it('refuses them on a PgBouncer older than 1.21, naming the version found and the one needed', () => {
    let e: unknown;
    try {
      applyPreparedRule(spec, () => ({ version: '1.18.0', where: '/usr/sbin/pgbouncer' }));
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toBe(
      'configs tx-prepared, stmt, proxy: protocol prepared through a transaction or statement pool needs PgBouncer >= 1.21 (max_prepared_statements); found PgBouncer 1.18.0 (/usr/sbin/pgbouncer)',
    );
    expect(() => applyPreparedRule(spec, () => ({ version: undefined, where: 'image x' }))).toThrow(
      'found PgBouncer of unknown version (image x)',
    );
  });

  it('sets max_prepared_statements = 100 on 1.21 and later where the config sets none', () => {
    const out = applyPreparedRule(spec, () => ({ version: '1.24.1', where: 'image local/pgstack:trixie' }));
    expect(settingsOf(out, 'tx-prepared')).toEqual({ max_prepared_statements: 100 });
    expect(settingsOf(out, 'proxy')).toEqual({ max_prepared_statements: 100 });
    // Set by the matrix: kept. Simple protocol or session mode: untouched.
    expect(settingsOf(out, 'stmt')).toEqual({ max_prepared_statements: 7 });
    expect(settingsOf(out, 'tx-simple')).toEqual({});
    expect(settingsOf(out, 'session')).toEqual({});
    expect(applyPreparedRule(spec, () => ({ version: '1.21.0', where: 'x' }))).toEqual(out);
  });

  it('leaves a matrix without such configs alone, whatever the version', () => {
    const plain = parseMatrix(
      text.replaceAll('protocol: prepared', 'protocol: extended').replace('[simple, prepared]', '[simple]'),
      'm.yaml',
    ).spec;
    expect(applyPreparedRule(plain, () => ({ version: '1.18.0', where: 'x' }))).toBe(plain);
  });
});
