/**
 * The one row model every output is built from: summary.csv, summary.json, summary.md, the terminal
 * table, the plots and FINDINGS.md all read `Row`s and nothing else, so no two outputs can disagree.
 */
import type { CellState } from '../../src/results/types.js';
import type { RowPools } from './pools.js';
import type { SampleStats } from './stats.js';

/** One group of reps: a row of every table. */
export interface GroupKey {
  config: string;
  workload: string;
  concurrency: number;
  /**
   * One client group of a mix (docs/tenants.md): the row holds that group's figures only. Absent on
   * every other row, and on a mix's own row, which holds the cell's total over its groups.
   */
  group?: string;
}

export function groupId(k: GroupKey): string {
  return `${k.config}__${k.workload}__c${k.concurrency}${k.group === undefined ? '' : `__g${k.group}`}`;
}

/** The row's place across configs (workload, concurrency and group), to pair it with another config's. */
export function pairKey(k: Omit<GroupKey, 'config'>): string {
  return `${k.workload}@${k.concurrency}${k.group === undefined ? '' : `#${k.group}`}`;
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
  /**
   * The percentile spectrum for the latency-distribution plot: only the percentiles the count
   * supports (SPECTRUM_RULE), ascending. Absent for single-rep figures without a histogram.
   */
  spectrum?: SpectrumPoint[];
}

export interface SpectrumPoint {
  /** Percent, e.g. 99.9. */
  p: number;
  ms: number;
}

export interface ComponentFigures {
  /** `postgres`, `pgbouncer:<config>`, `proxy:<config>`, ... as the sampler named it. */
  name: string;
  /** The component's kind: postgres, pgbouncer, proxy (the part of the name before ':'). */
  role: string;
  /**
   * Highest PSS of the process tree over all reps: shared pages divided among the processes that
   * share them, so it is the memory the component really uses. The primary memory figure.
   */
  pssPeakBytes?: number;
  /** Mean over reps of each rep's mean PSS. */
  pssMeanBytes?: number;
  /**
   * Reps in which the component was sampled but its PSS was not read, and why (the first reason
   * recorded), so a report can say so rather than show an empty cell.
   */
  pssMissing?: { reps: number; reason?: string };
  /**
   * Highest RSS of the process tree over all reps, summed over its processes: shared pages
   * (PostgreSQL's shared_buffers) count once per process that touched them. Secondary figure.
   */
  rssPeakBytes?: number;
  /** Mean over reps of each rep's time-weighted mean CPU, in cores (1 = one core busy). */
  cpuCoresMean?: number;
  cpuCoresPeak?: number;
}

/** Figures from the samplers, when they ran; each is the maximum (peaks) over completed reps. */
export interface SamplingFigures {
  /**
   * Peak client backends on the benchmark database (the server side of the path): only those of
   * the config's own role when the run recorded it (`role`).
   */
  serverBackendsPeak?: number;
  /** The PostgreSQL role server backends were counted for (runs that attribute them). */
  role?: string;
  /** Peak client backends of users other than the config's role during the cells (max over reps). */
  foreignBackendsPeak?: number;
  /**
   * PostgreSQL PSS per server backend: postgres PSS / server backends at the same tick, averaged
   * over the ticks of a rep, then over reps. Fixed processes and shared memory are spread over the
   * backends, so fewer backends (pooling) show a higher figure for a lower total.
   */
  pssPerBackendBytes?: number;
  /**
   * Marginal PostgreSQL memory per server backend: the least-squares slope of postgres peak PSS
   * against peak server backends over the rows of this config and workload (one per client count),
   * in bytes per backend. The fixed memory (postmaster, shared buffers) is the intercept, not in
   * the slope. Absent with fewer than two distinct backend counts (model/memory-slope.ts).
   */
  pssPerBackendSlope?: { bytes: number; points: number };
  /** Peak of PgBouncer cl_waiting: clients queued for a server connection. */
  clWaitingPeak?: number;
  /** Peak server connections PgBouncer held (sv_active + sv_idle + sv_used). */
  poolerServerConnectionsPeak?: number;
  maxwaitMsPeak?: number;
  components: ComponentFigures[];
  intervalMs?: number;
}

