import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { checkProfiling, profiles, profileTargets } from '../../src/runner/profile-hooks.js';
import type { Component } from '../../src/stack/types.js';

const MATRIX = `
concurrency: [1]
configs:
  - { name: direct, kind: direct }
  - { name: pgb, kind: pgbouncer }
  - { name: relay, kind: proxy, command: "relay {port}", via_pgbouncer: {} }
workloads: [readonly]
`;

describe('profile: true and --profile', () => {
  it('--profile marks every pgbouncer and proxy config, never direct', () => {
    const m = parseMatrix(MATRIX, 'm.yaml', { profile: true });
    expect(m.spec.configs.map((c) => [c.name, profiles(c)])).toEqual([
      ['direct', false],
      ['pgb', true],
      ['relay', true],
    ]);
    expect(parseMatrix(MATRIX, 'm.yaml').spec.configs.some(profiles)).toBe(false);
  });

  it('refuses profile on a config bench starts nothing for, naming the field', () => {
    const bad = MATRIX.replace('kind: direct }', 'kind: direct, profile: true }');
    expect(() => parseMatrix(bad, 'm.yaml')).toThrow(/m\.yaml: configs\[0\].*profile/);
    const notBool = MATRIX.replace('kind: pgbouncer }', 'kind: pgbouncer, profile: yes please }');
    expect(() => parseMatrix(notBool, 'm.yaml')).toThrow(/configs\[1\]\.profile/);
  });

  it('refuses the external provider and --profile with nothing to profile, before anything starts', () => {
    const m = parseMatrix(MATRIX, 'm.yaml', { profile: true });
    expect(() => checkProfiling(m, 'external', true)).toThrow(/external provider starts none/);
    const direct = parseMatrix(
      'concurrency: [1]\nconfigs: [{ name: d, kind: direct }]\nworkloads: [tpcb]\n',
      'd.yaml',
      {
        profile: true,
      },
    );
    expect(() => checkProfiling(direct, 'native', true)).toThrow(
      /--profile: expected a matrix with a pgbouncer or proxy/,
    );
    expect(() => checkProfiling(parseMatrix(MATRIX, 'm.yaml'), 'native', false)).not.toThrow();
  });

  it('records the pooler, each worker and the proxy by name, never PostgreSQL', () => {
    const c = (role: Component['role'], pid: number, name?: string) =>
      ({ role, pid, ...(name ? { name } : {}) }) as Component;
    expect(
      profileTargets([
        c('postgres', 10),
        c('proxy', 11),
        c('pgbouncer', 12, 'worker-1'),
        c('pgbouncer', 13, 'worker-2'),
      ]),
    ).toEqual([
      { component: 'proxy', pid: 11 },
      { component: 'worker-1', pid: 12 },
      { component: 'worker-2', pid: 13 },
    ]);
    expect(profileTargets([c('pgbouncer', 12)])).toEqual([{ component: 'pgbouncer', pid: 12 }]);
  });
});
