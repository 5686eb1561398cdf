import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/pgbench/histogram.js';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults, writeMatrix } from '../helpers/cli.js';

/**
 * Many clients on real processes, kept short: 300 clients split over three pgbench processes
 * (clients_per_pgbench: 100) through PgBouncer, with a total --rate the split divides; direct at
 * the same count against a max_connections set below it, which must fail with the reason named.
 */
const MATRIX = `
name: many-clients-test
duration: 3s
settle: 200ms
reps: 1
scale: 1
auth: trust
concurrency: [300]
clients_per_pgbench: 100
config_order: fixed
postgres:
  settings: { max_connections: 150 }
configs:
  - name: pgbouncer-tx
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 10
  - name: direct
    kind: direct
workloads:
  - name: idle
    builtin: readonly
    flags: ["--rate", "600"]
`;

describe('many clients: split pgbench processes, merged logs, sizing and limits (native)', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;

  beforeAll(async () => {
    const results = tempResults();
    const file = writeMatrix(results, 'many.yaml', MATRIX);
    const r = await bench(['run', file, '--provider', 'native', '--results-dir', path.join(results, 'out')]);
    output = String(r.all);
    runDir = onlyRunDir(path.join(results, 'out'));
    cells = readCells(runDir);
  }, 180_000);

  const cell = (config: string) => {
    const c = cells.find((x) => x.config === config);
    if (!c) throw new Error(`no cell of ${config}: ${output}`);
    return c;
  };

  it('runs 300 clients as three pgbench processes of 100, each with a third of the rate', () => {
    const c = cell('pgbouncer-tx');
    expect(c.state, c.state === 'completed' ? '' : c.reason).toBe('completed');
    const procs = c.pgbenchProcesses ?? [];
    expect(procs.map((p) => p.clients)).toEqual([100, 100, 100]);
    for (const p of procs) {
      expect(p.exitCode).toBe(0);
      expect(p.argv[p.argv.indexOf('--rate') + 1]).toBe('200');
      expect(p.processed).toBeGreaterThan(0);
    }
    expect((c as CompletedCell).summary.clients).toBe(300);
    expect(c.connectionErrors).toBe(0);
  });

  it('merges the processes exactly: histogram count == summary transactions == sum over processes', () => {
    const c = cell('pgbouncer-tx') as CompletedCell;
    const sum = (c.pgbenchProcesses ?? []).reduce((a, p) => a + p.processed, 0);
    expect(c.summary.processed).toBe(sum);
    expect(c.latency?.count).toBe(sum);
    const h = LatencyHistogram.fromJSON(
      JSON.parse(readFileSync(path.join(runDir, 'cells', c.id, 'latency-histogram.json'), 'utf8')),
    );
    expect(h.count).toBe(sum);
  });

  it('records the sizing in run.json and the components open-file limits in the cell', () => {
    const stack = readRunInfo(runDir).stack as Record<string, unknown>;
    const sizing = stack.sizing as {
      postgres: { sized: number; maxConnections: number; why: string };
      pgbouncer: Record<string, { maxClientConn: number; listenBacklog: number }>;
    };
    expect(sizing.postgres.sized).toBe(320);
    expect(sizing.postgres.maxConnections).toBe(150);
    expect(sizing.postgres.why).toContain('max_connections 150 wins');
    expect(sizing.pgbouncer['pgbouncer-tx']).toEqual(
      expect.objectContaining({ maxClientConn: 1000, listenBacklog: 300 }),
    );
    const c = cell('pgbouncer-tx');
    const line = c.prepared.find((p) => p.startsWith('open-file limit:')) ?? '';
    const soft = Number(/pgbouncer:pgbouncer-tx (\d+)/.exec(line)?.[1]);
    expect(soft).toBeGreaterThanOrEqual(300);
    expect(c.timeWait?.after).toBeGreaterThanOrEqual(0);
  });

  it('fails direct beyond max_connections with the reason a report can print', () => {
    const c = cell('direct');
    expect(c.state).toBe('failed');
    if (c.state === 'completed') return;
    expect(c.reason).toContain('too many clients already');
    expect(c.reason).toContain('max_connections is 150 and 300 clients without a pooler need a backend each');
    // The processes that connected were stopped when another one was refused, not left to run.
    const stderr = readFileSync(path.join(runDir, 'cells', c.id, 'stderr.txt'), 'utf8');
    expect(stderr).toContain('bench: stopped: another pgbench process of this cell failed');
    expect(c.reason.startsWith('pgbench exited with 1;')).toBe(true);
    // The results reader kept the failed cell (a NaN latency would have made it drop the line).
    const findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('max_connections is 150');
  });
});
