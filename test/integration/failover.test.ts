import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord, EventRecord } from '../../src/results/types.js';
import {
  bench,
  onlyRunDir,
  processesMentioning,
  readCells,
  tempResults,
  writeMatrix,
} from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A failover of a real streaming standby under load through PgBouncer, two strategies in one run
 * (native provider): `none` leaves the pool on the dead primary, `pause-reload-resume` pauses,
 * promotes, points [databases] at the new primary, reloads and resumes. 8 clients at a paced 100
 * tps (so most clients are between transactions when the primary dies; at full speed every client
 * is inside one and is lost either way), the failover at 40 % of a 5 s cell, two reps: the second
 * cell of each config shows the rebuilt pair (primary back, a new standby) serving again.
 */
describe('failover to a promoted standby (native provider)', () => {
  let cells: CellRecord[];
  let output: string;
  let scratch: string | undefined;
  let runDir: string;
  beforeAll(async () => {
    const dir = tempDir('bench-failover-');
    const matrix = writeMatrix(
      dir,
      'failover.yaml',
      `
duration: 5s
settle: 0s
scale: 1
reps: 2
concurrency: [8]
config_order: fixed
postgres:
  # A standby that lost its primary retries every wal_retrieve_retry_interval (5 s by default),
  # and a promotion may wait that long: short, so both strategies see a promotion of the same length.
  settings: { wal_retrieve_retry_interval: 200ms }
configs:
  - name: stranded
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 10
    settings: { server_login_retry: 1, query_wait_timeout: 3 }
    standby: true
    on_failover: none
  - name: repointed
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 10
    settings: { server_login_retry: 1, query_wait_timeout: 3 }
    standby: true
    on_failover: pause-reload-resume
workloads:
  - { name: tpcb-paced, builtin: tpcb, rate: 100 }
events:
  - { at: 40%, target: stranded/postgres, failover: promote }
  - { at: 40%, target: repointed/postgres, failover: promote }
`,
    );
    const results = tempResults();
    const r = await bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    output = String(r.all);
    scratch = /postgres cluster in (\S+)\/pgdata/.exec(output)?.[1];
    runDir = onlyRunDir(results);
    cells = readCells(runDir);
  }, 240_000);

  const cell = (config: string, rep: number): CellRecord => {
    const c = cells.find((x) => x.config === config && x.rep === rep);
    if (!c) throw new Error(`no cell ${config} rep ${rep} in:\n${output}`);
    return c;
  };
  const failover = (c: CellRecord): EventRecord => {
    const e = (c.events ?? []).find((x) => x.kind === 'failover');
    if (!e) throw new Error(`no failover record in ${c.id}`);
    return e;
  };
  const stepNames = (e: EventRecord) => (e.steps ?? []).map((s) => s.name);

  it('records every step of the promotion with its time, in order, inside the action', () => {
    for (const c of cells) {
      const e = failover(c);
      expect(e.error, `${c.id}: ${output}`).toBeUndefined();
      expect(e.firedAt).toBeDefined();
      expect(e.doneAt).toBeDefined();
      const times = (e.steps ?? []).map((s) => s.at);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(times[0]).toBeGreaterThanOrEqual(e.firedAt as number);
      expect(times.at(-1)).toBeLessThanOrEqual(e.doneAt as number);
    }
    for (const rep of [1, 2]) {
      expect(stepNames(failover(cell('stranded', rep)))).toEqual([
        'primary killed (SIGKILL of the postmaster)',
        'standby promoted',
        'new primary accepts writes',
      ]);
      const repointed = failover(cell('repointed', rep));
      expect(repointed.action).toBe('promote (crash) + pause-reload-resume');
      expect(stepNames(repointed)).toEqual([
        'primary killed (SIGKILL of the postmaster)',
        'pgbouncer paused',
        'standby promoted',
        'new primary accepts writes',
        'pgbouncer.ini points at the new primary',
        'pgbouncer reloaded',
        'pgbouncer resumed',
      ]);
    }
  });

  it('loses fewer transactions with pause-reload-resume than with a stranded pool, in each rep', () => {
    for (const rep of [1, 2]) {
      const stranded = cell('stranded', rep).latency?.count ?? 0;
      const repointed = cell('repointed', rep).latency?.count ?? 0;
      expect(repointed, output).toBeGreaterThan(stranded);
    }
  });

  it('serves transactions again after a re-pointed failover (the stranded pool does not)', () => {
    for (const rep of [1, 2]) {
      const servedAfter = (config: string) => {
        const c = cell(config, rep);
        const done = failover(c).doneAt as number;
        return progress(c).filter((p) => p.at > done + 1000 && p.tps > 0).length;
      };
      expect(servedAfter('repointed'), output).toBeGreaterThan(0);
      expect(servedAfter('stranded'), output).toBe(0);
    }
  });

  it('starts the next cell of each config from a rebuilt pair that serves before its failover', () => {
    for (const config of ['stranded', 'repointed']) {
      const second = cell(config, 2);
      const firedAt = failover(second).firedAt as number;
      // Transactions completed before the event: PgBouncer points at the primary again.
      expect(
        progress(second).some((p) => p.at < firedAt && p.tps > 0),
        output,
      ).toBe(true);
    }
    expect(output).toMatch(/after the failover: stranded's promoted standby discarded, the primary back/);
    expect(output).toMatch(/after the failover: repointed's promoted standby discarded, the primary back/);
    // Each cell's path started once, with a standby of its own: four base backups for four cells.
    expect(output.match(/standby for \S+ streaming/g)).toHaveLength(4);
  });

  it('leaves no process of the run behind and no password in the output', () => {
    expect(scratch, output).toBeDefined();
    expect(processesMentioning(scratch as string)).toEqual([]);
    expect(output).not.toMatch(/password=\S/);
  });

  /** The cell's pgbench progress lines (one per second, epoch ms `at`). */
  function progress(c: CellRecord): Array<{ at: number; tps: number }> {
    return readFileSync(path.join(runDir, 'cells', c.id, 'progress.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { at: number; tps: number });
  }
});
