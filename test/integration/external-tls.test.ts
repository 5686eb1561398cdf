import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTlsCerts } from '../../src/stack/tls-certs.js';
import { bench, onlyRunDir, readCells, tempResults, writeMatrix } from '../helpers/cli.js';
import { startUserStack, type UserStack } from '../helpers/user-stack.js';

const PASSWORD = 'ext-Tls-Secret-0815';
const env = { EXT_PW: PASSWORD, PGPASSWORD: '' };

/** An external stack that rejects `app` without TLS (as a cloud database does). */
function matrix(s: UserStack, tls: string): string {
  const direct = `postgresql://app@127.0.0.1:${s.pgPort}/benchdb`;
  return `provider: external
init: true
duration: 2s
settle: 0s
scale: 1
concurrency: [2]
sample_interval: 500ms
configs:
  - name: ext-tls
    kind: external
    dsn: ${direct}
    password_env: EXT_PW
    postgres_dsn: ${direct}
    postgres_password_env: EXT_PW
${tls}workloads: [readonly]
`;
}

describe('provider external over TLS: a PostgreSQL that rejects plain connections', () => {
  let stack: UserStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startUserStack(PASSWORD, { tls: true });
    dir = tempResults();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('without tls: the endpoint check fails before the first cell, naming the config', async () => {
    const file = writeMatrix(dir, 'plain.yaml', matrix(stack, ''));
    const r = await bench(['run', file, '--results-dir', tempResults()], { env });
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toContain('configs[0] "ext-tls"');
    expect(String(r.all)).toMatch(/no encryption|SSL off|pg_hba/i);
  });

  it('with tls.client verify-full and the CA file: checks, pgbench and pg_stat_activity sampling all go over TLS', async () => {
    const ca = path.relative(dir, stack.caFile as string);
    const file = writeMatrix(
      dir,
      'tls.yaml',
      matrix(stack, `    tls: { client: verify-full, ca_file: ${ca} }\n`),
    );
    const results = tempResults();
    const r = await bench(['run', file, '--results-dir', results], { env });
    expect(r.exitCode, String(r.all)).toBe(0);
    const run = onlyRunDir(results);
    const [cell] = readCells(run);
    expect(cell?.state).toBe('completed');
    const samples = readFileSync(path.join(run, 'cells', cell?.id ?? '', 'samples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; gap?: boolean; byUser?: Record<string, number> });
    const activity = samples.filter((s) => s.kind === 'pg_activity' && !s.gap);
    expect(activity.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...activity.map((s) => s.byUser?.app ?? 0))).toBeGreaterThanOrEqual(1);
  });

  it('verify-full against a CA that did not sign the certificate is refused before the first cell', async () => {
    // Another throwaway CA, made the same way: the server's certificate does not chain to it.
    const other = await generateTlsCerts(path.join(dir, 'other-ca'), 'ec-p256');
    const wrong = path.relative(dir, other.file('caCert'));
    const file = writeMatrix(
      dir,
      'wrong.yaml',
      matrix(stack, `    tls: { client: verify-full, ca_file: ${wrong} }\n`),
    );
    const r = await bench(['run', file, '--results-dir', tempResults()], { env });
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toContain('configs[0] "ext-tls"');
    expect(String(r.all)).not.toContain(PASSWORD);
  });
});
