import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
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
 * A real PgBouncer session pool of 2 behind 6 clients that think between requests: the first 2
 * clients hold both server connections for the whole cell, the other 4 wait. Transaction pooling
 * through the same pool size serves all 6. Native processes, 3 s cells, 2 reps (for the paired
 * interval of the matrix's own comparison).
 */
const dir = tempDir('bench-clients-');
writeFileSync(
  path.join(dir, 'think.sql'),
  '\\set aid random(1, 100000 * :scale)\nBEGIN;\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\nEND;\n\\sleep 5 ms\n',
);
const matrix = writeMatrix(
  dir,
  'clients.yaml',
  `name: clients-starve
duration: 3s
settle: 0s
reps: 2
scale: 1
auth: trust
concurrency: [6]
compare: [[tx, session]]
configs:
  - { name: session, kind: pgbouncer, pool_mode: session, default_pool_size: 2 }
  - { name: tx, kind: pgbouncer, pool_mode: transaction, default_pool_size: 2 }
workloads:
  - { name: think, script: think.sql }
`,
);

describe('clients a session pool smaller than the client count leaves waiting (native PgBouncer)', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;
  let summary: {
    rows: Array<{ config: string; clients?: { starvedMax: number; latencyCoversAll: boolean } }>;
    warnings: Array<{ kind: string; group?: { config: string } }>;
  };
  let findings: string;

  beforeAll(async () => {
    const results = tempResults();
    const r = await bench(['run', matrix, '--provider', 'native', '--results-dir', results], {
      timeout: 120_000,
    });
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = onlyRunDir(results);
    cells = readCells(runDir);
    summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
  }, 150_000);

  const of = (config: string) =>
    cells.filter((c): c is CompletedCell => c.config === config && c.state === 'completed');

  it('completes every cell', () => {
    expect(exitCode, output).toBe(0);
    expect(of('session')).toHaveLength(2);
    expect(of('tx')).toHaveLength(2);
  });

  it("records the session pool's starved clients: 6 clients, at least 4 starved, an unfair Jain's index", () => {
    for (const c of of('session')) {
      expect(c.clients, c.id).toMatchObject({ clients: 6, processes: 1 });
      expect(c.clients?.starved, c.id).toBeGreaterThanOrEqual(4);
      expect(c.clients?.jain, c.id).toBeLessThan(0.5);
      // The waiting clients were queued by PgBouncer: its admin console saw them.
      expect(c.sampling?.pgbouncer?.clWaitingPeak, c.id).toBeGreaterThanOrEqual(1);
    }
    for (const c of of('tx')) {
      expect(c.clients, c.id).toMatchObject({ clients: 6, served: 6, starved: 0 });
      expect(c.clients?.jain, c.id).toBeGreaterThan(0.9);
    }
  });

  it('warns that the session row latency speaks only for the served clients', () => {
    const row = summary.rows.find((r) => r.config === 'session');
    expect(row?.clients?.latencyCoversAll).toBe(false);
    expect(summary.warnings.some((w) => w.kind === 'clients-starved' && w.group?.config === 'session')).toBe(
      true,
    );
    expect(summary.rows.find((r) => r.config === 'tx')?.clients?.latencyCoversAll).toBe(true);
  });

  it('FINDINGS.md: the matrix question first, starved clients said, no "served 6 clients", no p99 of the session row', () => {
    const tldr = findings.split('## TL;DR')[1]?.split('## Setup')[0] ?? '';
    const lines = tldr.split('\n').filter((l) => l.startsWith('- '));
    expect(lines[0]).toMatch(
      /^- The matrix's question: Through tx, think at 6 clients ran [\d.]+ times the TPS of session \(95% CI/,
    );
    expect(tldr).toMatch(/session left \d of 6 clients starved on think at 6 clients/);
    // "served 6 clients" is said of a config only when all 6 were served: tx's, never session's.
    expect(tldr).not.toMatch(/session served/);
    for (const l of lines.filter((x) => /served 6 clients/.test(x)))
      expect(l).toMatch(/^- tx served 6 clients/);
    // No sentence quotes a percentile of the session row (the only p99 a sentence could quote).
    for (const l of lines.filter((x) => x.includes('session'))) expect(l).not.toMatch(/p99/);
    expect(findings).toContain("Jain's index (mean)");
  });

  it("every TL;DR number equals summary.json's", async () => {
    const { summarize } = await import('../../src/commands/summarize.js');
    const res = await summarize({ dirs: [runDir] });
    const doc = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    const at = (pointer: string) =>
      pointer
        .split('/')
        .slice(1)
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
    for (const s of res.tldr)
      for (const n of s.numbers) {
        expect(at(n.pointer), `${s.text}: ${n.pointer}`).toBe(n.value);
        expect(s.text).toContain(n.text);
      }
  });

  it('leaves nothing running', () => {
    expect(processesMentioning(path.basename(runDir))).toEqual([]);
  });
});
