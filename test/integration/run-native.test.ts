import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/commands/summarize.js';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import {
  bench,
  onlyRunDir,
  processesMentioning,
  readCells,
  readRunInfo,
  tempResults,
} from '../helpers/cli.js';

/**
 * The vertical slice on real processes: matrices/smoke.yaml (shortened) through the CLI, then the
 * recorded results, then summarize's outputs.
 */
describe('bench run matrices/smoke.yaml on native processes', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;

  beforeAll(async () => {
    const results = tempResults();
    const r = await bench([
      'run',
      'matrices/smoke.yaml',
      '--provider',
      'native',
      '--duration',
      '3s',
      '--results-dir',
      results,
    ]);
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = onlyRunDir(results);
    cells = readCells(runDir);
  }, 240_000);

  it('exits 0 and records every cell as completed with TPS > 0 and no failed transactions', () => {
    expect(exitCode, output).toBe(0);
    expect(cells).toHaveLength(12);
    for (const c of cells) {
      expect(c.state, `${c.id}: ${c.state === 'completed' ? '' : c.reason}`).toBe('completed');
      const done = c as CompletedCell;
      expect(done.summary.tps).toBeGreaterThan(0);
      expect(done.summary.failed).toBe(0);
      expect(done.connectionErrors).toBe(0);
      expect(done.latency?.count).toBeGreaterThan(0);
      expect(done.latency?.p99Ms).toBeGreaterThanOrEqual(done.latency?.p50Ms ?? Number.NaN);
      expect(existsSync(path.join(runDir, 'cells', c.id, 'stdout.txt'))).toBe(true);
      expect(existsSync(path.join(runDir, 'cells', c.id, 'latency-histogram.json'))).toBe(true);
    }
  });

  it('measures pooling paying off under -C: pgbouncer-tx beats direct on readonly-short at 8 clients', () => {
    const tps = (config: string) =>
      (
        cells.find(
          (c) => c.config === config && c.workload === 'readonly-short' && c.concurrency === 8,
        ) as CompletedCell
      ).summary.tps ?? 0;
    expect(tps('pgbouncer-tx')).toBeGreaterThan(tps('direct'));
  });

  it("samples PSS at least 3 times in every cell, for PostgreSQL and the pooler, and counts only the config's backends", () => {
    for (const c of cells) {
      const comps = c.sampling?.components ?? {};
      const keys = c.config === 'direct' ? ['postgres'] : ['postgres', `pgbouncer:${c.config}`];
      for (const k of keys) {
        expect(comps[k]?.pssSamples, `${c.id} ${k}`).toBeGreaterThanOrEqual(3);
        expect(comps[k]?.pssPeakBytes, `${c.id} ${k}`).toBeGreaterThan(0);
      }
      expect(c.sampling?.postgres?.role, c.id).toBe(`bench_${c.config.replaceAll('-', '_')}`);
      expect(c.sampling?.postgres?.serverBackendsPeak, c.id).toBeLessThanOrEqual(c.concurrency);
      expect(c.prepared, c.id).toContainEqual(expect.stringMatching(/^isolation: 0 foreign client backends/));
    }
    // The report's memory column is PSS; the RSS sum is labelled as counting shared pages per process.
    const md = readFileSync(path.join(runDir, 'summary.md'), 'utf8');
    expect(md).toMatch(/PSS/);
    expect(md).toMatch(/shared pages counted per process/);
  });

  it('records what ran where in run.json, without the password', () => {
    const info = readRunInfo(runDir);
    expect(info.versions.postgres).toMatch(/^\d+\.\d+/);
    expect(info.versions.pgbouncer).toMatch(/^1\.\d+/);
    expect(info.versions.pgbench).toMatch(/^\d+\.\d+/);
    expect(info.matrix.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(info.outcome).toBe('completed');
    expect(info.host.cpus).toBeGreaterThan(0);
    const all =
      readFileSync(path.join(runDir, 'run.json'), 'utf8') +
      readFileSync(path.join(runDir, 'cells.jsonl'), 'utf8');
    expect(all).not.toMatch(/PGPASSWORD|password=/i);
    expect(all).not.toMatch(/SCRAM-SHA-256\$/);
  });

  it('writes summary.csv, summary.json, summary.md, FINDINGS.md and plots, and prints the terminal table', () => {
    for (const f of ['summary.csv', 'summary.json', 'summary.md', 'FINDINGS.md']) {
      expect(existsSync(path.join(runDir, f)), f).toBe(true);
    }
    expect(
      readdirSync(path.join(runDir, 'plots')).filter((f) => f.endsWith('.svg')).length,
    ).toBeGreaterThanOrEqual(6);
    expect(output).toMatch(/readonly-short .*pgbouncer-tx/);
    const csv = readFileSync(path.join(runDir, 'summary.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/tps_mean/);
    expect(csv.filter((l) => l.trim() !== '')).toHaveLength(1 + 6 * 2);
  });

  it("FINDINGS.md's TL;DR numbers equal those in summary.json, and it says pooling won under -C", async () => {
    const res = await summarize({ dirs: [runDir] });
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    const md = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    const at = (pointer: string) =>
      pointer
        .split('/')
        .slice(1)
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], summary);
    expect(res.tldr.length).toBeGreaterThan(0);
    for (const s of res.tldr) {
      expect(md).toContain(s.text);
      for (const n of s.numbers) {
        expect(at(n.pointer), `${s.text}: ${n.pointer}`).toBe(n.value);
        expect(s.text).toContain(n.text);
      }
    }
    const gain = res.tldr.find((s) => s.kind === 'pooling-gain');
    expect(gain?.text).toMatch(
      /^Through pgbouncer-tx, readonly-short .* at 8 clients ran [\d.]+ .*times the TPS of direct/,
    );
  });

  it('leaves nothing running', () => {
    expect(processesMentioning(path.basename(runDir))).toEqual([]);
  });
});
