/**
 * The one row model every output is built from: summary.csv, summary.json, summary.md, the terminal
 * table, the plots and FINDINGS.md all read `Row`s and nothing else, so no two outputs can disagree.
 */
import type { CellState } from '../src/results/types.js';
import type { SampleStats } from './stats.js';

/** One group of reps: a row of every table. */
export interface GroupKey {
  config: string;
  workload: string;
  concurrency: number;
}

export function groupId(k: GroupKey): string {
  return `${k.config}__${k.workload}__c${k.concurrency}`;
}

/** One completed rep's figures: the raw data behind the statistics, kept for plots, outliers and compare. */
export interface RepSample {
  cellId: string;
  rep: number;
  tps: number;
  /** This rep's own p99 (from its per-transaction log), for significance tests over reps. */
  p99Ms?: number;
  latencyMeanMs?: number;
  /** pgbench "average connection time" (-C workloads). */
  connectionMs?: number;
  processed: number;
  failedTransactions: number;
  /** Flagged by the outlier rule (docs/statistics.md). */
  outlier: boolean;
}

/** A cell that did not complete: listed, never averaged. */
export interface CellOutcome {
  cellId: string;
  rep: number;
  state: Exclude<CellState, 'completed'>;
  reason: string;
}

/** Latency over all completed reps, from their per-transaction histograms merged (never averaged percentiles). */
export interface LatencyFigures {
  /** merged-histograms: exact per-µs counts of every rep merged; single-rep: the one rep's own summary. */
  source: 'merged-histograms' | 'single-rep';
  /** Reps whose transactions are in the figures. */
  reps: number;
  /** Transactions counted. */
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface ComponentFigures {
  /** `postgres`, `pgbouncer:<config>`, `proxy:<config>`, ... as the sampler named it. */
  name: string;
  /** The component's kind: postgres, pgbouncer, proxy (the part of the name before ':'). */
  role: string;
  /** Highest RSS of the process tree over all reps. */
  rssPeakBytes?: number;
  /** Mean over reps of each rep's time-weighted mean CPU, in cores (1 = one core busy). */
  cpuCoresMean?: number;
  cpuCoresPeak?: number;
}

/** Figures from the samplers, when they ran; each is the maximum (peaks) over completed reps. */
export interface SamplingFigures {
  /** Peak client backends on the benchmark database (the server side of the path). */
  serverBackendsPeak?: number;
  /** Peak of PgBouncer cl_waiting: clients queued for a server connection. */
  clWaitingPeak?: number;
  /** Peak server connections PgBouncer held (sv_active + sv_idle + sv_used). */
  poolerServerConnectionsPeak?: number;
  maxwaitMsPeak?: number;
  components: ComponentFigures[];
  intervalMs?: number;
}

export interface BaselineComparison {
  config: string;
  /** mean TPS of this row / mean TPS of the baseline row (same workload and concurrency). */
  tpsRatio: number;
  /** Relative standard deviations of both sides added in quadrature, times the ratio; NaN with one rep. */
  tpsRatioError: number;
  /** Merged p99 of this row / merged p99 of the baseline row. */
  p99Ratio?: number;
}

export interface Row extends GroupKey {
  configKind?: string;
  poolMode?: string;
  /** pgbench -C: a new connection per transaction. TPS then includes connecting, the latency does not. */
  reconnect: boolean;
  isBaseline: boolean;
  repsPlanned?: number;
  repsCompleted: number;
  /** TPS over completed reps only. */
  tps: SampleStats;
  latency?: LatencyFigures;
  /** Average connection time over completed reps (-C workloads). */
  connectionMs?: SampleStats;
  /** Transactions processed, summed over completed reps. */
  processed: number;
  /** Failed transactions summed over completed reps (failed cells are listed in failedCells instead). */
  failedTransactions: number;
  connectionErrors: number;
  /** Completed reps whose pgbench said "Run was aborted". */
  abortedReps: number;
  /** Cells that failed, timed out or were interrupted. */
  failedCells: CellOutcome[];
  /** Cells skipped by the runner (e.g. the stack of their config did not start). */
  skippedCells: CellOutcome[];
  vsBaseline?: BaselineComparison;
  sampling?: SamplingFigures;
  samples: RepSample[];
}

export type WarningKind =
  | 'high-cv'
  | 'few-reps'
  | 'failed-transactions'
  | 'connection-errors'
  | 'aborted'
  | 'outlier-rep'
  | 'failed-cells'
  | 'no-completed-reps'
  | 'cpu-saturated'
  | 'latency-incomplete'
  | 'reader'
  | 'mixed-runs';

/** A typed warning with a hint of what to change, in the manner of hyperfine. */
export interface Warning {
  kind: WarningKind;
  message: string;
  hint: string;
  group?: GroupKey;
  cells?: string[];
}

export interface Thresholds {
  /** Warn when the CV of TPS over reps is above this fraction. Default 0.10. */
  cv: number;
  /** Below this many completed reps there is no confidence interval worth the name. Default 3. */
  minReps: number;
  /** Warn when a component's mean CPU is at least this many cores. Default 0.9. */
  cpuSaturationCores: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { cv: 0.1, minReps: 3, cpuSaturationCores: 0.9 };
