import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { costChecks, locateTools, toolChecks } from '../../src/commands/doctor.js';
import { locateTool } from '../../src/stack/binaries.js';

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

  it('locates each tool on its own: postgres keeps its version when pgbench is missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'doctor-tools-'));
    const fake = (name: string, out: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, `#!/bin/sh\necho '${out}'\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const bins: Record<string, string> = {
      initdb: fake('initdb', 'initdb (PostgreSQL) 99.1'),
      postgres: fake('postgres', 'postgres (PostgreSQL) 99.1 (Test)'),
      pgbouncer: fake('pgbouncer', 'PgBouncer 1.99.0\nlibevent 2.1'),
    };
    const tools = await locateTools((name) => bins[name]);
    expect(tools.postgres).toEqual({ state: 'found', path: bins.postgres, version: '99.1' });
    expect(tools.pgbench).toEqual({ state: 'missing' });
    expect(tools.pgbouncer).toEqual({ state: 'found', path: bins.pgbouncer, version: '1.99.0' });
    const checks = toolChecks(tools);
    expect(checks.filter((c) => c.required && !c.ok).map((c) => c.name)).toEqual(['pgbench']);
    // Without its initdb, postgres cannot make a cluster: postgres is what is missing.
    const noInitdb = await locateTools((name) => (name === 'initdb' ? undefined : bins[name]));
    expect(noInitdb.postgres).toEqual({ state: 'missing' });
  });

  it('searches BENCH_PG_BINDIR first, as findBinaries does', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'doctor-bindir-'));
    writeFileSync(path.join(dir, 'pgbench'), '');
    const saved = process.env.BENCH_PG_BINDIR;
    process.env.BENCH_PG_BINDIR = dir;
    try {
      expect(locateTool('pgbench')).toBe(path.join(dir, 'pgbench'));
      expect(locateTool('initdb')).not.toBe(path.join(dir, 'initdb'));
    } finally {
      if (saved === undefined) delete process.env.BENCH_PG_BINDIR;
      else process.env.BENCH_PG_BINDIR = saved;
    }
  });
});

describe('doctor cost tool checks', () => {
  it('names the Debian package of a missing valgrind or perf, and never makes them required', () => {
    const checks = costChecks([
      { tool: 'valgrind', ok: false, detail: 'valgrind was not found', fix: 'apt-get install -y valgrind' },
      { tool: 'perf', ok: true, detail: 'perf version 6.1' },
    ]);
    expect(checks).toEqual([
      {
        name: 'valgrind',
        ok: false,
        required: false,
        detail: 'valgrind was not found',
        fix: 'apt-get install -y valgrind',
      },
      { name: 'perf', ok: true, required: false, detail: 'perf version 6.1; cost cells can use it' },
    ]);
  });
});
