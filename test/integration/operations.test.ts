import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { bench, readCells, runDirIn, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const IMAGE = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';

/**
 * Operations under load through PgBouncer in transaction mode, one run per provider, cells in
 * this order: an admin command PgBouncer refuses, with a pool resize by settings + RELOAD in the
 * same cell; a PostgreSQL fast restart at 25 % of the cell (the run went on after the failed
 * cell); then the next cell, on the restarted server: PAUSE at 1 s and RESUME at 3 s; then
 * pg_terminate_backend of the pooled backends; then a crash (SIGKILL of the postmaster, crash
 * recovery). Each of the last two aborts every client, so pgbench ends: one per cell. A last cell
 * without events runs on the server the crash recovery brought back.
 */
const MATRIX = `
name: operations-it
duration: 4s
warmup: 0s
settle: 200ms
reps: 1
scale: 1
concurrency: [4]
auth: trust
config_order: fixed
configs:
  - { name: refuse, kind: pgbouncer, pool_mode: transaction }
  - { name: restart, kind: pgbouncer, pool_mode: transaction }
  - { name: pause, kind: pgbouncer, pool_mode: transaction }
  - { name: term, kind: pgbouncer, pool_mode: transaction }
  - { name: crash, kind: pgbouncer, pool_mode: transaction }
  - { name: after, kind: pgbouncer, pool_mode: transaction }
workloads: [tpcb]
events:
  - { at: 25%, target: restart/postgres, postgres: restart-fast }
  - { at: 1s, target: pause/pgbouncer, admin: PAUSE }
  - { at: 3s, target: pause/pgbouncer, admin: RESUME }
  - { at: 1s, target: refuse/pgbouncer, admin: KILL nosuchdb }
  - { at: 50%, target: refuse/pgbouncer, settings: { default_pool_size: 2 } }
  - { at: 25%, target: term/postgres, postgres: terminate-pooled-backends }
  - { at: 25%, target: crash/postgres, postgres: crash }
`;

const providers = [
  { name: 'native', args: ['--provider', 'native'], env: {} as Record<string, string>, run: true },
  {
    name: 'testcontainers',
    args: ['--provider', 'testcontainers', '--image', `all=${IMAGE}`],
    env: { BENCH_PGBENCH: 'container' },
    run: engine.ok || required,
  },
];

describe.each(providers.filter((p) => p.run))('operations under load ($name)', (p) => {
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;
  const cell = (config: string) => {
    const found = cells.find((x) => x.config === config);
    if (!found) throw new Error(`no cell of ${config} in ${cells.map((x) => x.id).join(', ')}\n${output}`);
    return found;
  };

  beforeAll(async () => {
    const results = tempResults();
    const file = path.join(tempDir('bench-operations-matrix-'), 'operations.yaml');
    writeFileSync(file, MATRIX);
    const r = await bench(['run', file, ...p.args, '--results-dir', results], { env: p.env });
    output = String(r.all);
    exitCode = r.exitCode;
    cells = readCells(runDirIn(results) ?? '');
  }, 180_000);

  it('runs every cell; only the refused admin command fails its cell, and the run says so', () => {
    expect(
      cells.map((c) => [c.config, c.state]),
      output,
    ).toEqual([
      ['refuse', 'failed'],
      ['restart', 'completed'],
      ['pause', 'completed'],
      ['term', 'completed'],
      ['crash', 'completed'],
      ['after', 'completed'],
    ]);
    expect(exitCode, output).not.toBe(0);
    expect(output).toContain('1 cell(s) failed: refuse__tpcb__c4__r1');
  });

  it('restarts PostgreSQL under load, records when it was done and what the clients lost', () => {
    const c = cell('restart');
    const [e] = c.events ?? [];
    expect(e).toMatchObject({
      kind: 'postgres',
      action: 'restart-fast',
      target: 'restart/postgres',
      atMs: 1000,
    });
    expect(e?.error, JSON.stringify(e)).toBeUndefined();
    const fired = e?.firedAt ?? 0;
    expect(e?.offsetMs).toBeGreaterThanOrEqual(990);
    // Done once a new postmaster answers: after it fired, well inside the grace.
    expect(e?.doneAt).toBeGreaterThan(fired);
    expect((e?.doneAt ?? 0) - fired).toBeLessThan(30_000);
    // Transactions in flight through PgBouncer were cut: pgbench aborted their clients (it does not
    // reconnect them) or counted them failed.
    expect((c.abortedClients ?? 0) + (c.summary?.failed ?? 0), c.warnings.join('\n')).toBeGreaterThan(0);
  });

  it('runs the next cell on the restarted server without a failure; a 2 s PAUSE shows as latency', () => {
    const c = cell('pause');
    expect(c.events?.map((e) => [e.action, e.error, e.doneAt !== undefined])).toEqual([
      ['PAUSE', undefined, true],
      ['RESUME', undefined, true],
    ]);
    expect(c.summary?.failed).toBe(0);
    expect(c.abortedClients).toBeUndefined();
    expect(c.connectionErrors).toBe(0);
    expect(c.summary?.processed).toBeGreaterThan(0);
    // The clients waited out the pause: the longest transaction took about the 2 s between the two.
    expect(c.latency?.maxMs).toBeGreaterThanOrEqual(1500);
  });

  it('terminates the pooled backends, then crashes PostgreSQL and brings it back through recovery', () => {
    const t = cell('term');
    const [term] = t.events ?? [];
    expect(term?.error, JSON.stringify(term)).toBeUndefined();
    // PgBouncer held one server connection per busy client: 4 clients, up to 4 backends.
    expect(term?.steps?.[0]?.name).toMatch(/^terminated [1-4] backends of /);
    expect(t.abortedClients ?? 0).toBeGreaterThan(0);
    const c = cell('crash');
    const [crash] = c.events ?? [];
    expect(crash).toMatchObject({ kind: 'postgres', action: 'crash' });
    expect(crash?.error, JSON.stringify(crash)).toBeUndefined();
    expect(crash?.doneAt).toBeGreaterThan(crash?.firedAt ?? Number.POSITIVE_INFINITY);
    expect(c.abortedClients ?? 0).toBeGreaterThan(0);
    // The next cell ran healthy on the recovered server: no client lost, nothing failed.
    const after = cell('after');
    expect(after.abortedClients, after.warnings.join('\n')).toBeUndefined();
    expect(after.summary?.failed).toBe(0);
    expect(after.connectionErrors).toBe(0);
    expect(after.summary?.processed).toBeGreaterThan(0);
  });

  it("fails the cell of a refused admin command with PgBouncer's message; a resize is done", () => {
    const c = cell('refuse');
    expect(c.events?.[0]?.error).toMatch(/no such database: nosuchdb/);
    expect(c.events?.[0]?.doneAt).toBeUndefined();
    expect(c.state === 'failed' && c.reason).toMatch(
      /event KILL nosuchdb on refuse\/pgbouncer failed: .*nosuchdb/,
    );
    // The other event of the cell, the resize, was still done.
    const resize = c.events?.[1];
    expect(resize).toMatchObject({ kind: 'settings', action: 'default_pool_size=2 + RELOAD' });
    expect(resize?.error).toBeUndefined();
    expect(resize?.steps?.map((s) => s.name)).toEqual(['pgbouncer.ini rewritten']);
    expect(resize?.doneAt).toBeGreaterThan(resize?.firedAt ?? Number.POSITIVE_INFINITY);
  });
});

describe('operations: bad input', () => {
  it('refuses an admin command on a direct config with exit 2 before anything starts', async () => {
    const results = tempResults();
    const file = path.join(tempDir('bench-operations-bad-'), 'bad.yaml');
    writeFileSync(
      file,
      MATRIX.replace(
        '- { name: refuse, kind: pgbouncer, pool_mode: transaction }',
        '- { name: refuse, kind: direct }',
      ),
    );
    const r = await bench(['run', file, '--provider', 'native', '--results-dir', results], {
      timeout: 30_000,
    });
    expect(r.exitCode, String(r.all)).toBe(2);
    const errors = String(r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('ERROR:'));
    expect(errors).toEqual([
      `ERROR: ${file}: events[3].admin: expected a kind refuse can take (an admin command goes to PgBouncer's console and refuse is a direct config)`,
    ]);
    expect(readdirSync(results)).toEqual([]);
  });
});
