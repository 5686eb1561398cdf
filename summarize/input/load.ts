import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LatencyHistogram } from '../../src/pgbench/histogram.js';
import { runPaths } from '../../src/results/paths.js';
import { readRun } from '../../src/results/read.js';
import type { CompletedCell } from '../../src/results/types.js';
import { figureWarnings } from '../figures/index.js';
import { type Aggregate, buildRows } from '../model/build-rows.js';
import type { Thresholds, Warning } from '../model/row.js';
import { readerWarnings } from '../model/warnings.js';
import { type MergedRuns, mergeRuns } from './merge.js';
import { expandRunDirs } from './run-dirs.js';
import { type ShardCoverage, shardCoverage, shardWarnings } from './shards.js';

export interface LoadedSummary extends Aggregate {
  merged: MergedRuns;
  /** Which shards are there, when the runs are shards of one matrix (`bench run --shard`). */
  shards?: ShardCoverage;
}

/**
 * The I/O half of aggregation: reads the run directories, merges them, and feeds buildRows a
 * histogram loader that reads each cell's serialized histogram from disk only when its group is
 * aggregated (so memory holds one group's histograms at a time).
 */
export function loadSummary(
  dirs: readonly string[],
  opts: { allowMixed?: boolean; thresholds?: Partial<Thresholds> } = {},
): LoadedSummary {
  const merged = mergeRuns(
    expandRunDirs(dirs).map((d) => readRun(d)),
    opts.allowMixed ? { allowMixed: true } : {},
  );
  const dirOf = new Map(merged.cells.map((s) => [s.cell.id, s.dir]));
  const loadProblems: string[] = [];
  const histogramOf = (cell: CompletedCell): LatencyHistogram | undefined => {
    const dir = dirOf.get(cell.id);
    if (!cell.latency?.histogramFile || dir === undefined) return undefined;
    const file = path.join(runPaths(dir).cellDir(cell.id), cell.latency.histogramFile);
    try {
      return LatencyHistogram.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
    } catch (e) {
      loadProblems.push(`${file}: latency histogram unreadable (${(e as Error).message.split('\n')[0]})`);
      return undefined;
    }
  };
  const agg = buildRows({
    cells: merged.cells.map((s) => s.cell),
    matrix: merged.matrix,
    histogramOf,
    ...(merged.primary.host?.cpus ? { hostCpus: merged.primary.host.cpus } : {}),
    figureWarnings,
    ...(opts.thresholds ? { thresholds: opts.thresholds } : {}),
  });
  const mixed: Warning[] = merged.mixed.map((message) => ({
    kind: 'mixed-runs',
    message,
    hint: 'Numbers from different matrices, versions or machines are not directly comparable: read the ratios with care.',
  }));
  const shards = shardCoverage(merged.runs.map((r) => r.run));
  const warnings: Warning[] = [
    ...shardWarnings(shards),
    ...mixed,
    ...readerWarnings([...merged.warnings, ...loadProblems]),
    ...agg.warnings,
  ];
  return { ...agg, warnings, merged, ...(shards ? { shards } : {}) };
}
