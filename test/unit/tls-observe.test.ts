import { describe, expect, it } from 'vitest';
import type { ConfigSpec } from '../../src/matrix/schema.js';
import { pgbouncerAdmins, tlsHooks } from '../../src/runner/tls-hooks.js';
import {
  observesTls,
  pgStatSslQuery,
  plainObservation,
  type TlsNegotiated,
  tallyPgStatSsl,
  tallyShowClients,
  tlsPollMs,
} from '../../src/sampling/tls-observe.js';

describe('negotiated TLS from the servers', () => {
  it("counts pg_stat_ssl rows of the config's role by version and cipher", () => {
    const t = new Map<string, TlsNegotiated>();
    // node-postgres gives booleans and int8 counts as strings.
    const rows = [
      { ssl: true, version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256, n: '3' },
      { ssl: false, version: null, cipher: null, bits: null, n: '2' },
    ];
    expect(tallyPgStatSsl(rows, t)).toEqual([3, 2]);
    expect(tallyPgStatSsl(rows.slice(0, 1), t)).toEqual([3, 0]);
    expect([...t.values()]).toEqual([
      { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', detail: '256 bits', observations: 6 },
    ]);
    expect(pgStatSslQuery("bench_o'k")).toContain("a.usename = 'bench_o''k'");
  });

  it("reads PgBouncer's SHOW CLIENTS tls column, only for the config's user", () => {
    const t = new Map<string, TlsNegotiated>();
    const rows = [
      { user: 'bench_p', tls: 'TLSv1.3/TLS_AES_256_GCM_SHA384/ECDH=X25519' },
      { user: 'bench_p', tls: 'TLSv1.3/TLS_AES_256_GCM_SHA384' },
      { user: 'bench_p', tls: '' },
      { user: 'bench', tls: '' },
    ];
    expect(tallyShowClients(rows, 'bench_p', t)).toEqual([2, 1]);
    expect([...t.values()].map((n) => [n.version, n.cipher, n.detail, n.observations])).toEqual([
      ['TLSv1.3', 'TLS_AES_256_GCM_SHA384', 'ECDH=X25519', 1],
      ['TLSv1.3', 'TLS_AES_256_GCM_SHA384', undefined, 1],
    ]);
  });
});

describe('which cells are observed, and how often', () => {
  const postgres = { host: '127.0.0.1', port: 5432, user: 'bench', database: 'bench' } as never;
  const configs = [
    { name: 'plain', kind: 'pgbouncer' },
    { name: 'direct-plain', kind: 'direct' },
    { name: 'tls', kind: 'pgbouncer', tls: { client: 'require', server: 'disable' } },
  ] as never as ConfigSpec[];

  it('polls every 100 ms up to 100 clients, then less often, at most every second', () => {
    expect(tlsPollMs(1)).toBe(100);
    expect(tlsPollMs(100)).toBe(100);
    expect(tlsPollMs(400)).toBe(400);
    expect(tlsPollMs(10000)).toBe(1000);
  });

  it('a config without TLS is not polled: its record says plain from its settings', async () => {
    const hook = tlsHooks(configs, 'plain', 'bench_p', postgres, {}, 10000);
    const obs = await hook.observeTls?.().stop();
    expect(obs).toEqual(plainObservation(configs[0] as ConfigSpec));
    expect(obs?.client).toMatchObject({ mode: 'disable', source: 'config settings', polls: 0 });
    expect(obs?.server?.source).toBe('config settings');
    expect(plainObservation(configs[1] as ConfigSpec)).toEqual({
      intervalMs: 0,
      client: {
        mode: 'disable',
        source: 'config settings',
        polls: 0,
        tlsObservations: 0,
        plainObservations: 0,
        negotiated: [],
      },
    });
    expect(observesTls(configs[0] as ConfigSpec)).toBe(false);
    expect(observesTls(configs[2] as ConfigSpec)).toBe(true);
  });

  it('a run without TLS records nothing', () => {
    expect(tlsHooks(configs.slice(0, 2), 'plain', 'bench_p', postgres, {}, 10)).toEqual({});
  });

  it("reads SHOW CLIENTS on every worker's admin console", () => {
    const admin = (host: string) => ({ host, port: 6432, user: 'pgbouncer', database: 'pgbouncer' }) as never;
    const workers = [1, 2].map((w) => ({ worker: w, admin: admin(`/tmp/w${w}`), component: {} as never }));
    expect(pgbouncerAdmins({ pgbouncerWorkers: workers }).map((e) => e.host)).toEqual(['/tmp/w1', '/tmp/w2']);
    expect(pgbouncerAdmins({ pgbouncerAdmin: admin('/tmp/one') }).map((e) => e.host)).toEqual(['/tmp/one']);
    expect(pgbouncerAdmins({})).toEqual([]);
  });
});
