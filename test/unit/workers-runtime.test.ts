import { describe, expect, it } from 'vitest';
import type { CellEvent } from '../../src/matrix/events.js';
import type { ConfigSpec } from '../../src/matrix/schema.js';
import { countAbortedClients } from '../../src/pgbench/aborted.js';
import type { PgbenchSummary } from '../../src/pgbench/types.js';
import { resolveTarget, signalWith } from '../../src/runner/event-signal.js';
import type { EventAction } from '../../src/runner/event-types.js';
import { scheduleEvents, signalledComponents } from '../../src/runner/events.js';
import { classifyCell } from '../../src/runner/outcome.js';
import { cancelNote, workersRecord } from '../../src/runner/workers.js';
import { listeners, listenInodes } from '../../src/sampling/listeners.js';
import { poolsSample } from '../../src/sampling/pgbouncer-admin.js';
import { mergeWorkerSamples } from '../../src/sampling/pgbouncer-workers.js';
import { componentKey, workerSampling } from '../../src/sampling/session.js';
import type { Component, ConfigPath, PgbouncerWorker, Stack } from '../../src/stack/types.js';

function comp(role: Component['role'], pid: number, name?: string): Component {
  return {
    role,
    config: 'c',
    pid,
    port: 6000,
    ...(name ? { name } : {}),
    alive: () => true,
    logTail: () => '',
    stop: async () => undefined,
  };
}
const w1 = comp('pgbouncer', 11, 'worker-1');
const w2 = comp('pgbouncer', 12, 'worker-2');
const endpoint = { host: '127.0.0.1', port: 6000, database: 'bench', user: 'u', password: '' };
const path2: ConfigPath = { config: 'c', endpoint, components: [w1, w2] };

describe('event targets', () => {
  it('resolves pgbouncer to every worker, worker-i to one, proxy to the proxy', () => {
    expect(resolveTarget('c/pgbouncer', [w1, w2])).toEqual([w1, w2]);
    expect(resolveTarget('c/worker-2', [w1, w2])).toEqual([w2]);
    expect(resolveTarget('c/worker-3', [w1, w2])).toEqual([]);
    const single = comp('pgbouncer', 5);
    expect(resolveTarget('c/worker-1', [single])).toEqual([single]);
    const proxy = comp('proxy', 7);
    expect(resolveTarget('c/proxy', [proxy, single])).toEqual([proxy]);
  });

  it('keys a worker of several by its name', () => {
    expect(componentKey(w2)).toBe('pgbouncer:c/worker-2');
    expect(componentKey(comp('pgbouncer', 1))).toBe('pgbouncer:c');
  });

  it("tags a PgBouncer per group's processes for the sampler, and not a workers: N config's", () => {
    const admin = { ...endpoint, database: 'pgbouncer' };
    const own = comp('pgbouncer', 1);
    const web = comp('pgbouncer', 2, 'group-web');
    expect(
      workerSampling([
        { worker: 1, admin, component: own },
        { worker: 2, admin, component: web, group: 'web' },
      ]),
    ).toEqual({
      pgbouncerWorkerAdmins: [admin, admin],
      pgbouncerProcesses: [{ process: 'pgbouncer:c' }, { process: 'pgbouncer:c/group-web', group: 'web' }],
    });
    expect(
      workerSampling([
        { worker: 1, admin, component: w1 },
        { worker: 2, admin, component: w2 },
      ]),
    ).toEqual({ pgbouncerWorkerAdmins: [admin, admin] });
  });
});

const signalEvent = (atMs: number, signal: 'SIGINT' | 'SIGTERM', target: string): CellEvent => ({
  kind: 'signal',
  at: { ms: atMs },
  atMs,
  signal,
  target,
});
const config = { name: 'c', kind: 'pgbouncer' } as ConfigSpec;
const ctxAt = (startMs: number) => ({
  path: path2,
  stack: {} as Stack,
  config,
  startMs,
  log: () => undefined,
});
const withKill =
  (kill: Parameters<typeof signalWith>[0]): EventAction =>
  (ev, ctx) =>
    ev.kind === 'signal' ? signalWith(kill)(ev, ctx) : Promise.reject(new Error('not a signal'));

