import { readFileSync, writeFileSync } from 'node:fs';
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
 * Two configs of two PgBouncer processes each on one port; in every cell of `stop`, worker-2 gets
 * SIGINT at 1.5 s. Two client counts, so `stop` has two consecutive cells: the second needs its
 * path restarted after the event of the first. At 4 clients a cell runs two pgbench processes
 * (clients_per_pgbench: 2): an event's exit 2 must not stop the other one. `pgb` has client TLS,
 * read through both workers' SHOW CLIENTS.
 */
const MATRIX = `
name: workers-it
duration: 3s
settle: 200ms
reps: 1
scale: 1
concurrency: [2, 4]
auth: trust
config_order: fixed
clients_per_pgbench: 2
configs:
  - { name: pgb, kind: pgbouncer, workers: 2, tls: { client: require }, gates: { max_connection_errors: 0 } }
  - { name: stop, kind: pgbouncer, workers: 2 }
workloads: [readonly-short]
events:
  - { at: 1500ms, signal: SIGINT, target: stop/worker-2 }
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

describe.each(providers.filter((p) => p.run))('PgBouncer workers and a scheduled SIGINT ($name)', (p) => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;
  const cell = (config: string, c: number) => {
    const found = cells.find((x) => x.config === config && x.concurrency === c);
    if (!found) throw new Error(`no cell ${config} c=${c} in ${cells.map((x) => x.id).join(', ')}`);
    return found;
  };

  beforeAll(async () => {
    const results = tempResults();
    const file = path.join(tempDir('bench-workers-matrix-'), 'workers.yaml');
    writeFileSync(file, MATRIX);
    const r = await bench(['run', file, ...p.args, '--results-dir', results], { env: p.env });
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = runDirIn(results) ?? '';
    cells = readCells(runDir);
  }, 240_000);

  it('completes every cell (the event cells with the disruption they caused)', () => {
    expect(exitCode, output).toBe(0);
    expect(cells).toHaveLength(4);
    for (const c of cells)
      expect(c.state, `${c.id}: ${c.state === 'completed' ? '' : c.reason}`).toBe('completed');
  });

  it('has exactly 2 PgBouncer processes listening on the one port, both serving clients', () => {
    for (const c of [cell('pgb', 2), cell('pgb', 4)]) {
      const w = c.pgbouncerWorkers;
      expect(w?.listenSockets, c.id).toBe(2);
      expect(w?.workers.map((x) => x.listening)).toEqual([true, true]);
      expect(w?.cancel).toMatch(/a cancel request may land on another worker/);
      expect(new Set(w?.workers.map((x) => x.pid)).size).toBe(2);
      for (const x of w?.workers ?? []) {
        expect(x.error, c.id).toBeUndefined();
        expect(x.xacts, `${c.id} worker-${x.worker}`).toBeGreaterThan(0);
      }
      // CPU and PSS sampled per worker.
      const comps = c.sampling?.components ?? {};
      for (const k of ['pgbouncer:pgb/worker-1', 'pgbouncer:pgb/worker-2']) {
        expect(comps[k]?.cpuCoresMean, `${c.id} ${k}`).toBeGreaterThan(0);
        expect(comps[k]?.pssPeakBytes, `${c.id} ${k}`).toBeGreaterThan(0);
      }
      // The pool samples summed over both admin consoles, each worker's share kept.
      expect(c.sampling?.pgbouncer?.xacts).toBeGreaterThan(0);
    }
  });

  it("reads the client side's TLS on both workers; the plain config is said plain, not polled", () => {
    for (const c of [cell('pgb', 2), cell('pgb', 4)]) {
      expect(c.tls?.client?.source).toBe('pgbouncer SHOW CLIENTS');
      expect(c.tls?.client?.error, c.id).toBeUndefined();
      expect(c.tls?.client?.tlsObservations, JSON.stringify(c.tls)).toBeGreaterThan(0);
    }
    expect(cell('stop', 4).tls?.client).toMatchObject({ source: 'config settings', polls: 0 });
    // Both processes of the split event cell ran to their end and printed their summary.
    const procs = cell('stop', 4).pgbenchProcesses ?? [];
    expect(procs).toHaveLength(2);
    for (const pr of procs) expect(pr.processed, JSON.stringify(procs)).toBeGreaterThan(0);
  });

  it('records when the SIGINT was sent, to which worker, and its effect', () => {
    const pids = new Set<number>();
    for (const c of [cell('stop', 2), cell('stop', 4)]) {
      const [e] = c.events ?? [];
      expect(e?.signal).toBe('SIGINT');
      expect(e?.firedAt, c.id).toBeGreaterThan(Date.parse(c.startedAt));
      // Node's timers may fire a millisecond before the wall clock says the delay is over.
      expect(e?.offsetMs).toBeGreaterThanOrEqual(1490);
      expect(e?.offsetMs).toBeLessThan(2500);
      const w2 = c.pgbouncerWorkers?.workers[1];
      expect(e?.pids).toEqual([w2?.pid]);
      pids.add(w2?.pid ?? -1);
      // Both listened before pgbench; worker-2 was gone after the cell; worker-1 served throughout.
      expect(c.pgbouncerWorkers?.listenSockets).toBe(2);
      expect(w2?.error).toMatch(/after the cell/);
      expect(c.pgbouncerWorkers?.workers[0]?.xacts).toBeGreaterThan(0);
    }
    // The path was restarted between the two cells: a new worker-2.
    expect(pids.size).toBe(2);
  });

  it('shows the event on the time axis of report.html and its outage in FINDINGS.md', () => {
    const findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('## PgBouncer workers and scheduled events');
    expect(findings).toContain('## Events and the outage they caused');
    expect(findings).toMatch(
      /\| stop__readonly-short__c2__r1 \| events\[0\] SIGINT stop\/worker-2 \| 1\.\d+ \|/,
    );
    expect(findings).toMatch(/\| pgb \| readonly-short \| 4 \| 2 \|/);
    const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('SIGINT stop/worker-2');
    expect(html).toContain('<section id="workers"><h2>PgBouncer workers and scheduled events</h2>');
    expect(html).toContain('id="outage-table"');
    expect(html).toContain(
      '<td data-value="stop__readonly-short__c4__r1">stop__readonly-short__c4__r1</td><td data-value="events[0] SIGINT stop/worker-2">events[0] SIGINT stop/worker-2</td>',
    );
    // Each outage is measured from the cell's ms timeline, its verdict backed by the row's numbers.
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    expect(summary.outages).toHaveLength(2);
    for (const o of summary.outages) {
      expect(o.timeline, JSON.stringify(o)).toBe(true);
      expect(o.matrixIndex).toBe(0);
      expect(o.verdict).toMatch(/^(no client error|seen by clients)[:( ]/);
    }
  });
});
