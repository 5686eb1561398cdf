import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import type { TlsSide } from '../../src/sampling/tls-observe.js';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { generateTlsCerts } from '../../src/stack/tls-certs.js';
import { bench, readCells, readRunInfo, runDirIn, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const IMAGE = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';

// SCRAM (the default) over TLS on both sides of PgBouncer; a plain direct config in the same run
// shows that PostgreSQL's ssl=on does not change a config without tls.
// 3 s cells: under -C a client is in PgBouncer's SHOW CLIENTS only part of the time, and 1 s
// (about 10 polls) sometimes caught none of pgbench's 2 clients; 3 s gives about 30 polls.
const MATRIX = `duration: 3s
settle: 0s
scale: 1
concurrency: [2]
sample_interval: 250ms
configs:
  - { name: plain, kind: direct }
  - { name: direct-tls, kind: direct, tls: { client: verify-full } }
  - { name: bouncer-tls, kind: pgbouncer, tls: { client: verify-full, server: verify-full } }
workloads: [readonly-short]
`;

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

function expectTls(side: TlsSide | undefined, mode: string, source: string): void {
  expect(side?.mode).toBe(mode);
  expect(side?.source).toBe(source);
  expect(side?.tlsObservations, JSON.stringify(side)).toBeGreaterThan(0);
  expect(side?.plainObservations).toBe(0);
  expect(side?.negotiated[0]?.version).toMatch(/^TLSv1\.[23]$/);
  expect(side?.negotiated[0]?.cipher).toMatch(/^TLS_|^ECDHE-/);
}

function tlsRun(provider: 'native' | 'testcontainers', extra: string[], env: Record<string, string>) {
  const out: { exitCode?: number; output: string; runDir: string; cells: CellRecord[] } = {
    output: '',
    runDir: '',
    cells: [],
  };
  beforeAll(async () => {
    const dir = tempDir('bench-tls-');
    const matrix = writeMatrix(dir, 'tls.yaml', MATRIX);
    const results = tempResults();
    const r = await bench(['run', matrix, '--provider', provider, '--results-dir', results, ...extra], {
      env,
    });
    out.exitCode = r.exitCode;
    out.output = String(r.all);
    out.runDir = runDirIn(results) ?? '';
    out.cells = readCells(out.runDir);
  }, 300_000);
  return out;
}

function tlsAssertions(run: ReturnType<typeof tlsRun>): void {
  const cell = (config: string) => run.cells.find((c) => c.config === config);

  it('completes every cell', () => {
    expect(run.exitCode, run.output).toBe(0);
    expect(run.cells.map((c) => c.state)).toEqual(['completed', 'completed', 'completed']);
  });

  it('records the negotiated protocol and cipher: pgbench to PostgreSQL (direct)', () => {
    expectTls(cell('direct-tls')?.tls?.client, 'verify-full', 'pg_stat_ssl');
  });

  it("records both sides through PgBouncer: SHOW CLIENTS for pgbench's side, pg_stat_ssl for PgBouncer's", () => {
    expectTls(cell('bouncer-tls')?.tls?.client, 'verify-full', 'pgbouncer SHOW CLIENTS');
    expectTls(cell('bouncer-tls')?.tls?.server, 'verify-full', 'pg_stat_ssl');
  });

  it('records a config without tls as plain from its settings, without polling it', () => {
    const side = cell('plain')?.tls?.client;
    expect(side).toMatchObject({ mode: 'disable', source: 'config settings', polls: 0, tlsObservations: 0 });
  });

  it('run.json names the TLS configs and the certificate parameters, and no file holds a key', () => {
    const tls = readRunInfo(run.runDir).stack?.tls as Record<string, unknown>;
    expect(tls.configs).toEqual({
      'direct-tls': { client: 'verify-full', server: 'disable' },
      'bouncer-tls': { client: 'verify-full', server: 'verify-full' },
    });
    expect(tls.postgresSsl).toBe(true);
    expect(tls.certificates).toMatchObject({ key: 'rsa-2048', subjectAltName: 'IP:127.0.0.1,DNS:localhost' });
    expect(run.output).not.toContain('-----BEGIN');
    for (const f of allFiles(run.runDir)) expect(readFileSync(f, 'utf8'), f).not.toContain('-----BEGIN');
  });

  it('summary.json has connections per first-hop core and the negotiated TLS per row', () => {
    const summary = JSON.parse(readFileSync(path.join(run.runDir, 'summary.json'), 'utf8'));
    const row = summary.rows.find((r: { config: string }) => r.config === 'bouncer-tls');
    expect(row.perCore.role).toBe('pgbouncer');
    expect(row.perCore.perCore).toBeGreaterThan(0);
    expect(row.tls.client.negotiated).toMatch(/^TLSv1\.[23] /);
    expect(readFileSync(path.join(run.runDir, 'FINDINGS.md'), 'utf8')).toContain('connections/s per core');
  });
}

describe('throwaway certificates (Debian openssl)', () => {
  it('a CA and a server certificate that openssl verifies for 127.0.0.1 and localhost; keys 0600, certificates 0644', async () => {
    const dir = path.join(tempDir('bench-certs-'), 'tls');
    const certs = await generateTlsCerts(dir, 'ec-p256');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(certs.file('serverKey')).mode & 0o777).toBe(0o600);
    expect(statSync(certs.file('caKey')).mode & 0o777).toBe(0o600);
    expect(statSync(certs.file('serverCert')).mode & 0o777).toBe(0o644);
    const verify = (flag: string, name: string) =>
      execa('openssl', ['verify', '-CAfile', certs.file('caCert'), flag, name, certs.file('serverCert')], {
        reject: false,
      });
    expect((await verify('-verify_ip', '127.0.0.1')).stdout).toMatch(/: OK$/);
    expect((await verify('-verify_hostname', 'localhost')).stdout).toMatch(/: OK$/);
    expect((await verify('-verify_hostname', 'example.com')).exitCode).not.toBe(0);
    const text = (await execa('openssl', ['x509', '-in', certs.file('serverCert'), '-noout', '-text']))
      .stdout;
    expect(text).toContain('prime256v1');
    expect(certs.facts).toMatchObject({ key: 'ec-p256', subjectAltName: 'IP:127.0.0.1,DNS:localhost' });
  });
});

describe('tls: native provider (PostgreSQL ssl, PgBouncer client and server TLS, pgbench verify-full)', () => {
  tlsAssertions(tlsRun('native', [], {}));
});

describe.skipIf(!engine.ok && !required)(
  'tls: testcontainers provider (keys copied in, owned by the server user)',
  () => {
    // pgbench in containers too: the CA reaches it as a read-only mount.
    tlsAssertions(tlsRun('testcontainers', ['--image', `all=${IMAGE}`], { BENCH_PGBENCH: 'container' }));
  },
);
