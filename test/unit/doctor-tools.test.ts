import { describe, expect, it } from 'vitest';
import { toolChecks } from '../../src/commands/doctor.js';

const found = (version: string, path: string) => ({ state: 'found' as const, version, path });

describe('doctor tool checks', () => {
  it('reports each tool found with its version and path', () => {
    const checks = toolChecks({
      postgres: found('15.18', '/usr/lib/postgresql/15/bin/postgres'),
      pgbench: found('15.18', '/usr/lib/postgresql/15/bin/pgbench'),
      pgbouncer: found('1.18.0', '/usr/sbin/pgbouncer'),
    });
    expect(checks.map((c) => [c.name, c.ok, c.detail])).toEqual([
      ['postgres', true, '15.18 (/usr/lib/postgresql/15/bin/postgres)'],
      ['pgbench', true, '15.18 (/usr/lib/postgresql/15/bin/pgbench)'],
      ['pgbouncer', true, '1.18.0 (/usr/sbin/pgbouncer)'],
    ]);
  });

  it('blames pgbench, not postgres, when only pgbench is missing', () => {
    const checks = toolChecks({
      postgres: { state: 'found' },
      pgbench: { state: 'missing' },
      pgbouncer: { state: 'unchecked', reason: 'needs postgres and pgbench first' },
    });
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.postgres?.ok).toBe(true);
    expect(byName.pgbench).toMatchObject({ ok: false, required: true, detail: 'pgbench was not found' });
    expect(byName.pgbench?.fix).toMatch(/apt-get install/);
    // Not looked for is not missing: it must not count as a required tool missing.
    expect(byName.pgbouncer).toMatchObject({ ok: false, required: false });
    expect(byName.pgbouncer?.detail).toMatch(/^not checked: /);
    expect(checks.filter((c) => c.required && !c.ok).map((c) => c.name)).toEqual(['pgbench']);
  });

  it('names postgres when postgres is missing, and only pgbouncer when only it is', () => {
    const noPostgres = toolChecks({
      postgres: { state: 'missing' },
      pgbench: found('15.18', '/usr/bin/pgbench'),
      pgbouncer: { state: 'unchecked', reason: 'x' },
    });
    expect(noPostgres.filter((c) => !c.ok && c.required).map((c) => c.detail)).toEqual([
      'postgres (initdb, postgres) was not found',
    ]);
    const noPgbouncer = toolChecks({
      postgres: found('15.18', '/p'),
      pgbench: found('15.18', '/b'),
      pgbouncer: { state: 'missing' },
    });
    expect(noPgbouncer.filter((c) => !c.ok).map((c) => c.name)).toEqual(['pgbouncer']);
  });
});
