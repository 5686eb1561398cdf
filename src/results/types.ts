import type { MatrixOverrides } from '../matrix/load.js';
import type { Protocol } from '../matrix/protocol.js';
import type { WorkloadLoad } from '../matrix/workload.js';
import type { ClientFigures } from '../pgbench/clients.js';
import type { StderrEvent } from '../pgbench/stderr-events.js';
import type { PgbenchSummary } from '../pgbench/types.js';
import type { TlsObservation } from '../sampling/tls-observe.js';
import type { SamplingSummary } from '../sampling/types.js';

/**
 * The contract between `bench run` and `bench summarize`. Bump RESULTS_SCHEMA when a field changes
 * meaning; readers accept older versions they know and refuse newer ones with a clear message.
 */
export const RESULTS_SCHEMA = 1 as const;

/** Latency figures in milliseconds from the per-transaction log (nearest-rank percentiles). */
export interface LatencySummary {
  count: number;
  failed: number;
  skipped: number;
  meanMs: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /**
   * -R: schedule lag of the completed transactions (how late each started against its scheduled
   * time), from the per-transaction log's schedule_lag column; p99 at most 0.1 % low.
   */
  lag?: { meanMs: number; p99Ms: number; maxMs: number };
  /** Relative path (from the cell dir) of the serialized histogram, for merging across reps. */
  histogramFile: string;
}

export type CellState = 'completed' | 'failed' | 'timed-out' | 'interrupted' | 'skipped';

interface CellBase {
  schema: typeof RESULTS_SCHEMA;
  id: string;
  index: number;
  config: string;
  workload: string;
  concurrency: number;
  rep: number;
  threads: number;
  /** pgbench -M of the cell (absent in records written before protocol could vary per cell). */
  protocol?: Protocol;
  /** Versions of the config's own components (pgbouncer, proxy) as their running processes reported them. */
  versions?: Record<string, string>;
  startedAt: string;
  endedAt: string;
  /** pgbench argv with no secrets (the password is passed in the environment). */
  argv: string[];
  /** What the harness did before the cell (checkpoint, vacuum, settle), for the method section. */
  prepared: string[];
  warnings: string[];
  /**
   * Per-client figures from the per-transaction log (src/pgbench/clients.ts): clients served,
   * transactions per client, Jain's fairness index, starved clients. Absent in records of an older
   * bench and when no log was written.
   */
  clients?: ClientFigures;
  /** Summary of the samplers, when sampling ran (see src/sampling/types.ts). */
  sampling?: SamplingSummary;
  /** What each side of the path negotiated (TLS version and cipher), in runs where a config uses TLS. */
  tls?: TlsObservation;
  /**
   * pgbench's stderr lines that mark an outage (a client aborted, a connection failed), stamped
   * with the epoch ms the runner read them (src/pgbench/stderr-events.ts); pgbench stamps none.
   */
  stderrEvents?: StderrEvent[];
  /** Events past the cap (STDERR_EVENTS_CAP) that were counted but not kept. */
  stderrEventsDropped?: number;
  /** Epoch ms at which each aborted client was first reported, ascending (one entry per client). */
  abortedAt?: number[];
  /** The offered load of a rate-limited workload: its rate, latency limit and profile segment. */
  load?: WorkloadLoad;
  /** A cell run as several pgbench processes (docs/many-clients.md): each one's share and result. */
  pgbenchProcesses?: Array<{
    clients: number;
    threads: number;
    argv: string[];
    exitCode: number | null;
    processed: number;
  }>;
  /**
   * A mix cell (docs/tenants.md): one result per client group, each from its own pgbench processes
   * and its own per-transaction logs. The cell's summary and latency are the total over the groups.
   */
  groups?: GroupRecord[];
  /** Sockets in TIME_WAIT on this host before and after the cell (they hold ephemeral ports). */
  timeWait?: { before: number; after: number };
  /** pgbench clients that aborted (and were not replaced) during the cell, when any did. */
  abortedClients?: number;
  /** Scheduled events of the cell (src/runner/events.ts): what was sent, to which PIDs, when. */
  events?: EventRecord[];
  /** With `workers: N > 1`: each PgBouncer worker's share of the cell (src/runner/workers.ts). */
  pgbouncerWorkers?: WorkersRecord;
  /** With `cancel_check: true`: cancel requests sent to a second client's long queries (src/runner/cancel-check.ts). */
  cancelCheck?: CancelCheckRecord;
  /**
   * With `profile: true`: perf record ran on these components during the measured pgbench, so this
   * cell's TPS and latency carry the recording's overhead (docs/profiling.md).
   */
  profile?: ProfileRecord;
}