export interface IsolationFigures {
  /** Cells whose prepared list has the isolation line. */
  cellsChecked: number;
  /** Of those, cells that found client backends of other configs (> 0). */
  cellsWithForeign: number;
  /** The largest count found. */
  foreignMax: number;
}

export interface BaselineComparison {
  config: string;
  /** mean TPS of this row / mean TPS of the baseline row (same workload and concurrency). */
  tpsRatio: number;
  /** Relative standard deviations of both sides added in quadrature, times the ratio; NaN with one rep. */
  tpsRatioError: number;
  /** Merged p99 of this row / merged p99 of the baseline row. */
  p99Ratio?: number;
  /**
   * 95% confidence interval of the TPS ratio from the reps paired by rep number (reps interleave,
   * so a rep of both configs saw the same machine): a paired t-interval on ln(TPS / baseline TPS),
   * exponentiated. Absent with fewer than 2 pairs. The data supports a difference when the
   * interval excludes 1.
   */
  tpsRatioCi95?: { low: number; high: number; pairs: number };
}

export interface Contrast extends BaselineComparison {
  /** Listed in the matrix's `compare:`. */
  declared: boolean;
}

/**
 * Connections per second per core of the first hop under -C: the row's mean TPS (one connection per
 * transaction) divided by the mean CPU of the component that accepts pgbench's connections
 * (PgBouncer for pgbouncer configs, the proxy for proxy configs, PostgreSQL for direct), both
 * means over completed reps. Only for reconnect workloads with sampled CPU.
 */
export interface ConnectionsPerCore {
  /** The sampled role whose CPU is the denominator: pgbouncer, proxy or postgres. */
  role: string;
  connectionsPerS: number;
  cpuCores: number;
  perCore: number;
  /** The same CPU per connection, in milliseconds (1000 · cores / connections per second). */
  cpuMsPerConnection: number;
  /** PostgreSQL's CPU per connection in milliseconds (its backends fork and, with TLS, handshake). */
  postgresCpuMsPerConnection?: number;
}

/** What the config asked for and what the cells negotiated, per side (from the cells' `tls` records). */
export interface RowTlsSide {
  mode: string;
  /** The most observed `version cipher` over the group's completed cells, or `none` (plain). */
  negotiated: string;
  tlsObservations: number;
  plainObservations: number;
}

export interface RowTls {
  client?: RowTlsSide;
  server?: RowTlsSide;
}

