import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults, writeMatrix } from '../helpers/cli.js';
import { startUserStack, type UserStack } from '../helpers/user-stack.js';

const PASSWORD = 'ext-Secret-4711-pw';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

function matrix(s: UserStack, o: { init?: boolean; database?: string }): string {
  const db = o.database ?? 'benchdb';
  const direct = `postgresql://app@127.0.0.1:${s.pgPort}/${db}`;
  return `provider: external
duration: 2s
settle: 0s
scale: 1
concurrency: [2]
sample_interval: 500ms
config_order: fixed
${o.init === undefined ? '' : `init: ${o.init}\n`}configs:
  - name: ext-direct
    kind: external
    dsn: ${direct}
    password_env: EXT_PW
    postgres_dsn: ${direct}
    postgres_password_env: EXT_PW
    pids: { postgres: ${s.pgPid} }
  - name: ext-bouncer
    kind: external
    host: 127.0.0.1
    port: ${s.bouncerPort}
    database: ${db}
    user: app
    password_env: EXT_PW
    admin_dsn: postgresql://app@127.0.0.1:${s.bouncerPort}/pgbouncer
    admin_password_env: EXT_PW
    postgres_dsn: ${direct}
    postgres_password_env: EXT_PW
    pids: { pgbouncer: ${s.bouncerPid} }
workloads: [readonly, tpcb]
`;
}

const env = { EXT_PW: PASSWORD, PGPASSWORD: '' };

