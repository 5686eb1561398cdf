import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { CellRecord, RunInfo } from '../../src/results/types.js';
import { tempDir } from './tmp.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/src/cli.js');

/** Runs the built CLI (tests run after `npm run build`) as a user would. */
export function bench(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeout?: number } = {},
): ResultPromise {
  return execa(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...opts.env },
    reject: false,
    timeout: opts.timeout ?? 300_000,
    all: true,
  });
}

export function tempResults(): string {
  return tempDir('bench-test-results-');
}

export function onlyRunDir(resultsDir: string): string {
  const dirs = readdirSync(resultsDir);
  if (dirs.length !== 1 || dirs[0] === undefined)
    throw new Error(`expected one run dir in ${resultsDir}, got ${dirs.join(', ')}`);
  return path.join(resultsDir, dirs[0]);
}

export function readCells(runDir: string): CellRecord[] {
  return readFileSync(path.join(runDir, 'cells.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CellRecord);
}

export function readRunInfo(runDir: string): RunInfo {
  return JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunInfo;
}

/**
 * PIDs of live processes whose command line mentions `needle` (a run's unique scratch dir). Used
 * only to assert that nothing was left running, never to kill by pattern.
 */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(needle) && Number(d) !== process.pid) pids.push(Number(d));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

export async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The run directory the CLI created under `resultsDir`, once it exists. */
export function runDirIn(resultsDir: string): string | undefined {
  const dirs = readdirSync(resultsDir);
  return dirs[0] === undefined ? undefined : path.join(resultsDir, dirs[0]);
}

/** True once pgbench has printed a progress line for the cell (it is mid-run). */
export function cellIsRunning(runDir: string, cellId: string): boolean {
  try {
    return readFileSync(path.join(runDir, 'cells', cellId, 'progress.jsonl'), 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

export function writeMatrix(dir: string, name: string, yaml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** What `bench run` on a matrix written from YAML text left: its run dir, cells and output. */
export interface MatrixRun {
  runDir: string;
  cells: CellRecord[];
  output: string;
  exitCode: number | undefined;
}

/**
 * Writes `yaml` to `<name>.yaml` in a scratch dir, runs `bench run` on it into scratch results and
 * reads the one run it made (the integration tests' shared setup).
 */
export async function runMatrixText(name: string, yaml: string): Promise<MatrixRun> {
  const results = tempResults();
  const file = writeMatrix(tempDir(`bench-${name}-`), `${name}.yaml`, yaml);
  const r = await bench(['run', file, '--results-dir', results]);
  const runDir = onlyRunDir(results);
  return { runDir, cells: readCells(runDir), output: String(r.all), exitCode: r.exitCode };
}