export interface Row extends GroupKey {
  /**
   * A mix's rows: the group's clients in one rep, or on the mix's total row all its groups' (the
   * concurrency is the mix's factor on them: docs/tenants.md).
   */
  groupClients?: number;
  configKind?: string;
  /**
   * Its cells ran under `perf record` (profile: true): TPS and latency carry the recording's
   * overhead, so the TL;DR never compares them with an unprofiled row's.
   */
  profiled?: true;
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
  /** pgbench clients aborted in completed reps (a cell disrupted by a scheduled event). */
  abortedClients?: number;
  /** Completed reps whose pgbench said "Run was aborted". */
  abortedReps: number;
  /** Cells that failed, timed out or were interrupted. */
  failedCells: CellOutcome[];
  /** Cells skipped by the runner (e.g. the stack of their config did not start). */
  skippedCells: CellOutcome[];
  vsBaseline?: BaselineComparison;
  /**
   * This row against other non-baseline configs at the same workload and concurrency, paired rep by
   * rep as vsBaseline (summarize/figures/clients/contrasts.ts): the matrix's `compare:` pairs
   * (`declared`), and, without such a list, every pair of non-baseline configs once, on the row
   * with the higher mean TPS.
   */
  contrasts?: Contrast[];
  /** A quiet group against itself without its noisy neighbours (summarize/model/alone.ts). */
  alone?: AloneComparison;
  sampling?: SamplingFigures;
  /**
   * A copy of a `tenant: each` group (`t-t3r2` of template `t`): in summary.json and summary.csv, not
   * in the human tables, where its template's row stands for it (model/tenant-template.ts).
   */
  tenantCopyOf?: string;
  /**
   * On a template's synthesized row (group = the template's name): its copies' records merged per
   * cell, and the spread across them. Like any group row it is part of the mix's total, never
   * counted in totals or gates.
   */
  tenants?: TenantSpread;
  /**
   * Why the row has no `vsBaseline` although the baseline config has a row at its place: the two
   * ran different clients or offered rates (model/comparable.ts), so their TPS are not a pooler's.
   */
  unpaired?: string;
  /** PgBouncer's pools (SHOW POOLS per database and user) and its cost per pool (summarize/model/pools.ts). */
  pools?: RowPools;
  /**
   * The runner's isolation check before each cell (the `isolation: N foreign client backends` line
   * of the cell's `prepared` list), over every cell of the group; absent when no cell recorded it
   * (a run from an older bench).
   */
  isolation?: IsolationFigures;
  /** Connections per second per pooler core (reconnect workloads with sampled CPU). */
  perCore?: ConnectionsPerCore;
  /** TLS per side, in runs where a config used TLS. */
  tls?: RowTls;
  samples: RepSample[];
  /** Offered against achieved load, for a rate-limited workload (summarize/model/offered-load.ts). */
  load?: LoadFigures;
  /** Per-client figures over the completed reps (summarize/figures/clients/), when the cells recorded them. */
  clients?: ClientRowFigures;
}

/** The spread across a template row's copies (model/tenant-template.ts tenantSpread). */
export interface TenantSpread {
  copies: number;
  databases: number;
  roles: number;
  /** The copy with the highest p99 (from its own merged histograms). */
  worstP99?: { group: string; ms: number };
  /** The copies' mean TPS over reps: the lowest (and which), the median, the highest. */
  copyTps?: { min: number; minGroup: string; median: number; max: number };
}

/**
 * How many clients a group served and how fairly, from each completed rep's per-client figures
 * (src/pgbench/clients.ts). Over reps: the fewest served, the most starved, and the least fair rep's
 * transactions per client, so that one bad rep is never averaged away.
 */
export interface ClientRowFigures {
  /** Completed reps whose record has per-client figures. */
  reps: number;
  /** The clients of one rep (the most of any rep). */
  clients: number;
  /** The fewest clients that completed at least one transaction, over reps. */
  servedMin: number;
  /** The most starved clients (STARVED_RULE) in one rep. */
  starvedMax: number;
  /** Reps in which at least one client starved. */
  starvedReps: number;
  /** Jain's fairness index (FAIRNESS_RULE): the mean over reps, and the least fair rep's. */
  jainMean?: number;
  jainMin?: number;
  /** The least fair rep (lowest Jain's index) and its completed transactions per client. */
  worstRep: number;
  perClient: { min: number; p10: number; median: number; max: number; mean: number };
  /**
   * Whether the row's closed-loop latency speaks for every client (LATENCY_COVERAGE_RULE): false
   * when clients starved or waited for a server connection longer than WAIT_SHARE of the cell.
   * Rate-limited rows always do: pgbench's latency there includes the schedule lag, the wait.
   */
  latencyCoversAll: boolean;
  /**
   * Rate-limited, and the typical client was offered fewer than 1 / STARVED_FRACTION transactions:
   * clients with none may simply have had none scheduled, so no starvation is claimed (nor that all
   * were served).
   */
  tooFewToTell?: true;
}

