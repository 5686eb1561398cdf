import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { expandCells } from '../../src/matrix/expand.js';
import { loadMatrix, parseMatrix } from '../../src/matrix/load.js';
import { workloadFlags } from '../../src/matrix/workload.js';
import { tempDir } from '../helpers/tmp.js';

const base = `
configs:
  - { name: direct, kind: direct }
  - { name: tx, kind: pgbouncer, pool_mode: transaction, default_pool_size: 5 }
workloads: [tpcb, readonly, readonly-short]
concurrency: [1, 8]
`;

function err(text: string, file = 'm.yaml'): ConfigurationError {
  try {
    parseMatrix(text, file);
  } catch (e) {
    if (e instanceof ConfigurationError) return e;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseMatrix', () => {
  it('fills defaults and resolves built-in workloads into pgbench flags', () => {
    const m = parseMatrix(base, 'm.yaml');
    expect(m.spec.duration).toBe(10_000);
    expect(m.spec.reps).toBe(1);
    expect(m.spec.provider).toBe('auto');
    expect(m.workloads.map((w) => workloadFlags(w))).toEqual([[], ['-S'], ['-S', '-C']]);
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('parses durations in several units', () => {
    expect(parseMatrix(`${base}duration: 2000ms\n`, 'm').spec.duration).toBe(2000);
    expect(() => parseMatrix(`${base}duration: 1500ms\n`, 'm')).toThrow(/duration: expected whole seconds/);
    expect(parseMatrix(`${base}duration: 2m\n`, 'm').spec.duration).toBe(120_000);
    expect(parseMatrix(`${base}duration: 3\n`, 'm').spec.duration).toBe(3000);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['malformed YAML', `${base}\nconfigs: [unclosed\n`, /^m\.yaml:\d+:\d+: malformed YAML/],
    ['an unknown key', `${base}durration: 5s\n`, /m\.yaml: \(top level\): expected no key "durration" here/],
    [
      'an unknown key in a config',
      base.replace('kind: direct }', 'kind: direct, pool: 3 }'),
      /configs\[0\]: expected no key "pool"/,
    ],
    ['a wrong type', `${base}reps: two\n`, /reps: expected number \(got "two"\)/],
    [
      'an empty list',
      base.replace('concurrency: [1, 8]', 'concurrency: []'),
      /concurrency: expected a non-empty list/,
    ],
    [
      'an empty configs list',
      base.replace(/configs:\n(.*\n){2}/, 'configs: []\n'),
      /configs: expected a non-empty list/,
    ],
    ['zero', `${base}reps: 0\n`, /reps: expected a number > 0/],
    ['a negative number', base.replace('[1, 8]', '[1, -8]'), /concurrency\[1\]: expected a number > 0/],
    ['a zero duration', `${base}duration: 0s\n`, /duration: expected a duration greater than zero/],
    ['a garbage duration', `${base}duration: soon\n`, /duration: expected a duration such as 10s/],
    [
      'a duplicate config name',
      base.replace('name: tx', 'name: direct'),
      /configs\[1\]\.name: expected a unique config name/,
    ],
    [
      'a duplicate workload',
      base.replace('[tpcb, readonly,', '[tpcb, tpcb,'),
      /workloads\[1\]: expected a unique workload name/,
    ],
    [
      'an unknown config kind',
      base.replace('kind: direct', 'kind: pgcat'),
      /configs\[0\](\.kind)?: expected a config kind: one of direct, pgbouncer, proxy/,
    ],
    [
      'an unknown workload',
      base.replace('readonly-short', 'readonly-long'),
      /workloads\[2\]: expected a built-in workload name/,
    ],
    [
      'a bad pool mode',
      base.replace('pool_mode: transaction', 'pool_mode: txn'),
      /configs\[1\]\.pool_mode: expected one of session, transaction, statement/,
    ],
    [
      'an unknown baseline',
      `${base}baseline: nope\n`,
      /baseline: expected the name of a config \(one of direct, tx\)/,
    ],
    [
      'a comparison naming no config',
      `${base}compare: [[tx, nope]]\n`,
      /m\.yaml: compare\[0\]\[1\]: expected the name of a config \(one of direct, tx\)/,
    ],
    [
      'a config compared with itself',
      `${base}compare: [[tx, tx]]\n`,
      /compare\[0\]\[1\]: expected a config other than the candidate/,
    ],
    ['a comparison that is not a pair', `${base}compare: [[tx]]\n`, /compare\[0\]/],
    [
      'a proxy command without {port}',
      base.replace(
        'kind: direct }',
        'kind: direct }\n  - { name: p, kind: proxy, command: "myproxy --listen 6000" }',
      ),
      /configs\[1\]\.command: expected a command that contains the \{port\} placeholder/,
    ],
    ['a top level that is not a mapping', '- a\n- b\n', /expected a YAML mapping/],
  ];
  for (const [what, text, re] of bad) {
    it(`rejects ${what} with the file, the field path and what was expected`, () => {
      expect(err(text).message).toMatch(re);
    });
  }

  it('rejects a missing custom script, naming the resolved path', () => {
    const text = base.replace(
      'workloads: [tpcb, readonly, readonly-short]',
      'workloads:\n  - { name: web, script: nope.sql }',
    );
    expect(err(text, '/tmp/m.yaml').message).toMatch(
      /workloads\[0\]\.script: expected an existing pgbench script file, \/tmp\/nope\.sql does not exist/,
    );
  });

  it('accepts a custom script relative to the matrix file, with a weight and -C', () => {
    const dir = tempDir('bench-m-');
    writeFileSync(path.join(dir, 'web.sql'), '\\sleep 1 ms\nSELECT 1;\n');
    const file = path.join(dir, 'm.yaml');
    writeFileSync(
      file,
      base.replace(
        'workloads: [tpcb, readonly, readonly-short]',
        'workloads:\n  - { name: web, script: web.sql@2, reconnect: true, flags: [--rate, "100"] }',
      ),
    );
    const m = loadMatrix(file);
    expect(workloadFlags(m.workloads[0] ?? expect.fail())).toEqual([
      '-f',
      `${path.join(dir, 'web.sql')}@2`,
      '-C',
      '--rate',
      '100',
    ]);
  });

  it('keeps the comparisons a matrix lists; --configs drops those of configs left out', () => {
    const three = base.replace(
      'workloads:',
      '  - { name: s, kind: pgbouncer, pool_mode: session }\nworkloads:',
    );
    const text = `${three}compare: [[tx, s], [tx, direct]]\n`;
    expect(parseMatrix(text, 'm.yaml').spec.compare).toEqual([
      ['tx', 's'],
      ['tx', 'direct'],
    ]);
    expect(parseMatrix(text, 'm.yaml', { configs: ['tx', 's'] }).spec.compare).toEqual([['tx', 's']]);
    expect(parseMatrix(text, 'm.yaml', { configs: ['direct'] }).spec.compare).toBeUndefined();
    expect(parseMatrix(base, 'm.yaml').spec.compare).toBeUndefined();
  });

  it('applies overrides and validates them like the file', () => {
    const m = parseMatrix(`${base}baseline: direct\n`, 'm.yaml', {
      duration: '2s',
      reps: 3,
      concurrency: [4],
      configs: ['tx'],
    });
    expect(m.spec.duration).toBe(2000);
    expect(m.spec.reps).toBe(3);
    expect(m.spec.configs.map((c) => c.name)).toEqual(['tx']);
    expect(m.spec.baseline).toBeUndefined();
    expect(() => parseMatrix(base, 'm.yaml', { configs: ['nope'] })).toThrow(
      /--configs: expected names from m\.yaml \(direct, tx\), got "nope"/,
    );
    expect(() => parseMatrix(base, 'm.yaml', { duration: '-1s' })).toThrow(
      /duration: expected a duration greater than zero/,
    );
  });
});

/** Nested anchors, each level `width` aliases of the one before: width^levels nodes once expanded. */
function aliasBomb(levels = 9, width = 9): string {
  const names = 'abcdefghijklmnop';
  const lines = [`${names[0]}: &${names[0]} [${Array(width).fill('"lol"').join(', ')}]`];
  for (let l = 1; l < levels; l++) {
    lines.push(
      `${names[l]}: &${names[l]} [${Array(width)
        .fill(`*${names[l - 1]}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('parseMatrix on hostile or broken YAML', () => {
  it('refuses a "billion laughs" alias bomb at once, with one line naming the file and where nesting starts', () => {
    const t0 = Date.now();
    const e = err(`${base}${aliasBomb()}`, 'bomb.yaml');
    expect(Date.now() - t0).toBeLessThan(2000);
    // Line 9, column 8: the first *b of "c: &c [*b, ...]", the first alias of an anchor that itself holds aliases.
    expect(e.message).toMatch(
      /^bomb\.yaml:9:8: malformed YAML: expected aliases \(\*name\) that expand to a small document, these nested aliases expand past 100/,
    );
    expect(e.message).not.toContain('\n');
    expect(e.details).toEqual([]);
  });

  it('locates the bomb in linear time behind many harmless aliases', () => {
    const harmless = `x: &x [1]\ny: [${Array(50_000).fill('*x').join(', ')}]\n`;
    const t0 = Date.now();
    const e = err(`${base}${harmless}${aliasBomb()}`, 'bomb.yaml');
    expect(e.message).toMatch(/^bomb\.yaml:11:8: malformed YAML: expected aliases/);
    // About 2 s alone on these machines; a quadratic scan of 50,000 aliases would take minutes. The
    // bound is loose on purpose: the suite shares two cores with the integration tests.
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 30_000);

  it('still accepts a few aliases, nested or not', () => {
    const text = base.replace(
      'configs:\n',
      'x-pool: &pool { pool_mode: transaction, default_pool_size: 5 }\nx-two: &two [*pool, *pool]\nconfigs:\n',
    );
    // x- keys are not matrix fields: the schema, not the YAML layer, must be what refuses this.
    expect(err(text).message).toMatch(/expected no key "x-pool"/);
  });

  const broken: Array<[string, string, RegExp]> = [
    [
      'an alias without its anchor',
      `${base}baseline: *nope\n`,
      /^m\.yaml:7:11: malformed YAML: expected an anchor &nope before the alias \*nope$/,
    ],
    ['two documents', `${base}---\nreps: 2\n`, /^m\.yaml:7:1: malformed YAML: expected one YAML document/],
    [
      'a duplicate key',
      `${base}reps: 1\nreps: 2\n`,
      /^m\.yaml:8:1: malformed YAML: Map keys must be unique$/,
    ],
    [
      'nesting deeper than the parser can follow',
      `${base}x: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
      /^m\.yaml:\d+:\d+: malformed YAML: expected nesting the parser can follow/,
    ],
    [
      'a tab as indentation',
      `${base}gates:\n\tmin_tps: 1\n`,
      /^m\.yaml:8:1: malformed YAML: Tabs are not allowed/,
    ],
  ];
  for (const [what, text, re] of broken) {
    it(`refuses ${what} in one line`, () => {
      const e = err(text);
      expect(e.message).toMatch(re);
      expect(e.message).not.toContain('\n');
    });
  }

  it('refuses a device as the matrix file instead of reading it forever', () => {
    expect(() => loadMatrix('/dev/zero')).toThrow(
      /^\/dev\/zero: expected a regular matrix file, this is a device$/,
    );
  });

  it('refuses a directory as the matrix file', () => {
    expect(() => loadMatrix(os.tmpdir())).toThrow(/: expected a regular matrix file, this is a directory$/);
  });
});

describe('expandCells', () => {
  it('gives deterministic ids and interleaves reps', () => {
    const m = parseMatrix(`${base}reps: 2\n`, 'm.yaml');
    const cells = expandCells(m);
    expect(cells).toHaveLength(2 * 2 * 3 * 2);
    expect(cells[0]?.id).toBe('direct__tpcb__c1__r1');
    const firstRep2 = cells.findIndex((c) => c.rep === 2);
    expect(cells.slice(0, firstRep2).every((c) => c.rep === 1)).toBe(true);
    expect(firstRep2).toBe(12);
    expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
    expect(expandCells(m).map((c) => c.id)).toEqual(cells.map((c) => c.id));
  });
});
