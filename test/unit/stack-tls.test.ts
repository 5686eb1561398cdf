import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgbenchEnv } from '../../src/pgbench/argv.js';
import { ownedEntries } from '../../src/stack/container-owned-files.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';
import { firstTarFile, passwdIds, tarOf } from '../../src/stack/tar.js';
import { clientTls, pgbouncerTlsSettings, postgresTlsSettings } from '../../src/stack/tls.js';
import { newKeyArgs, opensslSteps } from '../../src/stack/tls-certs.js';
import { tempDir } from '../helpers/tmp.js';

const paths = { cert: '/w/tls/server.crt', key: '/w/tls/server.key', ca: '/w/tls/ca.crt' };
const endpoint = { host: '127.0.0.1', port: 5, database: 'bench', user: 'u', password: 'pw-123456' };

describe('TLS settings', () => {
  it('PgBouncer: client side presents the certificate and accepts TLS; server side checks it for verify-full', () => {
    expect(pgbouncerTlsSettings({ client: 'require', server: 'verify-full' }, paths)).toEqual({
      client_tls_sslmode: 'prefer',
      client_tls_cert_file: paths.cert,
      client_tls_key_file: paths.key,
      client_tls_ca_file: paths.ca,
      server_tls_sslmode: 'verify-full',
      server_tls_ca_file: paths.ca,
    });
    expect(pgbouncerTlsSettings({ client: 'disable', server: 'disable' }, paths)).toEqual({});
  });

  it('pgbouncer.ini carries the TLS lines, and a matrix setting still wins', () => {
    const ini = renderPgbouncerIni({
      hop: {
        pool_mode: 'transaction',
        default_pool_size: 5,
        settings: { client_tls_protocols: 'tlsv1.2', server_tls_sslmode: 'require' },
      },
      listenPort: 6432,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5432,
      database: 'bench',
      user: 'bench',
      authFile: '/w/u.txt',
      authType: 'trust',
      socketDir: '/w',
      maxClientConn: 108,
      listenBacklog: 8,
      tlsSettings: pgbouncerTlsSettings({ client: 'require', server: 'verify-full' }, paths),
    });
    expect(ini).toContain(`client_tls_key_file = ${paths.key}\n`);
    expect(ini).toContain('client_tls_protocols = tlsv1.2\n');
    expect(ini).toContain('server_tls_sslmode = require\n');
    expect(ini).not.toContain('server_tls_sslmode = verify-full');
  });

  it('PostgreSQL: ssl on with the run certificate', () => {
    expect(postgresTlsSettings(paths)).toEqual({
      ssl: true,
      ssl_cert_file: paths.cert,
      ssl_key_file: paths.key,
    });
  });

  it('pgbench: sslmode per config, the CA only for verify-full, disable by default', () => {
    expect(pgbenchEnv(endpoint).PGSSLMODE).toBe('disable');
    expect(pgbenchEnv({ ...endpoint, ...clientTls('require', '/w/ca.crt') })).toMatchObject({
      PGSSLMODE: 'require',
    });
    expect(pgbenchEnv({ ...endpoint, ...clientTls('require', '/w/ca.crt') }).PGSSLROOTCERT).toBeUndefined();
    expect(pgbenchEnv({ ...endpoint, ...clientTls('verify-full', '/w/ca.crt') })).toMatchObject({
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/w/ca.crt',
    });
  });

  it('openssl makes a CA and a server certificate with the loopback names', () => {
    expect(newKeyArgs('ec-p256')).toEqual(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']);
    expect(newKeyArgs('rsa-3072')).toEqual(['-newkey', 'rsa:3072']);
    const steps = opensslSteps('rsa-2048', '/w');
    expect(steps).toHaveLength(3);
    expect(steps[2]).toEqual(expect.arrayContaining(['-CA', '/w/ca.crt', '-extfile', '/w/server.ext']));
  });
});

describe('files owned by the server user in a container', () => {
  it('tarOf writes a ustar that GNU tar lists with the owner, the modes and the parent directory', () => {
    const dir = tempDir('bench-tar-');
    const file = path.join(dir, 'x.tar');
    const entries = ownedEntries([
      { content: 'cert\n', target: '/tmp/bench/tls/server.crt', mode: 0o644 },
      { content: 'key\n', target: '/tmp/bench/tls/server.key', mode: 0o600 },
    ]);
    writeFileSync(file, tarOf(entries, 100, 102));
    const listing = execFileSync('tar', ['-tvnf', file, '--numeric-owner'], { encoding: 'utf8' });
    expect(listing).toMatch(/^drwx------ 100\/102 +0 .* tmp\/bench\/tls\/$/m);
    expect(listing).toMatch(/^-rw------- 100\/102 +4 .* tmp\/bench\/tls\/server\.key$/m);
    expect(listing).toMatch(/^-rw-r--r-- 100\/102 +5 .* tmp\/bench\/tls\/server\.crt$/m);
    expect(execFileSync('tar', ['-xOf', file, 'tmp/bench/tls/server.key'], { encoding: 'utf8' })).toBe(
      'key\n',
    );
  });

  it('reads the first file of an archive and the ids of a user', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/sh\npostgres:x:100:102::/var/lib/postgresql:/bin/sh\n';
    expect(firstTarFile(tarOf([{ name: 'etc/passwd', mode: 0o644, content: passwd }], 0, 0))).toBe(passwd);
    expect(passwdIds(passwd, 'postgres')).toEqual({ uid: 100, gid: 102 });
    expect(passwdIds(passwd, '999:998')).toEqual({ uid: 999, gid: 998 });
    expect(passwdIds(passwd, 'nobody')).toBeUndefined();
  });
});
