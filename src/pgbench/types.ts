/**
 * What pgbench needs from the world, defined here so that src/pgbench depends on nothing in
 * src/stack: the stack starts components and hands out these endpoints and a runner; pgbench's
 * argv, parsers and runners only speak of them.
 */

/** Where a client connects. The password travels in the environment (PGPASSWORD), never in argv or results. */
export interface Endpoint {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** libpq sslmode for pgbench (a config's `tls.client`); absent means disable. */
  sslmode?: 'disable' | 'require' | 'verify-full';
  /** The run's CA certificate (never a key), for verify-full. */
  sslrootcert?: string;
  /**
   * Servers libpq tries after host:port, in order, taking the first that accepts writes
   * (target_session_attrs=read-write): a direct config with a standby reaches the promoted one.
   */
  fallbacks?: ReadonlyArray<{ host: string; port: number }>;
}

export interface PgbenchInvocation {
  args: string[];
  /** Directory where pgbench writes per-transaction logs (-l). */
  cwd: string;
  env: Record<string, string>;
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** Killed (SIGTERM, then SIGKILL) after this many ms; the result says timedOut. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PgbenchResult {
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

/** Runs pgbench, on the host or in a container. */
export interface PgbenchRunner {
  version: string;
  run(inv: PgbenchInvocation): Promise<PgbenchResult>;
}

/** What pgbench printed at the end of a run (see summary.ts); a cell record holds it (src/results/types.ts). */
export interface PgbenchSummary {
  transactionType?: string;
  scalingFactor?: number;
  queryMode?: string;
  clients?: number;
  threads?: number;
  durationS?: number;
  processed: number;
  failed: number;
  latencyAvgMs?: number;
  latencyStddevMs?: number;
  /** Without -C: time to open all connections once. */
  initialConnectionMs?: number;
  /** With -C: average time to open one connection. */
  averageConnectionMs?: number;
  tps?: number;
  /** "without initial connection time" or "including reconnection times". */
  tpsBasis?: 'without-initial-connection' | 'including-reconnection' | 'unknown';
  /** -R with -L: "number of transactions skipped" (they would have started later than the limit). */
  skipped?: number;
  /** -L: "number of transactions above the L ms latency limit". */
  lateTransactions?: number;
  /** -R: "rate limit schedule lag: avg A (max M) ms". */
  lagAvgMs?: number;
  lagMaxMs?: number;
  /** pgbench said "Run was aborted; the above results are incomplete." */
  aborted: boolean;
}

/** One line of pgbench -P 1 (see progress.ts). */
export interface ProgressPoint {
  /** Seconds since pgbench started. */
  t: number;
  tps: number;
  latMs: number;
  stddevMs?: number;
  failed?: number;
}
