import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FailedCell } from '../../src/results/types.js';
import {
  bench,
  cellIsRunning,
  processesMentioning,
  readCells,
  readRunInfo,
  runDirIn,
  tempResults,
  waitFor,
  writeMatrix,
} from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const scratch = tempDir('bench-faults-');

/** Finds the PID of a component of the run by its unique scratch path (to kill it, as a fault). */
function componentPid(runDir: string, marker: string): number | undefined {
  const runId = path.basename(runDir);
  const pids = processesMentioning(`bench-${runId}-`).filter((pid) => {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmd.includes(marker);
  });
  return pids.length === 1 ? pids[0] : undefined;
}

describe('faults during a run', () => {
  it('kill -9 of PgBouncer mid-cell: that cell fails with the reason, the stack restarts, the matrix continues, exit 1', async () => {
    const matrix = writeMatrix(
      scratch,
      'kill-pooler.yaml',
      `duration: 4s
settle: 100ms
scale: 1
reps: 3
concurrency: [4]
configs:
  - { name: tx, kind: pgbouncer, pool_mode: transaction, default_pool_size: 4 }
workloads: [readonly]
`,
    );
    const results = tempResults();
    const run = bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    const runDir = await waitFor('the run dir', () => runDirIn(results));
    await waitFor('cell 1 mid-run', () => cellIsRunning(runDir, 'tx__readonly__c4__r1'));
    const pid = await waitFor('the pgbouncer pid', () => componentPid(runDir, 'pgbouncer-tx/pgbouncer.ini'));
    process.kill(pid, 'SIGKILL');
    const r = await run;
    expect(r.exitCode, String(r.all)).toBe(1);
    const cells = readCells(runDir);
    expect(cells.map((c) => c.state)).toEqual(['failed', 'completed', 'completed']);
    const failed = cells[0] as FailedCell;
    expect(failed.reason).toMatch(/pgbouncer:tx died during the cell/);
    expect(failed.errorLines.length).toBeGreaterThan(0);
    expect(String(r.all)).toMatch(/restarting tx/);
    expect(processesMentioning(`bench-${path.basename(runDir)}-`)).toEqual([]);
  }, 120_000);

  it('a pgbench hanging past duration + grace is killed and recorded as timed-out', async () => {
    writeMatrix(scratch, 'sleep.sql', 'SELECT pg_sleep(60);\n');
    const matrix = writeMatrix(
      scratch,
      'hang.yaml',
      `duration: 1s
hang_grace: 2s
settle: 0s
scale: 1
concurrency: [1]
configs: [{ name: direct, kind: direct }]
workloads: [{ name: stuck, script: sleep.sql }]
`,
    );
    const results = tempResults();
    const t0 = Date.now();
    const r = await bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    expect(r.exitCode, String(r.all)).toBe(1);
    expect(Date.now() - t0).toBeLessThan(40_000);
    const runDir = runDirIn(results) ?? '';
    const [cell] = readCells(runDir);
    expect(cell?.state).toBe('timed-out');
    expect((cell as FailedCell).reason).toMatch(/killed/);
    expect(processesMentioning(`bench-${path.basename(runDir)}-`)).toEqual([]);
  }, 120_000);

  it('PostgreSQL dying stops the run with a clear message; finished cells stay on disk', async () => {
    const matrix = writeMatrix(
      scratch,
      'kill-postgres.yaml',
      `duration: 3s
settle: 100ms
scale: 1
reps: 3
concurrency: [2]
configs: [{ name: direct, kind: direct }]
workloads: [readonly]
`,
    );
    const results = tempResults();
    const run = bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    const runDir = await waitFor('the run dir', () => runDirIn(results));
    await waitFor('cell 2 mid-run', () => cellIsRunning(runDir, 'direct__readonly__c2__r2'), 90_000);
    const pid = await waitFor('the postmaster pid', () => componentPid(runDir, '/pgdata -c'));
    process.kill(pid, 'SIGKILL');
    const r = await run;
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toMatch(/ERROR: PostgreSQL died/);
    const cells = readCells(runDir);
    expect(cells[0]?.state).toBe('completed');
    expect(cells[1]?.state).toBe('failed');
    expect(readRunInfo(runDir).outcome).toBe('stack-error');
    // The postmaster's orphaned backends exit on their own once they notice; give them a moment.
    await waitFor(
      'no leftovers',
      () => processesMentioning(`bench-${path.basename(runDir)}-`).length === 0,
      15_000,
    );
  }, 120_000);
});

