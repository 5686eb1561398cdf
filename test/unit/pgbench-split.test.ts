import { describe, expect, it } from 'vitest';
import { mergeSummaries } from '../../src/pgbench/merge-summary.js';
import {
  clientsPerProcess,
  flagsForShare,
  PGBENCH_FD_MARGIN,
  splitClients,
} from '../../src/pgbench/split.js';
import { parseSummary } from '../../src/pgbench/summary.js';
import type { PgbenchSummary } from '../../src/pgbench/types.js';
import { combineResults, stopsPeers } from '../../src/runner/pgbench-processes.js';

describe('clientsPerProcess', () => {
  it('is what the open-file limit leaves after the margin, or the matrix override when smaller', () => {
    expect(clientsPerProcess({ nofileSoft: 20000 })).toBe(20000 - PGBENCH_FD_MARGIN);
    expect(clientsPerProcess({ nofileSoft: 20000, override: 2500 })).toBe(2500);
    expect(clientsPerProcess({ nofileSoft: 1024, override: 5000 })).toBe(1024 - PGBENCH_FD_MARGIN);
    expect(clientsPerProcess({})).toBe(Number.POSITIVE_INFINITY);
    expect(clientsPerProcess({ nofileSoft: Number.POSITIVE_INFINITY, override: 7 })).toBe(7);
  });
});

describe('splitClients', () => {
  it('keeps one process when it fits', () => {
    expect(splitClients(10000, 2, Number.POSITIVE_INFINITY)).toEqual([
      { clients: 10000, threads: 2, share: 1 },
    ]);
  });

  it('spreads clients evenly, the remainder to the first processes, every client exactly once', () => {
    const s = splitClients(1001, 2, 300);
    expect(s.map((p) => p.clients)).toEqual([251, 250, 250, 250]);
    expect(s.reduce((a, p) => a + p.clients, 0)).toBe(1001);
    expect(s.reduce((a, p) => a + p.share, 0)).toBeCloseTo(1, 12);
  });

  it('gives every process at least one thread and never more threads than clients', () => {
    expect(splitClients(300, 2, 100).map((p) => p.threads)).toEqual([1, 1, 1]);
    expect(splitClients(4, 8, 2).map((p) => p.threads)).toEqual([2, 2]);
    expect(splitClients(3, 8, 1).map((p) => p.threads)).toEqual([1, 1, 1]);
  });
});

describe('flagsForShare', () => {
  it('divides a total rate in every spelling pgbench accepts, leaves the rest alone', () => {
    expect(flagsForShare(['--rate', '600', '-L', '50'], 1 / 3)).toEqual(['--rate', '200', '-L', '50']);
    expect(flagsForShare(['-R', '1000'], 0.25)).toEqual(['-R', '250']);
    expect(flagsForShare(['--rate=1000'], 0.5)).toEqual(['--rate=500']);
    expect(flagsForShare(['-R90'], 1 / 3)).toEqual(['-R30']);
    expect(flagsForShare(['-S', '--rate', '100'], 1)).toEqual(['-S', '--rate', '100']);
  });

  it('keeps a rate that does not split into whole numbers summing back to the total', () => {
    const parts = splitClients(1000, 2, 300).map((p) => Number(flagsForShare(['-R', '1000'], p.share)[1]));
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 4);
  });
});

describe('mergeSummaries', () => {
  const a: PgbenchSummary = {
    processed: 100,
    failed: 1,
    aborted: false,
    clients: 50,
    threads: 1,
    tps: 40,
    tpsBasis: 'without-initial-connection',
    latencyAvgMs: 2,
    latencyStddevMs: 1,
    initialConnectionMs: 300,
    durationS: 3,
    queryMode: 'simple',
  };
  const b: PgbenchSummary = {
    ...a,
    processed: 300,
    failed: 0,
    clients: 51,
    tps: 110,
    latencyAvgMs: 4,
    initialConnectionMs: 500,
  };

  it('adds counts and rates, weights the latency by transactions, keeps the slowest connect', () => {
    const m = mergeSummaries([a, b]);
    expect(m).toEqual(
      expect.objectContaining({
        processed: 400,
        failed: 1,
        clients: 101,
        threads: 2,
        tps: 150,
        latencyAvgMs: 3.5,
        initialConnectionMs: 500,
        tpsBasis: 'without-initial-connection',
        aborted: false,
      }),
    );
    // Not derivable from the printed figures: left out rather than made up.
    expect(m.latencyStddevMs).toBeUndefined();
  });

  it('adds skipped and late transactions of a split rate, weights the schedule lag, keeps the worst lag', () => {
    const m = mergeSummaries([
      { ...a, skipped: 3, lateTransactions: 1, lagAvgMs: 2, lagMaxMs: 9 },
      { ...b, skipped: 5, lateTransactions: 0, lagAvgMs: 6, lagMaxMs: 30 },
    ]);
    expect(m).toEqual(
      expect.objectContaining({ skipped: 8, lateTransactions: 1, lagAvgMs: 5, lagMaxMs: 30 }),
    );
  });

  it('is the summary itself for one process, and aborted when any process aborted', () => {
    expect(mergeSummaries([a])).toBe(a);
    expect(mergeSummaries([a, { ...b, aborted: true }]).aborted).toBe(true);
  });

  it('leaves TPS out when a process printed none (it failed), so the cell cannot pass as complete', () => {
    const failed = parseSummary('pgbench (15.20)\n');
    expect(mergeSummaries([a, failed]).tps).toBeUndefined();
  });
});