/** One client group of a mix cell: what it ran, and what its own processes and logs say. */
export interface GroupRecord {
  name: string;
  /** Its clients and pgbench threads in this cell (the matrix's concurrency times the group's clients). */
  clients: number;
  threads: number;
  /** Where its clients connected, as whom. */
  database: string;
  role: string;
  /** The argv of its first pgbench process (every process of a split group differs only in -c/-j/-R). */
  argv: string[];
  /** Its pgbench processes, and the prefix of their per-transaction logs in the cell directory. */
  processes: number;
  logPrefix: string;
  /** The first failing exit code of its processes, else 0 (null: killed by a signal). */
  exitCode: number | null;
  /** Its offered rate (pgbench -R over its clients) and latency limit, when it has them. */
  load?: WorkloadLoad;
  /** Its processes' summaries merged (src/pgbench/merge-summary.ts); absent when none printed one. */
  summary?: PgbenchSummary;
  /** Percentiles from its own per-transaction logs only; its histogram file is its own. */
  latency?: LatencySummary;
  clientFigures?: ClientFigures;
  connectionErrors: number;
  /**
   * With a `profile:` of its own (docs/tenants.md): its segments in order, each one pgbench run (or
   * several, split) started when the one before it ended. `summary` and `latency` above are over
   * all of them; `load.profile` has the offered rates.
   */
  segments?: GroupSegmentRecord[];
}

/** One segment of a client group's profile inside a mix cell. */
export interface GroupSegmentRecord {
  /** 1-based position in the profile, of `count`. */
  index: number;
  count: number;
  /** Planned offset of its start from the cell's measured start, and its length (pgbench -T), ms. */
  startMs: number;
  durationMs: number;
  /** pgbench -R over the group's clients at this cell's concurrency; `burst`: a burst set it. */
  rate: number;
  burst: boolean;
  /** When its pgbench really started, ms after the cell's measured start (the restarts add up). */
  startedAfterMs?: number;
  /** Its per-transaction logs: `<prefix>.<pid>`, or `<prefix>_p<j>.<pid>` when split. */
  logPrefix: string;
  processes: number;
  /** The first failing exit code of its processes, else 0; null: not started or killed by a signal. */
  exitCode: number | null;
  /** Its processes' summaries merged (pgbench's own: TPS, average latency, lag, skipped). */
  summary?: PgbenchSummary;
}

export interface ProfileRecord {
  /** The perf event sampled: `cpu-clock` (a software clock), user and kernel stacks (`-g`). */
  event: string;
  components: ProfiledComponent[];
}

export interface ProfiledComponent {
  /** `pgbouncer`, `worker-2` (with workers: N), `proxy`. */
  component: string;
  /** The component's processes perf attached to (children forked later are followed too). */
  pids: number[];
  /** Samples perf recorded (one per sample period of CPU the processes used). */
  samples: number;
  /** Distinct stacks in the folded file. */
  stacks: number;
  /** The folded stacks, relative to the cell dir (`profile-<component>.folded`). */
  file?: string;
  /** perf's sampling frequency (its default; perf evlist -F). */
  sampleFrequencyHz?: number;
  /** Why there is no profile of this component. */
  error?: string;
}

export interface EventRecord {
  /** `<config>/<component>`. */
  target: string;
  /** The event's kind; absent in records of an older bench (they are signals). */
  kind?: 'signal' | 'admin' | 'settings' | 'postgres' | 'failover' | 'fault';
  /** What was done, human-readable: `SIGINT`, `PAUSE`, `default_pool_size=5 + RELOAD`, `restart-fast`. */
  action?: string;
  /** The signal of a signal event (and of every event in older records). */
  signal?: string;
  /** The event's index in run.json's effective `events:` (gates name it `events[i]`); absent in older records. */
  index?: number;
  /** Planned: ms after the measured pgbench started. */
  atMs: number;
  /** Epoch ms at which the action started; absent when it was not. */
  firedAt?: number;
  /** firedAt minus the measured pgbench's start, ms. */
  offsetMs?: number;
  /** Epoch ms at which the action completed (restart finished, promotion done); absent when it failed. */
  doneAt?: number;
  /** Sub-steps of the action with their epoch ms (failover: primary stopped, standby promoted...). */
  steps?: { name: string; at: number }[];
  /** Host PIDs that were signalled. */
  pids: number[];
  /** The server's or the tool's message when the action failed (or why it was not sent). */
  error?: string;
}

export interface WorkersRecord {
  port: number;
  /** Listening TCP sockets on the port (all addresses), read from /proc/net/tcp before pgbench. */
  listenSockets: number;
  workers: WorkerShare[];
  /** Where a cancel request goes with several workers, for this PgBouncer version (src/runner/workers.ts). */
  cancel?: string;
  /** Whether the workers were peered (`peer_id`, `[peers]`, PgBouncer >= 1.19); absent in older records. */
  peered?: boolean;
}

/**
 * The cancel check of one cell: probes, each a query `SELECT pg_sleep(...)` on its own connection
 * through the pooler, cancelled with a CancelRequest on a new connection to the pooler's port
 * once PostgreSQL shows it running. `landed`: the query ended with SQLSTATE 57014 ("canceling
 * statement due to user request") within `promptMs` of the request; `missed`: it had not (the
 * request reached a process that did not know the client, or came late; the harness then cancels
 * it directly, not counted); `unknown`: the request was sent but its result is not known (it
 * failed or timed out after it was written, or the query ended with another error); `failed`: the
 * probe sent no cancel (it could not connect, or its statement did not start). Cancels sent are
 * landed + missed + unknown.
 */
