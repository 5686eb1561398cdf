import { describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import type { SourcedCell } from '../../summarize/input/merge.js';
import { loadOutages, loadUnsentEvents } from '../../summarize/input/outage-files.js';

const T0 = 1_700_000_000_000;

function sourced(argv: string[]): SourcedCell {
  const cell = {
    id: 'c1',
    config: 'pgb',
    workload: 'tpcb',
    concurrency: 4,
    rep: 1,
    startedAt: new Date(T0).toISOString(),
    argv,
    events: [
      { target: 'pgb/pgbouncer', signal: 'SIGINT', atMs: 3000, firedAt: T0 + 3000, pids: [] },
      {
        target: 'pgb/pgbouncer',
        signal: 'SIGINT',
        atMs: 20_000,
        pids: [],
        error: 'not sent: pgbench ended first',
      },
    ],
  } as unknown as CellRecord;
  return { cell, dir: '/nonexistent-run-dir' } as unknown as SourcedCell;
}

describe('loadOutages without a time series', () => {
  it("takes the cell's planned -T as its time axis", () => {
    const [o] = loadOutages([sourced(['-c', '4', '-T', '10'])], [], undefined);
    expect(o?.windowMs).toBe(7000);
    expect(o?.atS).toBe(3);
  });

  it('says there is no time axis when there is no -T either, never a negative time', () => {
    const [o] = loadOutages([sourced([])], [], undefined);
    expect(o?.recovery.why).toMatch(/^no time axis/);
    expect(o?.windowMs).toBe(0);
    expect(o?.verdict).not.toMatch(/-\d/);
  });

  it('lists the events a cell never sent', () => {
    expect(loadUnsentEvents([sourced([])], undefined).map((u) => u.why)).toEqual([
      'not sent: pgbench ended first',
    ]);
  });
});
