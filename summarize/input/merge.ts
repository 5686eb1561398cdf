import { ConfigurationError } from '../../src/errors.js';
import type { RunData } from '../../src/results/read.js';
import type { CellRecord, RunInfo } from '../../src/results/types.js';
import { type MatrixInfo, matrixInfo } from '../model/matrix-info.js';
import { shardDifferences } from './shards.js';

/** A cell record with the run directory it came from (its histogram lives there). */
export interface SourcedCell {
  cell: CellRecord;
  dir: string;
}

export interface MergedRuns {
  runs: RunData[];
  /** The first run: its metadata speaks for the merged summary. */
  primary: RunInfo;
  /** The winning record of every cell id, in execution order. */
  cells: SourcedCell[];
  /** The union of the runs' matrices (configs, workloads, concurrency, largest reps). */
  matrix: MatrixInfo;
  /** What the reader tolerated (e.g. a truncated last line). */
  warnings: string[];
  /** Differences between the runs that were let through (`allowMixed`, several hosts). */
  mixed: string[];
}

/** What differs between two runs that would make their numbers incomparable. */
export function runDifferences(a: RunInfo, b: RunInfo): string[] {
  const diffs: string[] = [];
  if (a.matrix?.hash !== b.matrix?.hash) {
    diffs.push(
      `matrix hash ${short(a.matrix?.hash)} (${a.matrix?.file}) vs ${short(b.matrix?.hash)} (${b.matrix?.file})`,
    );
  }
  const keys = new Set([...Object.keys(a.versions ?? {}), ...Object.keys(b.versions ?? {})]);
  for (const k of [...keys].sort()) {
    const va = a.versions?.[k];
    const vb = b.versions?.[k];
    if (va !== undefined && vb !== undefined && va !== vb) diffs.push(`${k} version "${va}" vs "${vb}"`);
  }
  return diffs;
}

function short(hash: string | undefined): string {
  return hash === undefined ? '(none)' : hash.slice(0, 12);
}

/**
 * Merges run directories (shards of one matrix, or a run plus a rerun of some of its cells) into
 * one set of cells. Their matrix hashes and tool versions must agree, otherwise the numbers are not
 * comparable and this throws a ConfigurationError naming both directories and what differs, unless
 * `allowMixed` is set. When several runs hold the same cell id, the record that ended last wins
 * (ties: the later directory on the command line), so a rerun supersedes the original.
 */
export function mergeRuns(runs: RunData[], opts: { allowMixed?: boolean } = {}): MergedRuns {
  const first = runs[0];
  if (!first) throw new ConfigurationError('summarize: expected at least one run directory');
  const warnings = runs.flatMap((r) => r.warnings);
  const mixed: string[] = [];
  for (const other of runs.slice(1)) {
    const diffs = [...runDifferences(first.run, other.run), ...shardDifferences(first.run, other.run)];
    if (diffs.length === 0) continue;
    const msg = `${first.dir} and ${other.dir} differ: ${diffs.join('; ')}`;
    if (!opts.allowMixed) {
      throw new ConfigurationError(
        `${msg}. Refusing to merge runs whose numbers are not comparable; pass --allow-mixed to merge anyway`,
        diffs,
      );
    }
    mixed.push(`${msg} (merged anyway: --allow-mixed)`);
  }
  const hosts = new Set(runs.map((r) => r.run.host?.hostname));
  if (hosts.size > 1) mixed.push(`the runs come from ${hosts.size} hosts (${[...hosts].join(', ')})`);

  const winners = new Map<string, SourcedCell>();
  for (const r of runs) {
    for (const cell of r.cells) {
      const prev = winners.get(cell.id);
      if (!prev || (cell.endedAt ?? '') >= (prev.cell.endedAt ?? ''))
        winners.set(cell.id, { cell, dir: r.dir });
    }
  }
  const cells = [...winners.values()].sort(
    (a, b) => a.cell.index - b.cell.index || a.cell.id.localeCompare(b.cell.id),
  );
  const matrix = unionMatrix(runs.map((r) => matrixInfo(r.run.effective, r.run.topologies)));
  return { runs, primary: first.run, cells, matrix, warnings, mixed };
}

function unionBy<T extends { name: string }>(lists: T[][]): T[] {
  const seen = new Map<string, T>();
  for (const l of lists) for (const x of l) if (!seen.has(x.name)) seen.set(x.name, x);
  return [...seen.values()];
}

function unionMatrix(infos: MatrixInfo[]): MatrixInfo {
  const [head, ...rest] = infos;
  if (!head) return { configs: [], workloads: [], concurrency: [] };
  if (rest.length === 0) return head;
  const reps = infos.flatMap((i) => (i.reps === undefined ? [] : [i.reps]));
  return {
    ...head,
    configs: unionBy(infos.map((i) => i.configs)),
    workloads: unionBy(infos.map((i) => i.workloads)),
    concurrency: [...new Set(infos.flatMap((i) => i.concurrency))].sort((a, b) => a - b),
    ...(reps.length > 0 ? { reps: Math.max(...reps) } : {}),
  };
}