describe('scheduleEvents', () => {
  it('sends each signal at its time to the target PIDs and records when; unsent ones say why', async () => {
    const sent: Array<[number, string, number]> = [];
    const start = Date.now();
    const s = scheduleEvents(
      [signalEvent(30, 'SIGINT', 'c/worker-2'), signalEvent(60_000, 'SIGTERM', 'c/pgbouncer')],
      ctxAt(start),
      withKill((pid, sig) => sent.push([pid, sig, Date.now()])),
    );
    await new Promise((r) => setTimeout(r, 80));
    const [a, b] = await s.finish();
    expect(sent.map(([pid, sig]) => [pid, sig])).toEqual([[12, 'SIGINT']]);
    expect(a?.pids).toEqual([12]);
    expect(a?.offsetMs).toBeGreaterThanOrEqual(29);
    expect(a?.firedAt).toBe((a?.offsetMs ?? 0) + start);
    expect(b?.firedAt).toBeUndefined();
    expect(b?.error).toBe('not sent: pgbench ended first');
    expect([
      ...signalledComponents(
        [a, b].filter((x) => x !== undefined),
        [w1, w2],
      ),
    ]).toEqual([w2]);
  });

  it('records a failed kill instead of throwing', async () => {
    const s = scheduleEvents(
      [signalEvent(0, 'SIGINT', 'c/worker-1')],
      ctxAt(Date.now()),
      withKill(() => {
        throw new Error('ESRCH');
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    const [r] = await s.finish();
    expect(r?.error).toBe('kill 11: ESRCH');
    expect(r?.doneAt).toBeUndefined();
  });
});

describe('classifyCell with a scheduled event', () => {
  const summary: PgbenchSummary = { processed: 100, failed: 0, aborted: true, tps: 50 };
  const end = {
    interrupted: false,
    timedOut: false,
    exitCode: 2,
    summary,
    dead: [],
    elapsedMs: 3000,
    plannedS: 3,
  };
  it('counts exit 2 with a summary as completed only when an event was sent and nothing else died', () => {
    expect(classifyCell({ ...end, disrupted: true }).state).toBe('completed');
    expect(classifyCell(end).state).toBe('failed');
    expect(classifyCell({ ...end, disrupted: true, dead: ['pgbouncer:c/worker-1'] }).state).toBe('failed');
    expect(classifyCell({ ...end, disrupted: true, exitCode: 1 }).state).toBe('failed');
  });

  it('counts each aborted client once', () => {
    const stderr = [
      'pgbench: error: client 2 aborted in command 1 (SQL) of script 0; perhaps the backend died while processing',
      'pgbench: error: client 3 aborted while establishing connection',
      'pgbench: error: client 2 aborted in command 1 (SQL) of script 0',
      // pgbench 15, an error inside a transaction (a PostgreSQL restart under PgBouncer):
      'pgbench: error: client 1 script 0 aborted in command 8 query 0: FATAL:  terminating connection due to administrator command',
    ].join('\n');
    expect(countAbortedClients(stderr)).toBe(3);
    // pgbench 15 through PgBouncer 1.18 when a fault relay closed the server connections.
    const crashed = [
      'pgbench: error: client 1 script 0 aborted in command 1 query 0: FATAL:  server conn crashed?',
      'pgbench: error: client 0 script 0 aborted in command 1 query 0: FATAL:  server conn crashed?',
      'pgbench: error: Run was aborted; the above results are incomplete.',
    ].join('\n');
    expect(countAbortedClients(crashed)).toBe(2);
  });

  it('counts clients aborted on an error answer (PgBouncer 1.24 closing them at a SIGINT)', () => {
    // Recorded here: pgbench 15 through PgBouncer 1.24.1 whose worker got SIGINT.
    const stderr = [
      'progress: 5.0 s, 120.9 tps, lat 30.105 ms stddev 25.306, 0 failed',
      'pgbench: error: client 5 script 0 aborted in command 1 query 0: FATAL:  server shutting down',
      'pgbench: error: client 1 script 0 aborted in command 1 query 0: FATAL:  server shutting down',
      'pgbench: error: Run was aborted; the above results are incomplete.',
    ].join('\n');
    expect(countAbortedClients(stderr)).toBe(2);
  });
});

// Recorded from this machine's /proc/net/tcp (two so_reuseport listeners on 0x6BDB = 27611).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:6BDB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 1753506 1 00000000646ae661 100 0 0 10 0
   1: 0100007F:6BDB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 1753507 1 00000000646ae662 100 0 0 10 0
   2: 0100007F:6BDB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   101        0 1753999 1 00000000646ae663 100 0 0 10 0
   3: 0100007F:6087 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 2164126 1 00000000d78d04ce 100 0 0 10 0
`;

describe('listeners', () => {
  it('finds the listening sockets of a port, not its established ones', () => {
    expect(listenInodes(TCP, 27611)).toEqual(['1753506', '1753507']);
    expect(listenInodes(TCP, 1)).toEqual([]);
  });

  it('says which PIDs hold them', () => {
    const fs = {
      readFile: (p: string) => (p === '/proc/net/tcp' ? TCP : ''),
      readdir: (p: string) => (p === '/proc/11/fd' ? ['3', '4'] : p === '/proc/12/fd' ? ['5'] : []),
      readlink: (p: string) =>
        ({
          '/proc/11/fd/3': 'socket:[1753506]',
          '/proc/11/fd/4': '/dev/null',
          '/proc/12/fd/5': 'socket:[1753999]',
        })[p] ?? '',
    };
    const r = listeners(27611, [11, 12], fs);
    expect(r.sockets).toBe(2);
    expect([...r.holders]).toEqual([11]);
  });
});

describe('cancel routing', () => {
  it('says whether the workers were peered, and why not', () => {
    expect(cancelNote('1.18.0', false)).toMatch(
      /^PgBouncer 1.18.0 has no peering \(peer_id and \[peers\] arrived in 1.19\)/,
    );
    expect(cancelNote('1.19.1', false)).toMatch(/workers not peered \(peering: false\)/);
    expect(cancelNote('1.24.1', true)).toMatch(
      /^PgBouncer 1.24.1: workers peered .* forwarded to the client's$/,
    );
  });
});

describe('per-worker figures', () => {
  it('sums the workers of a tick and keeps each share; an unreadable worker is named', () => {
    const pool = {
      database: 'bench',
      user: 'u',
      clActive: 2,
      clWaiting: 1,
      svActive: 1,
      svIdle: 3,
      svUsed: 0,
      maxwaitMs: 5,
    };
    const a = poolsSample(1, [pool], { dtMs: 1000, xacts: 10, queries: 10, waitTimeUs: 0 });
    const b = poolsSample(1, [{ ...pool, maxwaitMs: 9 }], {
      dtMs: 1001,
      xacts: 5,
      queries: 6,
      waitTimeUs: 2,
    });
    const m = mergeWorkerSamples(1, [
      { worker: 1, sample: a },
      { worker: 2, sample: b },
      { worker: 3, error: 'connect ENOENT' },
    ]);
    expect(m?.totals).toMatchObject({ clActive: 4, clWaiting: 2, serverConnections: 8, maxwaitMs: 9 });
    expect(m?.stats).toEqual({ dtMs: 1001, xacts: 15, queries: 16, waitTimeUs: 2 });
    expect(m?.workers).toEqual([
      { worker: 1, clActive: 2, serverConnections: 4, xacts: 10 },
      { worker: 2, clActive: 2, serverConnections: 4, xacts: 5 },
      { worker: 3, error: 'connect ENOENT' },
    ]);
    expect(mergeWorkerSamples(1, [{ worker: 1, error: 'x' }])).toBeUndefined();
  });

  it("records each worker's transactions over the cell and whether it listened", () => {
    const ws: PgbouncerWorker[] = [
      { worker: 1, admin: endpoint, component: w1 },
      { worker: 2, admin: endpoint, component: w2 },
    ];
    const r = workersRecord(
      6000,
      ws,
      [
        { xacts: 5, queries: 5, waitTimeUs: 0 },
        { xacts: 1, queries: 1, waitTimeUs: 0 },
      ],
      [{ xacts: 105, queries: 110, waitTimeUs: 0 }, { error: 'connect ENOENT' }],
      { sockets: 2, holders: new Set([11, 12]) },
    );
    expect(r).toEqual({
      port: 6000,
      listenSockets: 2,
      workers: [
        { worker: 1, pid: 11, listening: true, xacts: 100, queries: 105 },
        { worker: 2, pid: 12, listening: true, error: 'after the cell: connect ENOENT' },
      ],
    });
  });
});
