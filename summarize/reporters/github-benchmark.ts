import { COMPARE_FILES } from '../../src/results/paths.js';
import { fixed, isNum } from '../model/format.js';
import type { Row } from '../model/row.js';
import { reportRows } from '../model/tenant-template.js';

/** An entry of github-action-benchmark's custom tools (benchmark-action/github-action-benchmark). */
export interface GithubBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export interface GithubBenchmarkFile {
  /** The `tool:` input of the action that reads this file. */
  tool: 'customBiggerIsBetter' | 'customSmallerIsBetter';
  file: string;
  entries: GithubBenchmarkEntry[];
}

/**
 * The exporter for github-action-benchmark's custom tools: JSON arrays of `{ name, unit, value,
 * range?, extra? }`, one file per direction. Written by `bench summarize` (every config) and
 * `bench compare --out` (the candidate's rows).
 *
 * The rows in the JSON arrays github-action-benchmark reads: TPS (bigger is better) and merged
 * p99 latency in ms (smaller is better), one entry per row of the summary tables (a `tenant: each` group's template, not its copies), so a workflow can track runs over
 * commits with the existing action (`tool: customBiggerIsBetter`, `output-file-path: <file>`).
 */
export function githubBenchmark(all: readonly Row[]): GithubBenchmarkFile[] {
  // A tenant: each group is tracked as its template row (its copies are in summary.csv/json).
  const rows = reportRows(all);
  const name = (r: Row) =>
    `${r.config} / ${r.workload} / ${r.concurrency} clients${r.group === undefined ? '' : ` / group ${r.group}`}`;
  const tps: GithubBenchmarkEntry[] = rows
    .filter((r) => isNum(r.tps.mean))
    .map((r) => ({
      name: `${name(r)} - TPS`,
      unit: 'tps',
      value: Number(fixed(r.tps.mean, 3)),
      ...(isNum(r.tps.std) ? { range: `± ${fixed(r.tps.std, 3)}` } : {}),
      extra: `${r.tps.n} rep${r.tps.n === 1 ? '' : 's'}${isNum(r.tps.ci95) ? `; 95% CI ± ${fixed(r.tps.ci95, 3)}` : ''}`,
    }));
  const p99: GithubBenchmarkEntry[] = rows.flatMap((r) =>
    r.latency && isNum(r.latency.p99Ms)
      ? [
          {
            name: `${name(r)} - p99 latency`,
            unit: 'ms',
            value: r.latency.p99Ms,
            extra: `nearest rank over ${r.latency.count} transactions of ${r.latency.reps} rep${r.latency.reps === 1 ? '' : 's'}`,
          },
        ]
      : [],
  );
  return [
    { tool: 'customBiggerIsBetter', file: COMPARE_FILES.githubTps, entries: tps },
    { tool: 'customSmallerIsBetter', file: COMPARE_FILES.githubP99, entries: p99 },
  ];
}