describe('combineResults', () => {
  const ok = { exitCode: 0, stdout: 'o', stderr: 'e', timedOut: false, aborted: false };
  it('takes the first failing exit and marks each process in the joined output', () => {
    const r = combineResults([ok, { ...ok, exitCode: 1, stderr: 'boom' }, { ...ok, timedOut: true }]);
    expect(r.exitCode).toBe(1);
    expect(r.timedOut).toBe(true);
    expect(r.stderr).toContain('# pgbench process 2 of 3\nboom');
    expect(combineResults([ok])).toBe(ok);
  });

  it('blames the process that failed, not those the harness stopped because of it', async () => {
    const { STOPPED_BY_PEER, errorText } = await import('../../src/runner/pgbench-processes.js');
    const stopped = { ...ok, exitCode: null, signal: 'SIGTERM', stderr: `progress\n${STOPPED_BY_PEER}\n` };
    const refused = { ...ok, exitCode: 1, stderr: 'FATAL:  sorry, too many clients already' };
    const r = combineResults([stopped, refused]);
    expect(r.exitCode).toBe(1);
    expect(r.signal).toBeUndefined();
    expect(errorText([stopped, refused]).startsWith('FATAL:  sorry')).toBe(true);
  });
});

describe('pgbenchProcesses', () => {
  it('divides a total rate wherever it sits in the argv and gives each process its own log prefix', async () => {
    const { pgbenchProcesses } = await import('../../src/runner/pgbench-processes.js');
    const endpoint = { host: '127.0.0.1', port: 6432, database: 'bench', user: 'u', password: 'p' };
    const procs = pgbenchProcesses(
      {
        path: { config: 'c', endpoint, components: [] },
        workload: { name: 'w', builtin: 'readonly', scripts: [], reconnect: false, flags: ['-R', '900'] },
        clients: 300,
        threads: 2,
        clientsPerProcess: 100,
        protocol: 'simple',
      },
      3,
      'pgbench_log',
    );
    expect(procs.map((p) => p.logPrefix)).toEqual(['pgbench_log_p0', 'pgbench_log_p1', 'pgbench_log_p2']);
    for (const p of procs) {
      expect(p.argv[p.argv.indexOf('-R') + 1]).toBe('300');
      expect(p.argv[p.argv.indexOf('-c') + 1]).toBe('100');
      expect(p.argv.at(-1)).toBe('bench');
    }
  });
});

describe('stopsPeers', () => {
  const r = (exitCode: number) => ({ exitCode, aborted: false, timedOut: false });
  it('stops the other processes when one fails', () => {
    expect(stopsPeers(r(1), { processes: 3, events: false })).toBe(true);
    expect(stopsPeers(r(2), { processes: 3, events: false })).toBe(true);
  });
  it('with events, exit 2 (clients aborted by the event) stops nobody; exit 1 (failed to connect) still does', () => {
    expect(stopsPeers(r(2), { processes: 3, events: true })).toBe(false);
    expect(stopsPeers(r(1), { processes: 3, events: true })).toBe(true);
  });
  it('a success, a single process, an interrupted or timed-out process stops nobody', () => {
    expect(stopsPeers(r(0), { processes: 3, events: false })).toBe(false);
    expect(stopsPeers(r(1), { processes: 1, events: false })).toBe(false);
    expect(stopsPeers({ exitCode: 1, aborted: true, timedOut: false }, { processes: 3, events: false })).toBe(
      false,
    );
    expect(stopsPeers({ exitCode: 1, aborted: false, timedOut: true }, { processes: 3, events: false })).toBe(
      false,
    );
  });
});