describe('provider external: a stack started outside bench', () => {
  let stack: UserStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startUserStack(PASSWORD);
    dir = tempResults();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses pgbench -i without init: true (exit 2, naming the config and the field)', async () => {
    const file = writeMatrix(dir, 'no-init.yaml', matrix(stack, {}));
    const results = tempResults();
    const r = await bench(['run', file, '--results-dir', results], { env });
    for (const f of allFiles(results)) expect(readFileSync(f, 'utf8'), f).not.toContain(PASSWORD);
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toContain('configs[0] "ext-direct"');
    expect(String(r.all)).toContain('init: true');
    expect(String(r.all)).not.toContain(PASSWORD);
  });

  it('refuses init: true in a database that holds another table, and the table is still there', async () => {
    const file = writeMatrix(dir, 'foreign.yaml', matrix(stack, { init: true, database: 'appdb' }));
    const r = await bench(['run', file, '--results-dir', tempResults()], { env });
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toContain('public.customers');
    expect(String(r.all)).toContain('init: true');
    const c = new pg.Client(stack.superuser('appdb'));
    await c.connect();
    const rows = (await c.query('SELECT name FROM customers')).rows;
    const pgbench = (await c.query("SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'pgbench%'"))
      .rows;
    await c.end();
    expect(rows).toEqual([{ name: 'kept' }]);
    expect(pgbench).toEqual([{ n: 0 }]);
  });

  it('a bad endpoint stops the run before the first cell, naming the config', async () => {
    const text = matrix(stack, { init: true }).replace(`port: ${stack.bouncerPort}`, 'port: 1');
    const r = await bench(['run', writeMatrix(dir, 'dead.yaml', text), '--results-dir', tempResults()], {
      env,
    });
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toContain('configs[1] "ext-bouncer": dsn app@127.0.0.1:1/benchdb does not answer');
  });

  it('runs every cell with init: true, samples pg_stat_activity, SHOW POOLS and the named PIDs, and stores no password', async () => {
    const file = writeMatrix(dir, 'run.yaml', matrix(stack, { init: true }));
    const results = tempResults();
    const r = await bench(['run', file, '--results-dir', results], { env });
    expect(r.exitCode, String(r.all)).toBe(0);
    const run = onlyRunDir(results);
    const info = readRunInfo(run);
    expect(info.provider).toBe('external');
    // Where each password came from is recorded; the password is not.
    expect(JSON.stringify(info.stack)).toContain('"authFrom":"environment"');
    const cells = readCells(run);
    expect(cells).toHaveLength(4);
    for (const c of cells) {
      expect(c.state, c.id).toBe('completed');
      const samples = readFileSync(path.join(run, 'cells', c.id, 'samples.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; gap?: boolean; byUser?: Record<string, number> });
      const activity = samples.filter((s) => s.kind === 'pg_activity' && !s.gap);
      expect(activity.length, c.id).toBeGreaterThanOrEqual(3);
      // pgbench's 2 clients are app's backends (directly, or the pooler's server connections).
      expect(Math.max(...activity.map((s) => s.byUser?.app ?? 0)), c.id).toBeGreaterThanOrEqual(1);
      const proc = samples.filter((s) => s.kind === 'proc' && !s.gap);
      expect(proc.length, c.id).toBeGreaterThanOrEqual(3);
      const pools = samples.filter((s) => s.kind === 'pgbouncer' && !s.gap);
      if (c.config === 'ext-bouncer') {
        expect(pools.length, c.id).toBeGreaterThanOrEqual(3);
        expect(
          c.prepared.some((p) => p.startsWith('drained pgbouncer pool of benchdb')),
          c.id,
        ).toBe(true);
      } else expect(pools).toHaveLength(0);
      expect(
        c.prepared.some((p) => /^isolation: \d+ foreign client backends/.test(p)),
        c.id,
      ).toBe(true);
    }
    const findings = readFileSync(path.join(run, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('Provider: external');
    expect(findings).toContain('reported, never enforced');
    expect(findings).toContain('pg_stat_activity over postgres_dsn for `ext-direct`, `ext-bouncer`.');
    expect(findings).toContain('(`ext-direct`: postgres; `ext-bouncer`: pgbouncer)');
    expect(findings).toContain(`\`app@127.0.0.1:${stack.pgPort}/benchdb\`: pgbench -i -s 1`);
    const files = allFiles(run);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(PASSWORD);
    expect(String(r.all)).not.toContain(PASSWORD);
    // The stack is the user's: bench left both processes running.
    expect(() => process.kill(stack.pgPid, 0)).not.toThrow();
    expect(() => process.kill(stack.bouncerPid, 0)).not.toThrow();
  });

  it('without init uses the tables as found, and reports a backend of another user without failing the cell', async () => {
    // Runs after the init run above: the pgbench tables exist now.
    const other = new pg.Client(stack.superuser('benchdb'));
    await other.connect();
    try {
      const file = writeMatrix(dir, 'again.yaml', matrix(stack, {}));
      const results = tempResults();
      const r = await bench(['run', file, '--results-dir', results, '--workloads', 'readonly'], { env });
      expect(r.exitCode, String(r.all)).toBe(0);
      const run = onlyRunDir(results);
      expect(JSON.stringify(readRunInfo(run).stack)).toContain('"action":"used as found","scale":1');
      const cells = readCells(run);
      expect(cells).toHaveLength(2);
      for (const c of cells) {
        expect(c.state, c.id).toBe('completed');
        expect(c.prepared.join(' / '), c.id).toContain(
          "isolation: 1 foreign client backends (owner: 1), 0 of this config's user app (external stack: reported, not enforced)",
        );
      }
      expect(readFileSync(path.join(run, 'FINDINGS.md'), 'utf8')).toContain(
        '2 cells recorded the count, 2 found some',
      );
    } finally {
      await other.end();
    }
  });

  // Last: it stops the user's PgBouncer (by its PID, as the user would lose it).
  it("stops with exit 2 when a named local process exits mid-run: bench cannot restart a user's pooler", async () => {
    const file = writeMatrix(dir, 'lost.yaml', matrix(stack, {}));
    const results = tempResults();
    const run = bench(['run', file, '--results-dir', results, '--configs', 'ext-bouncer', '--reps', '2'], {
      env,
    });
    // After the first cell is on disk, the pooler goes away.
    for (let i = 0; i < 600; i++) {
      const dirs = readdirSync(results);
      const cells = dirs[0] ? path.join(results, dirs[0], 'cells.jsonl') : '';
      if (cells && statSafe(cells) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(stack.bouncerPid, 'SIGTERM');
    const r = await run;
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toMatch(/config "ext-bouncer": pgbouncer pid \d+ exited; bench cannot restart/);
    expect(readCells(onlyRunDir(results))[0]?.state).toBe('completed');
  });
});

function statSafe(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
