/**
 * The sampler time series (`cells/<cell-id>/samples.jsonl`, one JSON object per line) and the
 * per-cell summary stored in `CellRecord.sampling`.
 *
 * `t` is wall-clock epoch milliseconds (Date.now()) so samples line up with pgbench `progress:`
 * lines, which the runner stores with epoch ms too.
 */

/** The time series' name in a cell directory (src/results/paths.ts lists it with the others). */
export const SAMPLES_FILE = 'samples.jsonl';

export type SampleKind = 'pg_activity' | 'pgbouncer' | 'proc' | 'tick';

/** Client backends counted by state; `waitingOnLock` overlaps the states (a waiting backend is active). */
export type StateCounts = {
  total: number;
  active: number;
  idle: number;
  idleInTransaction: number;
  idleInTransactionAborted: number;
  /** Any other state (fastpath function call, disabled, null). */
  other: number;
  /** wait_event_type = 'Lock'. */
  waitingOnLock: number;
};

/** One pg_stat_activity snapshot: client backends only, the samplers' own connections excluded. */
export type PgActivitySample = {
  t: number;
  kind: 'pg_activity';
  /** All client backends of the server. */
  all: StateCounts;
  /** The benchmark database only: the server side of the path under test. */
  database: { name: string } & StateCounts;
  /** Client backends per user, every database. */
  byUser: Record<string, number>;
  /**
   * The benchmark database's client backends per user, by state: the summary takes the config's role
   * from it (attribution). Absent in samples written before it existed.
   */
  databaseByUser?: Record<string, StateCounts>;
  byDatabase: Record<string, number>;
  byApplication: Record<string, number>;
  maxConnections?: number;
};

export type PgbouncerPool = {
  database: string;
  user: string;
  /**
   * With `pgbouncer_per_group`: the PgBouncer process whose pool this is (its component key,
   * `pgbouncer:<config>/group-<group>`), and that process's mix group (absent for the config's own
   * process). Absent for one process and for `workers: N`, whose workers share each pool.
   */
  process?: string;
  group?: string;
  clActive: number;
  clWaiting: number;
  svActive: number;
  svIdle: number;
  svUsed: number;
  /** maxwait (s) and maxwait_us combined: how long the oldest waiting client has waited. */
  maxwaitMs: number;
};

/** SHOW STATS counters summed over databases (admin database excluded), as deltas since the last tick. */
export type PgbouncerStatsDelta = {
  dtMs: number;
  xacts: number;
  queries: number;
  /** total_wait_time delta: time clients spent waiting for a server, microseconds. */
  waitTimeUs: number;
};

export type PgbouncerSample = {
  t: number;
  kind: 'pgbouncer';
  pools: PgbouncerPool[];
  /** Sums over pools (maxwaitMs: the maximum). */
  totals: {
    clActive: number;
    clWaiting: number;
    svActive: number;
    svIdle: number;
    svUsed: number;
    /** sv_active + sv_idle + sv_used: server connections the pooler holds. */
    serverConnections: number;
    maxwaitMs: number;
  };
  /** Absent on the first tick (no previous counters) and after a counter reset. */
  stats?: PgbouncerStatsDelta;
  /** With several workers: each one's share of this tick (the fields above are their sums). */
  workers?: PgbouncerWorkerShare[];
};

export type PgbouncerWorkerShare = {
  worker: number;
  clActive?: number;
  serverConnections?: number;
  /** Transactions since the previous tick. */
  xacts?: number;
  /** Why this worker could not be read (stopped by an event, ...). */
  error?: string;
};

/** One component's process tree at one instant. */
export type ProcSample = {
  t: number;
  kind: 'proc';
  /** `postgres`, `pgbouncer:<config>`, `proxy:<config>`. */
  component: string;
  pid: number;
  processes: number;
  /** Sum of the tree's resident set sizes; counts shared memory (shared_buffers) once per process. */
  rssBytes: number;
  /** Sum of proportional set sizes (shared pages divided among sharers); absent when not read this tick. */
  pssBytes?: number;
  /**
   * CPU used since the previous sample of this component, in cores (1 = one core fully busy).
   * Absent on the first sample (no baseline).
   */
  cpuCores?: number;
  /** The CPU seconds and wall ms behind cpuCores, so means can be weighted exactly. */
  cpuSeconds?: number;
  dtMs?: number;
};

/** A sampler that could not take its sample; never paired with invented values. */
export type GapSample = {
  t: number;
  kind: SampleKind;
  gap: true;
  error: string;
  /** For proc gaps: which component. */
  component?: string;
};

export type Sample = PgActivitySample | PgbouncerSample | ProcSample | GapSample;

export function isGap(s: Sample): s is GapSample {
  return 'gap' in s && s.gap === true;
}

/** Which PgBouncer process keeps pools of its own (`pgbouncer_per_group`): see PgbouncerPool. */
export type PoolProcess = { process: string; group?: string };