describe('interruption and resume', () => {
  it('SIGINT mid-cell records the cell as interrupted, stops everything, and --resume completes the run', async () => {
    const matrix = writeMatrix(
      scratch,
      'resume.yaml',
      `duration: 3s
settle: 100ms
scale: 1
reps: 2
concurrency: [2]
config_order: fixed
configs:
  - { name: direct, kind: direct }
  - { name: tx, kind: pgbouncer }
workloads: [readonly]
`,
    );
    const results = tempResults();
    const run = bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    const runDir = await waitFor('the run dir', () => runDirIn(results));
    await waitFor('cell 2 mid-run', () => cellIsRunning(runDir, 'tx__readonly__c2__r1'), 90_000);
    const t0 = Date.now();
    run.kill('SIGINT');
    const r = await run;
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.exitCode, String(r.all)).toBe(130);
    expect(String(r.all)).toMatch(/--resume/);
    expect(readCells(runDir).map((c) => `${c.id}:${c.state}`)).toEqual([
      'direct__readonly__c2__r1:completed',
      'tx__readonly__c2__r1:interrupted',
    ]);
    expect(readRunInfo(runDir).outcome).toBe('interrupted');
    expect(processesMentioning(`bench-${path.basename(runDir)}-`)).toEqual([]);

    // A crash mid-write leaves half a line; the reader skips it and says so.
    appendFileSync(path.join(runDir, 'cells.jsonl'), '{"schema":1,"id":"direct__readonly__c2__r2","sta');
    const resumed = await bench(['run', matrix, '--provider', 'native', '--resume', runDir]);
    expect(resumed.exitCode, String(resumed.all)).toBe(0);
    expect(String(resumed.all)).toMatch(/truncated last line skipped/);
    const ids = readCells(runDir)
      .filter((c) => c.state === 'completed')
      .map((c) => c.id);
    expect(new Set(ids)).toEqual(
      new Set([
        'direct__readonly__c2__r1',
        'tx__readonly__c2__r1',
        'direct__readonly__c2__r2',
        'tx__readonly__c2__r2',
      ]),
    );
    expect(readRunInfo(runDir).resumedAt).toHaveLength(1);
  }, 180_000);

  // SIGTERM ended a run with 130, SIGINT's code; a shell reports 128 + the signal's number.
  it('SIGTERM mid-cell: exit 143, the finished cell and the interrupted one recorded, nothing left running', async () => {
    const matrix = writeMatrix(
      scratch,
      'sigterm.yaml',
      `duration: 2s
settle: 0s
scale: 1
reps: 2
concurrency: [1]
configs: [{ name: direct, kind: direct }]
workloads: [readonly]
`,
    );
    const results = tempResults();
    const run = bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    const runDir = await waitFor('the run dir', () => runDirIn(results));
    await waitFor('cell 2 mid-run', () => cellIsRunning(runDir, 'direct__readonly__c1__r2'), 90_000);
    run.kill('SIGTERM');
    const r = await run;
    expect(r.exitCode, String(r.all)).toBe(143);
    expect(String(r.all)).toMatch(/SIGTERM: stopping after recording the current cell as interrupted/);
    expect(readCells(runDir).map((c) => `${c.id}:${c.state}`)).toEqual([
      'direct__readonly__c1__r1:completed',
      'direct__readonly__c1__r2:interrupted',
    ]);
    expect(readRunInfo(runDir).outcome).toBe('interrupted');
    expect(processesMentioning(`bench-${path.basename(runDir)}-`)).toEqual([]);
  }, 120_000);

  it('--resume refuses a changed matrix with a clear message and exit 2', async () => {
    const matrix = writeMatrix(
      scratch,
      'changed.yaml',
      'duration: 1s\nsettle: 0s\nscale: 1\nconcurrency: [1]\nconfigs: [{ name: direct, kind: direct }]\nworkloads: [readonly]\n',
    );
    const results = tempResults();
    const first = await bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    expect(first.exitCode, String(first.all)).toBe(0);
    const runDir = runDirIn(results) ?? '';
    const flags = await bench(['run', matrix, '--provider', 'native', '--resume', runDir, '--reps', '3']);
    expect(flags.exitCode).toBe(2);
    expect(String(flags.stderr)).toMatch(
      /--resume .*: expected no override flags or the ones the run started with \(--provider native\), got --provider native --reps 3/,
    );
    appendFileSync(matrix, 'reps: 2\n');
    const r = await bench(['run', matrix, '--provider', 'native', '--resume', runDir]);
    expect(r.exitCode).toBe(2);
    expect(String(r.all)).toMatch(
      /ERROR: .*changed\.yaml: the matrix changed since run .* started .*--allow-changed-matrix/,
    );
    expect(existsSync(path.join(runDir, 'cells.jsonl'))).toBe(true);
  }, 120_000);
});
