import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { bench, processesMentioning, readCells, runDirIn, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * PgBouncer configs, each with a fault relay in front of PostgreSQL: `base` without a fault, `slow`
 * with 50 ms of added latency from 1 s to 2 s, `drop` (transaction pool) and `drop-session`
 * (session pool) with every relayed connection closed at 1 s. Real PostgreSQL, PgBouncer, pgbench
 * and the relay process, native and (when an engine answers) with PgBouncer and pgbench in
 * host-network containers reaching the relay, a local process, on 127.0.0.1. Clients think 20 ms after each query, so a transaction-pool server
 * connection is mostly idle in the pool when the drop comes: PgBouncer reconnects without a client
 * noticing, while each session-pool client is bound to its server connection and loses it.
 */
const MATRIX = `
name: fault-relay-it
duration: 3s
settle: 200ms
reps: 1
scale: 1
concurrency: [2]
auth: trust
config_order: fixed
configs:
  - { name: base, kind: pgbouncer, pool_mode: transaction, fault_relay: true }
  - { name: slow, kind: pgbouncer, pool_mode: transaction, fault_relay: true }
  - { name: drop, kind: pgbouncer, pool_mode: transaction, fault_relay: true }
  - { name: drop-session, kind: pgbouncer, pool_mode: session, fault_relay: true }
workloads: [{ name: think, script: think.sql }]
events:
  - { at: 1s, target: slow/relay, fault: { latency: 50ms, for: 1s } }
  - { at: 1s, target: drop/relay, fault: { drop: connections } }
  - { at: 1s, target: drop-session/relay, fault: { drop: connections } }
`;

const THINK = `\\set aid random(1, 100000 * :scale)
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
\\sleep 20 ms
`;

const IMAGE = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const engine = await pingDocker();
const providers = [
  { name: 'native', args: ['--provider', 'native'], env: {} as Record<string, string>, run: true },
  {
    name: 'testcontainers',
    args: ['--provider', 'testcontainers', '--image', `all=${IMAGE}`],
    env: { BENCH_PGBENCH: 'container' },
    run: engine.ok || process.env.BENCH_REQUIRE_DOCKER === '1',
  },
];

interface Second {
  t: number;
  count: number;
}

describe.each(providers.filter((p) => p.run))('fault relay between PgBouncer and PostgreSQL ($name)', (p) => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;
  const cell = (config: string): CompletedCell => {
    const c = cells.find((x) => x.config === config);
    if (c?.state !== 'completed') throw new Error(`${config}: ${c ? `${c.state}: ${c.reason}` : 'no cell'}`);
    return c;
  };

  beforeAll(async () => {
    const results = tempResults();
    const dir = tempDir('bench-fault-relay-');
    writeMatrix(dir, 'think.sql', THINK);
    const file = writeMatrix(dir, 'fault-relay.yaml', MATRIX);
    const r = await bench(['run', file, ...p.args, '--results-dir', results], { env: p.env });
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = runDirIn(results) ?? '';
    cells = readCells(runDir);
  }, 180_000);

  it('runs every cell through the relay, the relay sampled as a component of its own', () => {
    expect(exitCode, output).toBe(0);
    expect(cells.map((c) => `${c.config}:${c.state}`)).toEqual([
      'base:completed',
      'slow:completed',
      'drop:completed',
      'drop-session:completed',
    ]);
    for (const name of ['base', 'slow', 'drop', 'drop-session']) {
      const s = cell(name).sampling;
      const relay = s?.components[`relay:${name}`];
      expect(relay?.role, name).toBe('relay');
      expect(relay?.samples, name).toBeGreaterThan(0);
      // Relaying costs CPU of its own (drop-session's clients are gone after 1 s: nothing to relay).
      if (name !== 'drop-session') expect(relay?.cpuCoresMean, name).toBeGreaterThan(0);
      expect(relay?.pssPeakBytes, name).toBeGreaterThan(0);
      // pg_stat_activity is read straight from PostgreSQL: the config's own role holds the backends.
      expect(s?.postgres?.role, name).toBe(`bench_${name.replace('-', '_')}`);
      expect(s?.postgres?.serverBackendsPeak, name).toBeGreaterThan(0);
      expect(s?.postgres?.foreignBackendsPeak, name).toBe(0);
    }
    expect(output).toMatch(/fault relay for slow ready on 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/);
    expect(processesMentioning(path.basename(runDir))).toEqual([]);
  });

  it('50 ms of latency for 1 s shows in the cell: 50 ms each way, so a transaction of >= 120 ms', () => {
    const ev = cell('slow').events?.[0];
    expect(ev?.kind).toBe('fault');
    expect(ev?.action).toBe('latency 50ms for 1s');
    expect(ev?.error).toBeUndefined();
    expect(ev?.steps?.map((s) => s.name)).toEqual(['latency 50ms set', 'latency cleared']);
    const [set, cleared] = ev?.steps ?? [];
    expect((cleared?.at ?? 0) - (set?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect((cleared?.at ?? 0) - (set?.at ?? 0)).toBeLessThan(1500);
    expect(ev?.doneAt).toBeGreaterThanOrEqual(cleared?.at ?? Number.POSITIVE_INFINITY);
    const slowMax = cell('slow').latency?.maxMs ?? 0;
    const baseMax = cell('base').latency?.maxMs ?? Number.POSITIVE_INFINITY;
    // The logged latency includes the 20 ms think time; the relay adds 50 ms to the query and to its reply.
    expect(slowMax).toBeGreaterThanOrEqual(120);
    expect(baseMax).toBeLessThan(slowMax);
  });

  it('a drop closes every server connection, and PgBouncer reconnects: transactions complete after it', () => {
    const c = cell('drop');
    // A client whose query was in flight at the drop is aborted; the other goes on (docs/fault-relay.md).
    expect(c.abortedClients ?? 0).toBeLessThan(2);
    const ev = c.events?.[0];
    expect(ev?.action).toBe('drop connections');
    expect(ev?.error).toBeUndefined();
    const step = ev?.steps?.[0]?.name ?? '';
    const dropped = Number(/^dropped (\d+) connections/.exec(step)?.[1]);
    // PgBouncer's server connections run through the relay: the drop closed at least one of them
    // (how many the pool held at that instant is not recorded, so not compared).
    expect(dropped, step).toBeGreaterThanOrEqual(1);
    const seconds = (
      JSON.parse(readFileSync(path.join(runDir, 'cells', c.id, 'latency-seconds.json'), 'utf8')) as {
        seconds: Second[];
      }
    ).seconds;
    const after = seconds.filter((s) => s.t * 1000 > (ev?.doneAt ?? Number.POSITIVE_INFINITY));
    // So each of these transactions ran on a server connection PgBouncer opened after the drop.
    expect(after.reduce((n, s) => n + s.count, 0)).toBeGreaterThan(0);
    expect(c.sampling?.pgbouncer?.serverConnectionsPeak).toBeGreaterThan(0);
  });

  it('a drop under a session pool costs every client its session: aborted clients recorded, the cell still counts', () => {
    const c = cell('drop-session');
    expect(c.events?.[0]?.steps?.[0]?.name).toMatch(/^dropped 2 connections/);
    expect(c.abortedClients).toBe(2);
    expect(c.exitCode).toBe(2);
    expect(c.warnings.join('\n')).toMatch(
      /pgbench exited with 2 after a scheduled event: 2 client\(s\) aborted/,
    );
    const stderr = readFileSync(path.join(runDir, 'cells', c.id, 'stderr.txt'), 'utf8');
    expect(stderr).toMatch(/server conn crashed|server closed the connection/);
  });
});