/**
 * One (database, user) pool of PgBouncer over a cell's sampled window, or with `pgbouncer_per_group`
 * one (process, database, user) pool: `process` and `group` as in PgbouncerPool.
 */
export type PoolSummary = {
  database: string;
  user: string;
  process?: string;
  group?: string;
  /** Ticks at which SHOW POOLS listed this pool. */
  samples: number;
  clActivePeak: number;
  clActiveMean: number;
  clWaitingPeak: number;
  clWaitingMean: number;
  svActivePeak: number;
  svIdlePeak: number;
  maxwaitMsPeak: number;
};

export type PoolsSummary = {
  /** Most pools SHOW POOLS listed at one tick (admin database excluded), over every process that keeps its own. */
  poolsPeak: number;
  /** Pools seen at any tick. */
  poolsSeen: number;
  /** The most-waiting pools (POOLS_LISTED in pool-summary.ts) that waited most (peak cl_waiting, then peak maxwait, then busiest). */
  pools: PoolSummary[];
  /** Pools seen but not listed in `pools`. */
  poolsOmitted: number;
};

export type PoolerCost = {
  /** PgBouncer components (processes trees) whose figures are summed. */
  components: string[];
  pools: number;
  pssMeanBytes?: number;
  pssPerPoolBytes?: number;
  cpuCoresMean?: number;
  cpuCoresPerPool?: number;
};

export type ComponentSummary = {
  role: string;
  pid: number;
  samples: number;
  rssPeakBytes: number;
  rssMeanBytes: number;
  /**
   * Proportional set size of the tree (shared pages divided among the processes sharing them): the
   * memory the component really uses, the primary memory figure. Absent when no PSS reading fell in
   * the window (see pssError).
   */
  pssPeakBytes?: number;
  pssMeanBytes?: number;
  /** PSS readings behind pssPeakBytes/pssMeanBytes. */
  pssSamples?: number;
  /** Why PSS could not be read for this component (smaps_rollup not readable, ...). */
  pssError?: string;
  /** Time-weighted: total CPU seconds over total wall time of the samples that have a delta. */
  cpuCoresMean?: number;
  cpuCoresPeak?: number;
  processesPeak: number;
};

/**
 * Per-cell summary of the samplers (CellRecord.sampling). A type alias, not an interface, so it is
 * assignable to the record's `Record<string, unknown>`.
 */
export type SamplingSummary = {
  intervalMs: number;
  /** Ticks that ran (each takes one sample of every kind). */
  ticks: number;
  /** Ticks skipped because the previous one was still running. */
  skippedTicks: number;
  /** Sample lines written, gaps included. */
  samples: number;
  /** Gap lines (a sampler failed or a tick was skipped). */
  gaps: number;
  warnings: string[];
  postgres?: {
    database: string;
    /**
     * The PostgreSQL role of the config under test, when the runner gave one: the server backend
     * figures below then count only that role's backends on the benchmark database.
     */
    role?: string;
    samples: number;
    /** Client backends connected to the benchmark database (as `role`, when given). */
    serverBackendsPeak: number;
    serverBackendsMean: number;
    activePeak: number;
    idleInTransactionPeak: number;
    waitingOnLockPeak: number;
    /** All client backends of the server (every database, every user). */
    clientBackendsPeak: number;
    /** With a role: client backends on the benchmark database of every user. */
    databaseBackendsPeak?: number;
    /**
     * With a role: peak client backends (any database) of users other than `role`; the samplers are
     * already left out. Anything above 0 is another config's (or a stray client's) load on the server.
     */
    foreignBackendsPeak?: number;
    maxConnections?: number;
    /**
     * PostgreSQL memory per server backend: the postgres tree's PSS divided by the server backends
     * counted at the same tick, averaged over the ticks that have both (and > 0 backends). It
     * includes the postmaster, auxiliary processes and shared memory, spread over the backends.
     */
    pssPerBackendBytes?: number;
    /** The ticks behind pssPerBackendBytes. */
    pssPerBackendSamples?: number;
  };
  pgbouncer?: {
    samples: number;
    clActivePeak: number;
    clWaitingPeak: number;
    maxwaitMsPeak: number;
    svActivePeak: number;
    /** Peak of sv_active + sv_idle + sv_used. */
    serverConnectionsPeak: number;
    /** Sums of the SHOW STATS deltas over the sampled window. */
    xacts?: number;
    queries?: number;
    waitTimeMs?: number;
    /** Per (database, user) pool: the most-waiting ones by name, the pool count (src/sampling/pool-summary.ts). */
    pools?: PoolsSummary;
    /** PgBouncer's PSS and CPU divided by its peak pool count. */
    cost?: PoolerCost;
  };
  components: Record<string, ComponentSummary>;
  clients: number;
  /** clients / peak server backends for the benchmark database, when both are known and > 0. */
  multiplexing?: number;
};