export interface CancelCheckRecord {
  probes: number;
  landed: number;
  missed: number;
  /** Absent in records of a bench before it was counted (such probes were counted as failed). */
  unknown?: number;
  failed: number;
  promptMs: number;
  /** How long the probe's statement would have slept uncancelled (`pg_sleep`), s; absent in older records. */
  sleepS?: number;
  /** Milliseconds from the cancel request to the query's error, over landed probes. */
  landedMs?: { median: number; max: number };
  /** Distinct reasons of failed probes and of sent ones with an unknown result, the first few. */
  errors?: string[];
}

export interface WorkerShare {
  worker: number;
  pid?: number;
  /** Whether this process held a listening socket on the port before pgbench started. */
  listening: boolean;
  /** SHOW STATS total_xact_count / total_query_count over the cell (after minus before). */
  xacts?: number;
  queries?: number;
  /** Why the counters are missing (the worker was stopped by an event, ...). */
  error?: string;
}

export interface CompletedCell extends CellBase {
  state: 'completed';
  /** 2 only when clients aborted after a scheduled event that was sent (an expected disruption). */
  exitCode: 0 | 2;
  summary: PgbenchSummary;
  latency?: LatencySummary;
  connectionErrors: number;
}

export interface FailedCell extends CellBase {
  state: 'failed' | 'timed-out' | 'interrupted' | 'skipped';
  exitCode: number | null;
  reason: string;
  /** pgbench's error lines (stderr), trimmed. */
  errorLines: string[];
  /** What pgbench printed before failing, when it printed a summary; never averaged into results. */
  summary?: PgbenchSummary;
  latency?: LatencySummary;
  connectionErrors: number;
}

export type CellRecord = CompletedCell | FailedCell;

/**
 * How a run ended: every cell completed; a cell failed; the user interrupted it; the stack could not
 * start or died (`stack-error`); any other error (`error`).
 */
export type RunOutcomeState = 'completed' | 'failed' | 'interrupted' | 'stack-error' | 'error';

/**
 * run.json's `effective`: the validated matrix (src/matrix/schema.ts) of whatever bench version
 * wrote the run, with the flag overrides it ran with. Readers rely on the fields named here; the
 * rest is kept as written.
 */
export interface EffectiveMatrix {
  name?: string;
  configs: { name: string; kind: string; [k: string]: unknown }[];
  workloads: (string | { name: string; [k: string]: unknown })[];
  concurrency: number[];
  reps: number;
  /** Milliseconds. */
  duration: number;
  baseline?: string;
  gates?: Record<string, unknown>;
  /** The flags (and BENCH_* variables) that overrode the file; a resumed run must repeat them. */
  overrides?: MatrixOverrides;
  [k: string]: unknown;
}

/** run.json's `stack`: the provider's details (images, network, binaries) and timings. */
export interface StackInfo {
  /** Milliseconds from starting the provider to PostgreSQL ready. */
  startupMs?: number;
  /** Milliseconds pgbench -i took. */
  initMs?: number;
  network?: string;
  [k: string]: unknown;
}

export interface RunInfo {
  schema: typeof RESULTS_SCHEMA;
  tool: { name: 'bench'; version: string; gitSha?: string };
  runId: string;
  command: string[];
  matrix: { file: string; hash: string; text: string; name?: string };
  /** The validated matrix after flag overrides, with defaults filled in. */
  effective: EffectiveMatrix;
  provider: string;
  providerReason?: string;
  versions: Record<string, string>;
  host: {
    hostname: string;
    cpus: number;
    cpuModel: string;
    memoryBytes: number;
    kernel: string;
    platform: string;
  };
  /** Facts about the stack: the provider's details, plus how long startup and pgbench -i took. */
  stack?: StackInfo;
  startedAt: string;
  endedAt?: string;
  /** When `bench run --resume` continued this run. */
  resumedAt?: string[];
  /** The order configs ran in within each rep (src/runner/plan.ts), with the shuffle's seed. */
  order?: { mode: 'shuffle' | 'fixed'; seed: number; reps: Record<string, string[]> };
  /** Filled at the end. */
  outcome?: RunOutcomeState;
  cellsPlanned: number;
  /** `bench run --shard i/N`: this run holds shard `index` of `count` (docs/ci.md). */
  shard?: { index: number; count: number; groups: string[]; seedFrom: 'matrix' | 'derived' };
  /** Configs with a pool per group or a PgBouncer per group: each group's own pool (docs/tenants.md). */
  topologies?: Record<string, ConfigTopology>;
}

/** run.json's `topologies[config]`: the per-group pools a config ran its mixes through (src/stack/group-pools.ts). */
export interface ConfigTopology {
  topology: 'pool_per_group' | 'pgbouncer_per_group';
  /** In the order of the matrix's mixes; `poolSize` is the group's pool_size, or its even share. */
  pools: { group: string; database: string; poolSize: number }[];
}
