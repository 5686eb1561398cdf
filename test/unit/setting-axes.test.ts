import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { expandCells } from '../../src/matrix/expand.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { pgbouncerHopOf } from '../../src/matrix/schema.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';

const text = `
duration: 2s
concurrency: [16]
workloads: [tpcb]
baseline: pool
configs:
  - { name: direct, kind: direct }
  - { name: pool, kind: pgbouncer, default_pool_size: [2, 5, 10, 20] }
  - name: two
    kind: pgbouncer
    workers: [1, 2]
    reserve_pool_size: [0, 3]
    settings: { server_lifetime: [60, 600], server_reset_query: "" }
`;

function err(t: string): ConfigurationError {
  try {
    parseMatrix(t, 'm.yaml');
  } catch (e) {
    if (e instanceof ConfigurationError) return e;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('any setting as an axis', () => {
  const m = parseMatrix(text, 'm.yaml');
  const byName = new Map(m.spec.configs.map((c) => [c.name, c]));

  it('expands a pool-field list into <config>-<setting>-<value> configs, in place, each with its value', () => {
    const names = m.spec.configs.map((c) => c.name);
    expect(names.slice(0, 5)).toEqual([
      'direct',
      'pool-default_pool_size-2',
      'pool-default_pool_size-5',
      'pool-default_pool_size-10',
      'pool-default_pool_size-20',
    ]);
    const sizes = [2, 5, 10, 20].map((n) => {
      const c = byName.get(`pool-default_pool_size-${n}`);
      return c ? pgbouncerHopOf(c)?.default_pool_size : undefined;
    });
    expect(sizes).toEqual([2, 5, 10, 20]);
    expect(m.spec.baseline).toBe('pool-default_pool_size-2');
    const c = byName.get('pool-default_pool_size-5');
    expect(c && 'sweep' in c ? c.sweep : undefined).toEqual({ of: 'pool', values: { default_pool_size: 5 } });
  });

  it('crosses several lists (pool fields first, then settings) after the workers axis', () => {
    const names = m.spec.configs.map((c) => c.name).filter((n) => n.startsWith('two'));
    expect(names).toEqual([
      'two-w1-reserve_pool_size-0-server_lifetime-60',
      'two-w1-reserve_pool_size-0-server_lifetime-600',
      'two-w1-reserve_pool_size-3-server_lifetime-60',
      'two-w1-reserve_pool_size-3-server_lifetime-600',
      'two-w2-reserve_pool_size-0-server_lifetime-60',
      'two-w2-reserve_pool_size-0-server_lifetime-600',
      'two-w2-reserve_pool_size-3-server_lifetime-60',
      'two-w2-reserve_pool_size-3-server_lifetime-600',
    ]);
    const c = byName.get('two-w2-reserve_pool_size-3-server_lifetime-600');
    expect(c && 'sweep' in c ? c.sweep : undefined).toEqual({
      of: 'two',
      values: { reserve_pool_size: 3, server_lifetime: 600 },
    });
    const hop = c ? pgbouncerHopOf(c) : undefined;
    expect(hop?.settings).toEqual({ server_lifetime: 600, server_reset_query: '' });
    expect(hop?.reserve_pool_size).toBe(3);
  });

  it('renders each expansion with its own value in pgbouncer.ini', () => {
    const c = byName.get('pool-default_pool_size-10');
    const hop = c ? pgbouncerHopOf(c) : undefined;
    if (!hop) throw new Error('no hop');
    const ini = renderPgbouncerIni({
      hop,
      listenPort: 6432,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5432,
      database: 'bench',
      user: 'bench',
      authFile: '/x/userlist.txt',
      authType: 'trust',
      socketDir: '/x',
      maxClientConn: 108,
      listenBacklog: 8,
    });
    expect(ini).toMatch(/^default_pool_size = 10$/m);
  });

  it('gives every expansion its own cells', () => {
    const ids = expandCells(m).map((c) => c.id);
    expect(ids).toContain('pool-default_pool_size-20__tpcb__c16__r1');
    expect(ids).toHaveLength(1 + 4 + 8);
  });

  it('refuses repeated values and values that cannot be part of a config name', () => {
    expect(err(text.replace('[2, 5, 10, 20]', '[2, 5, 5]')).message).toBe(
      'm.yaml: configs[1].default_pool_size: expected unique values (5 repeats)',
    );
    expect(err(text.replace('[60, 600]', '["a b", 600]')).message).toBe(
      'm.yaml: configs[2].settings.server_lifetime: expected values of letters, digits, "." or "_" (they name configs), got "a b"',
    );
    expect(err(text.replace('[2, 5, 10, 20]', '[]')).message).toContain(
      'configs[1].default_pool_size: expected',
    );
  });

  it('refuses configs whose expanded names collide, and a compare pair that expands to one config', () => {
    expect(err(text.replace('[60, 600]', '[60, "60"]')).message).toMatch(
      /configs: expected unique config names after the axes expand \(two-w1-reserve_pool_size-0-server_lifetime-60 is made twice/,
    );
    const clash = text.replace(
      '  - { name: direct, kind: direct }',
      '  - { name: pool-default_pool_size-2, kind: direct }',
    );
    expect(err(clash).message).toContain('pool-default_pool_size-2 is made twice');
    const self = `${text}compare: [[two, two-w1-reserve_pool_size-0-server_lifetime-60]]\n`;
    expect(err(self).message).toContain('compare[0]: expected two different configs');
  });
});
