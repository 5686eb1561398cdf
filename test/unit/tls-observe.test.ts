import { describe, expect, it } from 'vitest';
import {
  pgStatSslQuery,
  type TlsNegotiated,
  tallyPgStatSsl,
  tallyShowClients,
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
