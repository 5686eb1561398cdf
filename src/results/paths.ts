import path from 'node:path';
import { SAMPLES_FILE } from '../sampling/types.js';

/** The layout of a run directory; the one place that knows file names. */
export function runPaths(dir: string) {
  return {
    dir,
    runJson: path.join(dir, RUN_FILES.runJson),
    cellsJsonl: path.join(dir, RUN_FILES.cellsJsonl),
    cellsDir: path.join(dir, RUN_FILES.cellsDir),
    cellDir: (id: string) => path.join(dir, RUN_FILES.cellsDir, id),
    costJsonl: path.join(dir, RUN_FILES.costJsonl),
    costCellDir: (id: string) => path.join(dir, RUN_FILES.costDir, id),
    summaryCsv: path.join(dir, RUN_FILES.summaryCsv),
    summaryJson: path.join(dir, RUN_FILES.summaryJson),
    summaryMd: path.join(dir, RUN_FILES.summaryMd),
    findings: path.join(dir, RUN_FILES.findings),
    reportHtml: path.join(dir, RUN_FILES.reportHtml),
    plotsDir: path.join(dir, RUN_FILES.plotsDir),
  };
}

/** The latency histogram of one client group of a mix cell (recorded in its latency.histogramFile). */
export function groupHistogramFile(group: string): string {
  return `latency-histogram.${group}.json`;
}

/**
 * The per-second figures of one client group of a mix cell, from its own logs only, in the format of
 * the cell's latency-seconds.json (epoch seconds, so on the cell's time axis).
 */
export function groupSecondsFile(group: string): string {
  return `latency-seconds.${group}.json`;
}

/**
 * Files inside a cell directory that summarize reads besides cells.jsonl. The latency histogram's
 * name is also recorded in each cell record (latency.histogramFile).
 */
export const CELL_FILES = {
  /** pgbench -P 1 lines as JSON, with the epoch ms they arrived at (`at`). */
  progress: 'progress.jsonl',
  /** The samplers' time series (src/sampling/types.ts). */
  samples: SAMPLES_FILE,
  /** Per-second counts and percentiles from the per-transaction log (src/pgbench/txlog.ts). */
  latencySeconds: 'latency-seconds.json',
  /** Cells with events: completions and failures to the ms (src/pgbench/timeline.ts). */
  timeline: 'timeline.json',
  /** The merged per-microsecond latency histogram of the cell (src/pgbench/histogram.ts). */
  histogram: 'latency-histogram.json',
  /** pgbench's stdout and stderr, redacted. */
  stdout: 'stdout.txt',
  stderr: 'stderr.txt',
} as const;

/** The folded stacks of one component's perf recording in a cell dir: `profile-pgbouncer.folded`. */
export function profileFile(component: string): string {
  return `profile-${component}.folded`;
}

/** Files of a run directory, by role; `runPaths` joins them to a directory. */
export const RUN_FILES = {
  runJson: 'run.json',
  cellsJsonl: 'cells.jsonl',
  cellsDir: 'cells',
  /** Cost cells (issue 18, src/results/cost-types.ts): never mixed into cells.jsonl. */
  costJsonl: 'cost.jsonl',
  /** Raw valgrind/perf output, one directory per cost cell. */
  costDir: 'cost',
  summaryCsv: 'summary.csv',
  summaryJson: 'summary.json',
  summaryMd: 'summary.md',
  findings: 'FINDINGS.md',
  /** The self-contained HTML report (summarize/reporters/html/report.ts). */
  reportHtml: 'report.html',
  plotsDir: 'plots',
} as const;

/** Plots summarize writes into plots/, one per kind and workload. */
export const PLOT_KINDS = [
  'tps',
  'p99',
  'backends',
  'cpu',
  'memory',
  'latency-spectrum',
  'offered-load',
  'profile',
  'sweep',
  'sweep-latency',
  'pools',
] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

/** `tps-readonly.svg`: a plot's file name inside plots/. */
export function plotFile(kind: PlotKind, workload: string): string {
  return `${kind}-${workload}.svg`;
}

/** What `bench compare --out` writes. */
export const COMPARE_FILES = {
  markdown: 'compare.md',
  json: 'compare.json',
  /** github-action-benchmark inputs (customBiggerIsBetter / customSmallerIsBetter). */
  githubTps: 'github-benchmark-tps.json',
  githubP99: 'github-benchmark-p99.json',
} as const;
