import { describe, expect, it } from 'vitest';
import { forExternal } from '../../src/commands/doctor.js';
import { ConfigurationError } from '../../src/errors.js';
import { parseDsn } from '../../src/matrix/dsn.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { externalIsolationLine } from '../../src/runner/external-cell.js';
import { dataDecision, tableCensus } from '../../src/stack/external-data.js';
import { pgpassLookup } from '../../src/stack/pgpass.js';
import { externalMeta, externalMethodLines } from '../../summarize/reporters/findings/external-method.js';

describe('parseDsn', () => {
  it('reads a URL and libpq key=value pairs alike', () => {
    const want = { host: 'db.example', port: 6432, database: 'bench', user: 'app' };
    expect(parseDsn('postgresql://app@db.example:6432/bench')).toEqual({ ok: true, target: want });
    expect(parseDsn("host=db.example port=6432 dbname='bench' user=app")).toEqual({ ok: true, target: want });
  });

  it('defaults the port to 5432 and the database to the user, as libpq does', () => {
    expect(parseDsn('postgres://app@[::1]')).toEqual({
      ok: true,
      target: { host: '::1', port: 5432, database: 'app', user: 'app' },
    });
  });

  it('refuses a password in either form, and keys it would silently ignore', () => {
    expect(parseDsn('postgresql://app:hunter2@h/db')).toMatchObject({
      ok: false,
      error: /without a password/,
    });
    expect(parseDsn('host=h user=app password=hunter2')).toMatchObject({
      ok: false,
      error: /without a password/,
    });
    expect(parseDsn('postgresql://app@h/db?password=x')).toMatchObject({
      ok: false,
      error: /without a password/,
    });
    expect(parseDsn('postgresql://app@h/db?sslmode=require')).toMatchObject({ ok: false, error: /sslmode/ });
    expect(parseDsn('postgresql://h/db')).toMatchObject({ ok: false, error: /names the user/ });
    expect(parseDsn('host=a,b user=x')).toMatchObject({ ok: false, error: /one host/ });
  });
});

describe('pgpassLookup', () => {
  const t = { host: 'db', port: 5432, database: 'bench', user: 'app' };
  it('takes the first line that matches, with * and escapes', () => {
    const text = '# comment\nother:5432:*:app:no\ndb:*:bench:app:pa\\:ss\ndb:5432:bench:app:later\n';
    expect(pgpassLookup(text, t)).toBe('pa:ss');
    expect(pgpassLookup('*:*:*:*:any\n', t)).toBe('any');
    expect(pgpassLookup('db:5433:bench:app:x\n', t)).toBeUndefined();
  });
});

const ext = (extra: string, cfg = 'dsn: postgresql://app@127.0.0.1:6432/bench') => `
provider: external
concurrency: [1]
workloads: [readonly]
${extra}
configs:
  - name: staging
    kind: external
    ${cfg}
`;

