import { describe, expect, it } from 'vitest';
import { StderrEventLog, stderrEventOf } from '../../src/pgbench/stderr-events.js';
import { buildTimeline, TIMELINE_BIN_MS } from '../../src/pgbench/timeline.js';
import { TxLogParser } from '../../src/pgbench/txlog.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('the ms timeline of a per-transaction log', () => {
  it('bins completions by end time (time_epoch.time_us) and lists the gaps exactly', () => {
    const p = new TxLogParser({ timeline: true });
    // Two files (threads) interleaved in time; a 730 ms stretch with no completion.
    p.push(enc('0 1 1200 0 1700000000 010000\n0 2 1500 0 1700000000 040000\n0 3 900 0 1700000000 770000\n'));
    p.end();
    p.beginFile(0);
    p.push(
      enc('1 1 800 0 1700000000 025000\n1 2 failed 0 1700000000 500000\n1 3 2400000 0 1700000000 780500\n'),
    );
    p.end();
    const t = p.result().timeline;
    expect(t).toBeDefined();
    if (!t) return;
    expect(t.startMs).toBe(1_700_000_000_000);
    expect(t.binMs).toBe(TIMELINE_BIN_MS);
    expect(t.firstMs).toBe(1_700_000_000_010);
    expect(t.lastMs).toBe(1_700_000_000_780);
    expect(t.gaps).toEqual([[1_700_000_000_040, 1_700_000_000_770]]);
    expect(t.failedAt).toEqual([1_700_000_000_500]);
    expect(t.count.reduce((a, b) => a + b, 0)).toBe(5);
    expect(t.count[0]).toBe(3);
    expect(t.failed[10]).toBe(1);
    // The 2.4 s transaction ended in the bin of 780 ms.
    expect(t.maxMs[15]).toBe(2400);
    expect(t.maxMs[1]).toBeNull();
  });

  it('is not collected unless asked for', () => {
    const p = new TxLogParser();
    p.push(enc('0 1 1200 0 1700000000 010000\n'));
    expect(p.result().timeline).toBeUndefined();
  });

  it('is empty for an empty log', () => {
    const t = buildTimeline([], new Map(), []);
    expect(t.count).toEqual([]);
    expect(t.gaps).toEqual([]);
    expect(t.firstMs).toBeUndefined();
  });
});

describe("pgbench's stderr lines, stamped as they arrive", () => {
  it('tells an aborted client and a failed connection from the rest', () => {
    expect(
      stderrEventOf(
        'pgbench: error: client 3 aborted in command 1 (SQL) of script 0; perhaps the backend died while processing',
        0,
        5,
      ),
    ).toEqual({ at: 5, process: 0, kind: 'aborted', client: 3 });
    expect(
      stderrEventOf(
        'pgbench: error: client 1 script 0 aborted in command 1 query 0: FATAL:  terminating connection due to administrator command',
        1,
        6,
      ),
    ).toEqual({ at: 6, process: 1, kind: 'aborted', client: 1 });
    expect(
      stderrEventOf(
        'pgbench: error: connection to server at "127.0.0.1", port 6432 failed: Connection refused',
        0,
        7,
      ),
    ).toEqual({ at: 7, process: 0, kind: 'connection-error' });
    expect(stderrEventOf('pgbench: error: could not create connection for client 4', 0, 8)?.kind).toBe(
      'connection-error-pgbench',
    );
    expect(
      stderrEventOf('progress: 1.0 s, 15487.5 tps, lat 0.252 ms stddev 0.556, 0 failed', 0, 9),
    ).toBeUndefined();
    expect(stderrEventOf('HINT:  In a moment you should be able to reconnect', 0, 9)).toBeUndefined();
  });

  it('records each aborted client once, per process, with the time it was first reported', () => {
    const log = new StderrEventLog();
    log.add(0, 'pgbench: error: client 2 aborted in command 1 (SQL) of script 0', 200);
    log.add(0, 'pgbench: error: client 0 aborted while establishing connection', 100);
    log.add(1, 'pgbench: error: client 0 aborted in command 1 (SQL) of script 0', 150);
    log.add(0, 'pgbench: error: client 2 aborted in command 1 (SQL) of script 0', 300);
    log.add(0, 'WARNING:  terminating connection because of crash of another server process', 310);
    const r = log.record();
    expect(r.abortedAt).toEqual([100, 150, 200]);
    expect(r.stderrEvents).toHaveLength(3);
    expect(new StderrEventLog().record()).toEqual({});
  });
});
