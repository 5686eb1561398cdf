import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { expandCells } from '../../src/matrix/expand.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { proxyPlaceholderValues, renderProxyCommand, renderProxyFiles } from '../../src/stack/render.js';

const text = `
duration: 2s
concurrency: [16]
workloads: [readonly]
baseline: agroal
configs:
  - { name: direct, kind: direct }
  - name: agroal
    kind: proxy
    command: ["pgagroal", "-c", "{workdir}/pgagroal.conf"]
    placeholders: { pool: [4, 8, 16], log_level: warn }
    files:
      pgagroal.conf: { text: "port = {port}\\nmax_connections = {pool}\\nlog_level = {log_level}\\n" }
  - name: relay
    kind: proxy
    protocol: [simple, prepared]
    command: "relay --listen {port} --threads {threads} --mode {mode}"
    placeholders: { threads: [1, 2], mode: [fast, safe] }
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

/** Where the path would run the proxy (src/stack/path.ts passes these to proxyPlaceholderValues). */
const builtIns = {
  port: 2345,
  upstream: { host: '127.0.0.1', port: 7432, user: 'bench_agroal' },
  database: 'bench',
  workdir: '/tmp',
  matrixDir: '/m',
};

describe('proxy placeholders as setting axes', () => {
  const m = parseMatrix(text, 'm.yaml');
  const byName = new Map(m.spec.configs.map((c) => [c.name, c]));
  const proxy = (name: string) => {
    const c = byName.get(name);
    if (c?.kind !== 'proxy') throw new Error(`${name} is not a proxy config`);
    return c;
  };

  it('expands a placeholder list into <config>-<placeholder>-<value> configs, in place, each with its value', () => {
    expect(m.spec.configs.map((c) => c.name).slice(0, 4)).toEqual([
      'direct',
      'agroal-pool-4',
      'agroal-pool-8',
      'agroal-pool-16',
    ]);
    expect(proxy('agroal-pool-8').placeholders).toEqual({ pool: 8, log_level: 'warn' });
    expect(proxy('agroal-pool-8').sweep).toEqual({ of: 'agroal', values: { pool: 8 } });
    expect(m.spec.baseline).toBe('agroal-pool-4');
  });

  it("renders each expansion's command and files with its own value beside the built-in placeholders", () => {
    const c = proxy('agroal-pool-16');
    const values = proxyPlaceholderValues(c.placeholders, builtIns);
    expect(values).toEqual({
      pool: 16,
      log_level: 'warn',
      port: 2345,
      host: '127.0.0.1',
      upstream_host: '127.0.0.1',
      upstream_port: 7432,
      database: 'bench',
      user: 'bench_agroal',
      workdir: '/tmp',
      matrix_dir: '/m',
    });
    expect(renderProxyFiles(c.files, values, () => '')).toEqual([
      { name: 'pgagroal.conf', content: 'port = 2345\nmax_connections = 16\nlog_level = warn\n' },
    ]);
    const r = proxy('relay-simple-threads-2-mode-safe');
    expect(renderProxyCommand(r.command ?? [], proxyPlaceholderValues(r.placeholders, builtIns))).toEqual([
      'relay',
      '--listen',
      '2345',
      '--threads',
      '2',
      '--mode',
      'safe',
    ]);
  });

  it('never lets an own placeholder replace a built-in one, even one the matrix would have refused', () => {
    const values = proxyPlaceholderValues({ port: 1, upstream_host: '10.0.0.1', pool: 4 }, builtIns);
    expect([values.port, values.upstream_host, values.host, values.pool]).toEqual([
      2345,
      '127.0.0.1',
      '127.0.0.1',
      4,
    ]);
    expect(proxyPlaceholderValues(undefined, builtIns).port).toBe(2345);
  });

  it('crosses several lists in the file order, after the protocol axis, with their own cells', () => {
    const names = m.spec.configs.map((c) => c.name).filter((n) => n.startsWith('relay'));
    expect(names).toEqual([
      'relay-simple-threads-1-mode-fast',
      'relay-simple-threads-1-mode-safe',
      'relay-simple-threads-2-mode-fast',
      'relay-simple-threads-2-mode-safe',
      'relay-prepared-threads-1-mode-fast',
      'relay-prepared-threads-1-mode-safe',
      'relay-prepared-threads-2-mode-fast',
      'relay-prepared-threads-2-mode-safe',
    ]);
    expect(proxy('relay-prepared-threads-2-mode-fast').sweep).toEqual({
      of: 'relay',
      values: { threads: 2, mode: 'fast' },
    });
    const ids = expandCells(m).map((c) => c.id);
    expect(ids).toContain('agroal-pool-16__readonly__c16__r1');
    expect(ids).toHaveLength(1 + 3 + 8);
  });

  it('refuses repeated values, values that cannot name a config, and built-in placeholder names', () => {
    expect(err(text.replace('[4, 8, 16]', '[4, 8, 8]')).message).toBe(
      'm.yaml: configs[1].placeholders.pool: expected unique values (8 repeats)',
    );
    expect(err(text.replace('[fast, safe]', '[fast, "very safe"]')).message).toBe(
      'm.yaml: configs[2].placeholders.mode: expected values of letters, digits, "." or "_" (they name configs), got "very safe"',
    );
    expect(err(text.replace('{ pool: [4, 8, 16]', '{ port: [4, 8, 16]')).message).toContain(
      'configs[1].placeholders.port: expected a name other than the built-in placeholders (port, host,',
    );
    expect(err(text.replace('{ pool: [4, 8, 16]', '{ "pool-size": [4, 8, 16]')).message).toContain(
      'configs[1].placeholders.pool-size: expected a placeholder name of letters, digits and "_"',
    );
  });
});