function error(text: string): string {
  try {
    parseMatrix(text, 'm.yaml');
  } catch (e) {
    if (e instanceof ConfigurationError) return [e.message, ...e.details].join('\n');
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('matrix: provider external', () => {
  it('accepts a dsn or host/user, and init', () => {
    expect(parseMatrix(ext('init: true'), 'm').spec.init).toBe(true);
    expect(parseMatrix(ext('', 'host: db\n    user: app'), 'm').spec.configs[0]?.kind).toBe('external');
  });

  it('names the field of a password in a DSN, a missing endpoint, or both forms', () => {
    expect(error(ext('', 'dsn: postgresql://app:pw@h/db'))).toMatch(/configs\[0\]\.dsn.*without a password/s);
    expect(error(ext('', 'admin_dsn: postgresql://a@h/pgbouncer'))).toMatch(/configs\[0\]\.dsn/);
    expect(error(ext('', 'dsn: postgresql://a@h/d\n    host: h'))).toMatch(/configs\[0\]\.host.*not both/s);
  });

  it('keeps external configs and provider external together; init only for external', () => {
    expect(error(ext('').replace('provider: external', 'provider: native'))).toMatch(/provider.*external/s);
    const mixed = `${ext('')}  - { name: d, kind: direct }\n`;
    expect(error(mixed)).toMatch(/configs\[1\]\.kind/);
    expect(
      error('concurrency: [1]\nworkloads: [readonly]\ninit: true\nconfigs: [{ name: d, kind: direct }]\n'),
    ).toMatch(/init/);
  });
});

describe('pgbench data on an external database', () => {
  const pgbench = ['pgbench_accounts', 'pgbench_branches', 'pgbench_history', 'pgbench_tellers'].map(
    (name) => ({
      schema: 'public',
      name,
      current: true,
    }),
  );
  const where = 'configs[0] "staging": dsn app@db:5432/bench';

  it('inits an empty database only with init: true', () => {
    expect(dataDecision(true, tableCensus([]), where)).toEqual({ action: 'init' });
    const r = dataDecision(false, tableCensus([]), where);
    expect(r.action).toBe('refuse');
    expect('message' in r && r.message).toMatch(/^configs\[0\] "staging".*init: true/);
  });

  it('never inits beside another table, even with init: true', () => {
    const census = tableCensus([...pgbench, { schema: 'public', name: 'customers', current: true }]);
    expect(census.foreign).toEqual(['public.customers']);
    const r = dataDecision(true, census, where);
    expect('message' in r && r.message).toMatch(/public\.customers/);
  });

  it('uses existing pgbench tables (partitions included) without init; a pgbench name elsewhere is foreign', () => {
    const rows = [...pgbench, { schema: 'public', name: 'pgbench_accounts_1', current: true }];
    expect(dataDecision(false, tableCensus(rows), where)).toEqual({ action: 'use' });
    const elsewhere = tableCensus([{ schema: 'app', name: 'pgbench_accounts', current: false }]);
    expect(elsewhere.foreign).toEqual(['app.pgbench_accounts']);
  });
});

describe('external isolation and method', () => {
  it('reports other users without failing, in the form summarize counts', () => {
    const line = externalIsolationLine(
      [
        { usename: 'app', n: 3 },
        { usename: 'web', n: 2 },
      ],
      'app',
    );
    expect(line).toBe(
      "isolation: 2 foreign client backends (web: 2), 3 of this config's user app (external stack: reported, not enforced)",
    );
  });

  it('says what was sampled and what was not, from run.json', () => {
    const m = externalMeta({
      external: {
        a: { dsn: { endpoint: 'app@h:5432/b' }, postgres_dsn: { endpoint: 'app@h:5432/b' }, pids: {} },
        b: {
          dsn: { endpoint: 'app@p:6432/b' },
          admin_dsn: { endpoint: 'app@p:6432/b' },
          pids: { pgbouncer: 7 },
        },
      },
      data: { 'app@h:5432/b': { action: 'used as found', scale: 3 } },
    });
    if (!m) throw new Error('no meta');
    const text = externalMethodLines(m, { cellsIsolationChecked: 4, cellsWithForeignBackends: 1 }).join('\n');
    expect(text).toContain('`app@h:5432/b`: used as found (scale 3), no pgbench -i');
    expect(text).toContain('pg_stat_activity over postgres_dsn for `a`; not for `b`');
    expect(text).toContain('(`b`: pgbouncer)');
    expect(text).toContain('4 cells recorded the count, 1 found some');
    expect(externalMeta({ network: 'loopback' })).toBeUndefined();
  });

  it('doctor --provider external needs no PostgreSQL server binaries, only pgbench', () => {
    const checks = forExternal([
      { name: 'postgres', ok: false, required: true, detail: 'missing' },
      { name: 'pgbench', ok: false, required: true, detail: 'missing' },
    ]);
    expect(checks.map((c) => c.required)).toEqual([false, true]);
  });
});
