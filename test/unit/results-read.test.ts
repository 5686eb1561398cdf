import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCellsJsonl, readRun } from '../../src/results/read.js';
import type { CellRecord, RunInfo } from '../../src/results/types.js';
import { tempDir } from '../helpers/tmp.js';

const run = (o: Partial<RunInfo> = {}): RunInfo => ({
  schema: 1,
  tool: { name: 'bench', version: '0.1.0' },
  runId: 'r1',
  command: ['bench', 'run', 'm.yaml'],
  matrix: { file: 'm.yaml', hash: 'abc', text: 'name: m' },
  effective: {
    configs: [{ name: 'direct', kind: 'direct' }],
    workloads: ['tpcb'],
    concurrency: [1],
    reps: 1,
    duration: 1000,
  },
  provider: 'native',
  versions: { postgres: '15.6' },
  host: { hostname: 'h', cpus: 2, cpuModel: 'x', memoryBytes: 1, kernel: 'k', platform: 'linux' },
  startedAt: '2024-01-01T00:00:00Z',
  cellsPlanned: 1,
  ...o,
});

const cell = (o: Partial<CellRecord> = {}): CellRecord =>
  ({
    schema: 1,
    id: 'direct/tpcb/c1/r1',
    index: 0,
    config: 'direct',
    workload: 'tpcb',
    concurrency: 1,
    rep: 1,
    threads: 1,
    startedAt: 'a',
    endedAt: 'b',
    argv: [],
    prepared: [],
    warnings: [],
    state: 'completed',
    exitCode: 0,
    summary: { processed: 10, failed: 0, aborted: false, tps: 5 },
    connectionErrors: 0,
    ...o,
  }) as CellRecord;

const dirs: string[] = [];
function runDir(runJson: unknown, cells?: string): string {
  const d = tempDir('results-read-');
  dirs.push(d);
  writeFileSync(path.join(d, 'run.json'), JSON.stringify(runJson));
  if (cells !== undefined) writeFileSync(path.join(d, 'cells.jsonl'), cells);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('readRun', () => {
  it('reads a valid run, keeping fields a later bench added', () => {
    const d = runDir({ ...run({ outcome: 'completed' }), extra: 1 }, `${JSON.stringify(cell())}\n`);
    const r = readRun(d);
    expect(r.run.outcome).toBe('completed');
    expect((r.run as unknown as { extra: number }).extra).toBe(1);
    expect(r.cells).toHaveLength(1);
    expect(r.warnings).toEqual([]);
  });

  it('refuses a newer results schema with a clear message', () => {
    expect(() => readRun(runDir(run({ schema: 2 as 1 })))).toThrow(
      /schema 2 is newer than this bench understands/,
    );
  });

  it("refuses another tool's run.json", () => {
    expect(() => readRun(runDir({ schema: 1, tool: { name: 'other' } }))).toThrow(/another tool's/);
  });

  it('names the field when run.json does not match the contract', () => {
    const bad = { ...run(), effective: { ...run().effective, concurrency: 'many' } };
    expect(() => readRun(runDir(bad))).toThrow(/effective\.concurrency/);
    expect(() => readRun(runDir(run({ outcome: 'exploded' as 'error' })))).toThrow(/outcome/);
  });

  it('warns when no cell was recorded', () => {
    expect(readRun(runDir(run())).warnings[0]).toMatch(/no cells recorded/);
  });
});

describe('parseCellsJsonl', () => {
  it('keeps the last record per cell id, in index order', () => {
    const a = cell({ id: 'a', index: 1 });
    const b1 = cell({
      id: 'b',
      index: 0,
      state: 'interrupted',
      exitCode: null,
      reason: 'x',
      errorLines: [],
    } as Partial<CellRecord>);
    const b2 = cell({ id: 'b', index: 0 });
    const r = parseCellsJsonl(`${[a, b1, b2].map((c) => JSON.stringify(c)).join('\n')}\n`, 'cells.jsonl');
    expect(r.cells.map((c) => [c.id, c.state])).toEqual([
      ['b', 'completed'],
      ['a', 'completed'],
    ]);
  });

  it('skips a truncated last line, a non-JSON line and a record off the contract, each with a warning', () => {
    const good = JSON.stringify(cell());
    const offContract = JSON.stringify({ ...cell({ id: 'z' }), state: 'completed', summary: undefined });
    const text = `${good}\nnot json\n${offContract}\n${good.slice(0, 20)}`;
    const r = parseCellsJsonl(text, 'cells.jsonl');
    expect(r.cells.map((c) => c.id)).toEqual(['direct/tpcb/c1/r1']);
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings[0]).toMatch(/cells\.jsonl:2: not JSON/);
    expect(r.warnings[1]).toMatch(/cells\.jsonl:3: not a cell record \(summary/);
    expect(r.warnings[2]).toMatch(/cells\.jsonl:4: truncated last line/);
  });

  it('skips a record of a newer schema with a warning', () => {
    const r = parseCellsJsonl(`${JSON.stringify({ ...cell(), schema: 9 })}\n`, 'c.jsonl');
    expect(r.cells).toEqual([]);
    expect(r.warnings[0]).toMatch(/schema 9 is newer/);
  });
});
