import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { anyTls, postgresNeedsSsl } from '../../src/matrix/tls.js';

const head = `
concurrency: [2]
workloads: [readonly-short]
`;

function err(configs: string, extra = ''): string {
  try {
    parseMatrix(`${head}${extra}configs:\n${configs}`, 'm.yaml');
  } catch (e) {
    if (e instanceof ConfigurationError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('tls: in the matrix', () => {
  it('defaults both sides to disable and the key to rsa-2048', () => {
    const m = parseMatrix(
      `${head}configs:\n  - { name: d, kind: direct, tls: { client: verify-full } }\n  - { name: p, kind: pgbouncer, tls: { server: require } }\n`,
      'm.yaml',
    );
    expect(m.spec.configs[0]?.tls).toEqual({ client: 'verify-full', server: 'disable' });
    expect(m.spec.configs[1]?.tls).toEqual({ client: 'disable', server: 'require' });
    expect(m.spec.tls_key).toBe('rsa-2048');
    expect(anyTls(m.spec.configs)).toBe(true);
    expect(postgresNeedsSsl(m.spec.configs)).toBe(true);
  });

  it('PostgreSQL ssl stays off when only a PgBouncer client side uses TLS', () => {
    const m = parseMatrix(
      `${head}configs:\n  - { name: p, kind: pgbouncer, tls: { client: require } }\n`,
      'm.yaml',
    );
    expect(anyTls(m.spec.configs)).toBe(true);
    expect(postgresNeedsSsl(m.spec.configs)).toBe(false);
  });

  const bad: Array<[string, string, RegExp, string?]> = [
    [
      'server TLS on a direct config',
      '  - { name: d, kind: direct, tls: { server: require } }\n',
      /m\.yaml: configs\[0\]\.tls\.server: expected disable on a direct config \(it has no server hop/,
    ],
    [
      'verify-full on the client side of a proxy',
      '  - { name: x, kind: proxy, command: "relay {port}", tls: { client: verify-full } }\n',
      /configs\[0\]\.tls\.client: expected disable on a proxy config \(bench cannot turn on TLS in the proxy under test/,
    ],
    [
      'server TLS on a proxy without via_pgbouncer',
      '  - { name: x, kind: proxy, command: "relay {port}", tls: { server: require } }\n',
      /configs\[0\]\.tls\.server: expected disable on a proxy config without via_pgbouncer/,
    ],
    [
      'an sslmode bench does not offer',
      '  - { name: d, kind: direct, tls: { client: prefer } }\n',
      /configs\[0\]\.tls\.client: .*disable.*require.*verify-full/,
    ],
    [
      'a misspelt side',
      '  - { name: d, kind: direct, tls: { clent: require } }\n',
      /configs\[0\]\.tls: expected no key "clent"/,
    ],
    [
      'an unknown key type',
      '  - { name: d, kind: direct }\n',
      /tls_key: .*rsa-2048.*ec-p256/,
      'tls_key: dsa-1024\n',
    ],
  ];
  for (const [what, configs, re, extra] of bad) {
    it(`refuses ${what} with one message naming the field`, () => {
      expect(err(configs, extra)).toMatch(re);
    });
  }

  it('accepts server TLS on a proxy that goes through PgBouncer', () => {
    const m = parseMatrix(
      `${head}configs:\n  - { name: x, kind: proxy, command: "relay {port}", via_pgbouncer: {}, tls: { server: verify-full } }\n`,
      'm.yaml',
    );
    expect(m.spec.configs[0]?.tls?.server).toBe('verify-full');
  });
});

describe('tls on an external config', () => {
  const ext = (tls: string) => `provider: external
concurrency: [1]
configs:
  - name: ext
    kind: external
    dsn: postgresql://app@127.0.0.1:5432/db
    tls: ${tls}
workloads: [readonly]
`;
  it('accepts require, and verify-full with a CA file', () => {
    expect(() => parseMatrix(ext('{ client: require }'), 'm.yaml')).not.toThrow();
    expect(() => parseMatrix(ext('{ client: verify-full, ca_file: ca.crt }'), 'm.yaml')).not.toThrow();
  });
  it('refuses verify-full without ca_file, a ca_file without verify-full, and a server side', () => {
    expect(() => parseMatrix(ext('{ client: verify-full }'), 'm.yaml')).toThrow(
      /configs\[0\]\.tls\.ca_file: expected the CA file/,
    );
    expect(() => parseMatrix(ext('{ client: require, ca_file: ca.crt }'), 'm.yaml')).toThrow(
      /ca_file: expected no ca_file/,
    );
    expect(() => parseMatrix(ext('{ server: require }'), 'm.yaml')).toThrow(
      /tls\.server: expected disable on an external config/,
    );
  });
});
