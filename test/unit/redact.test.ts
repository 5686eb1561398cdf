import { describe, expect, it } from 'vitest';
import { redact, redactDeep } from '../../src/util/redact.js';

describe('redact', () => {
  it('hides URL passwords, DSN and env passwords, and YAML password fields', () => {
    expect(redact('myproxy --upstream postgres://bench:s3cr3t@127.0.0.1:5432/bench')).toBe(
      'myproxy --upstream postgres://bench:***@127.0.0.1:5432/bench',
    );
    expect(redact('host=127.0.0.1 user=bench password=s3cr3t dbname=bench')).toBe(
      'host=127.0.0.1 user=bench password=*** dbname=bench',
    );
    expect(redact('PGPASSWORD=abc pgbench')).toBe('PGPASSWORD=*** pgbench');
    expect(redact('env: { PROXY_PASSWORD: "x y" }')).toBe('env: { PROXY_PASSWORD: *** }');
  });
  it('leaves text without secrets alone', () => {
    const s = 'socat TCP-LISTEN:{port},bind={host},fork TCP:{upstream_host}:{upstream_port}';
    expect(redact(s)).toBe(s);
    expect(redact('https://example.com/a@b')).toBe('https://example.com/a@b');
  });
  it('redacts nested values and keys that name a secret', () => {
    expect(
      redactDeep({ env: { API_TOKEN: 'abc', MODE: 'x' }, argv: ['--dsn', 'postgres://u:p@h/db'] }),
    ).toEqual({
      env: { API_TOKEN: '***', MODE: 'x' },
      argv: ['--dsn', 'postgres://u:***@h/db'],
    });
  });
});

describe('registered secrets', () => {
  it('hides a registered secret and any SCRAM verifier wherever they appear', async () => {
    const { registerSecret } = await import('../../src/util/redact.js');
    registerSecret('Zq8-generated_pw');
    expect(redact('FATAL: auth failed for Zq8-generated_pw!')).toBe('FATAL: auth failed for ***!');
    expect(redact('"bench" "SCRAM-SHA-256$4096:abc=$def=:ghi="')).toBe('"bench" "SCRAM-SHA-256$***"');
  });

  it('hides a short secret where it stands alone, without mangling words that contain it', async () => {
    const { registerSecret } = await import('../../src/util/redact.js');
    registerSecret('pw1');
    expect(redact('password authentication failed: pw1 (application pw12)')).toBe(
      'password authentication failed: *** (application pw12)',
    );
    expect(redact('secret=pw1;')).toBe('secret=***;');
  });
});