/** A rate-limited group (pgbench -R): one rate of a rate axis, or one segment of a load profile. */
export interface LoadFigures {
  /** The matrix's workload (the row's workload is the rate or segment variant of it). */
  workload: string;
  /** pgbench -R: transactions per second offered over all clients. */
  offeredTps: number;
  latencyLimitMs?: number;
  segment?: {
    index: number;
    count: number;
    /** Planned offset from the profile's start, s. */
    startS: number;
    durationS: number;
    shape: string;
    burst: boolean;
  };
  /**
   * Completed transactions per second over the completed reps, in the window after pgbench's
   * clients connected (processed / Σ processed/tps: pgbench's tps "without initial connection time").
   */
  achievedTps: number;
  achievedRatio: number;
  /** pgbench's initial connection time, mean over reps: the start of every segment offers no load. */
  connectMs?: number;
  /** Transactions the offered rate schedules over the completed reps' windows (see achievedTps). */
  scheduled: number;
  /** Transactions skipped under -L, summed over reps. */
  skipped: number;
  /** Transactions above the -L limit, summed over reps (pgbench's summary). */
  lateTransactions?: number;
  /** Schedule lag of completed transactions from the per-transaction log: mean of the reps' means, largest p99 and max. */
  lagMeanMs?: number;
  lagP99Ms?: number;
  lagMaxMs?: number;
  /** Whether the config served the offered rate (RATE_MET_RULE). */
  met: boolean;
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
  | 'pss-missing'
  | 'foreign-backends'
  | 'latency-incomplete'
  | 'reader'
  | 'mixed-runs'
  | 'missing-shards'
  | 'rate-not-met'
  | 'clients-starved'
  | 'profiled';

/** A typed warning with a hint of what to change, in the manner of hyperfine. */
export interface Warning {
  kind: WarningKind;
  message: string;
  hint: string;
  group?: GroupKey;
  cells?: string[];
}

/** A warning a figure raises for a row, before the group and its prefix are added (model/warnings.ts). */
export type WarningDraft = Pick<Warning, 'kind' | 'message' | 'hint'> & { cells?: string[] };

export interface Thresholds {
  /** Warn when the CV of TPS over reps is above this fraction. Default 0.10. */
  cv: number;
  /** Below this many completed reps there is no confidence interval worth the name. Default 3. */
  minReps: number;
  /** Warn when a component's mean CPU is at least this many cores. Default 0.9. */
  cpuSaturationCores: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { cv: 0.1, minReps: 3, cpuSaturationCores: 0.9 };

/** A ratio of two rows' figures paired rep by rep: the geometric mean and its 95% interval. */
export interface PairedRatio {
  estimate: number;
  low: number;
  high: number;
  pairs: number;
}

/**
 * A quiet group's row against the same group, same config, in a workload without its neighbours
 * (the mix without the noisy group: docs/tenants.md, "Pool topologies"), and against the same
 * group under the baseline config with the same neighbours.
 */
export interface AloneComparison {
  /** The workload in which the group ran without `without`. */
  workload: string;
  /** The groups of this row's mix that the alone workload lacks (the noisy neighbours). */
  without: string[];
  /** The alone row's index in `rows`. */
  rowIndex: number;
  /** p99 with the neighbours / p99 alone, paired by rep. */
  p99Ratio?: PairedRatio;
  /** TPS with the neighbours / TPS alone, paired by rep. */
  tpsRatio?: PairedRatio;
  /** p99 of this row / p99 of the same group under the baseline config (same workload), paired by rep. */
  p99VsBaseline?: PairedRatio & { config: string };
  /**
   * p99 of this row / p99 of the same group (same workload and concurrency) under each other config
   * but the baseline (that one is p99VsBaseline), paired by rep, in the configs' order: the
   * topologies against each other. On the baseline's own row, against every other config.
   */
  p99VsOthers?: (PairedRatio & { config: string })[];
  /**
   * The configs whose same group is no peer (summarize/model/alone.ts): the groups, or their mixes'
   * totals, ran different clients or offered rates (summarize/model/comparable.ts). Left out of
   * p99VsBaseline and p99VsOthers, and of the topology ranking.
   */
  notComparable?: { config: string; reason: string; isBaseline?: true }[];
}
