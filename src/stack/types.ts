import type { Matrix } from '../matrix/load.js';
import type { Endpoint, PgbenchRunner } from '../pgbench/types.js';

// Defined with pgbench (which must not import the stack); re-exported for the stack's users.
export type { Endpoint, PgbenchResult, PgbenchRunner } from '../pgbench/types.js';

export type ComponentRole = 'postgres' | 'pgbouncer' | 'proxy';

/** One started component: a local process or a container. */
export interface Component {
  role: ComponentRole;
  /** The config this component serves; undefined for the shared PostgreSQL. */
  config?: string;
  /** Which of several processes of one role it is (`worker-2` of a `workers: N` PgBouncer). */
  name?: string;
  /** Host path of the directory holding its unix socket (a PgBouncer worker's admin console). */
  socketDir?: string;
  /** Host PID of the component's main process (its tree is sampled for RSS/CPU). */
  pid?: number;
  containerId?: string;
  image?: string;
  port: number;
  version?: string;
  /** False once the process or container has exited. */
  alive(): boolean;
  /** Last lines of the component's log, for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface ConfigPath {
  config: string;
  /** What pgbench connects to for this config. */
  endpoint: Endpoint;
  /** Components in the path, client side first (proxy, pgbouncer); PostgreSQL is shared. */
  components: Component[];
  /** PgBouncer admin console, when PgBouncer is in the path. */
  pgbouncerAdmin?: Endpoint;
  /**
   * With `workers: N > 1`: each PgBouncer process and its own admin console (through its unix
   * socket: the TCP port is shared, so TCP cannot pick a worker). `pgbouncerAdmin` is then unset.
   */
  pgbouncerWorkers?: PgbouncerWorker[];
  /**
   * A mix group's own pool or process: group name -> the PgBouncer database (`pool_per_group`) or
   * port (`pgbouncer_per_group`) its clients connect to instead of the endpoint's.
   */
  groupTargets?: Record<string, { database?: string; port?: number }>;
}

export interface PgbouncerWorker {
  /** 1-based. */
  worker: number;
  admin: Endpoint;
  component: Component;
}

/**
 * A cost cell's counting of a path's components (src/runner/cost-cell.ts): each counted process
 * starts under valgrind or perf (src/stack/count-wrap.ts) writing into a directory of its own. Native
 * provider only.
 */
export interface Counting {
  method: 'valgrind' | 'perf';
  roles: readonly ComponentRole[];
  /** How long a counted component may take to accept connections (valgrind starts slowly). */
  readyTimeoutMs: number;
  /**
   * A fresh directory for one counted process's output (`name` tells a worker from another); the
   * provider creates it, writable by the component's user.
   */
  outDir(role: ComponentRole, name: string): string;
}

export type ProviderName = 'native' | 'testcontainers' | 'external';

export interface Stack {
  provider: ProviderName;
  /**
   * Direct superuser-capable connection to PostgreSQL for init, CHECKPOINT and sampling. An
   * external stack (src/stack/external.ts) has no such thing: there it is the first config's
   * postgres_dsn (or dsn), and the runner uses each config's own endpoints instead.
   */
  postgres: Endpoint;
  postgresComponent: Component;
  /** The paths currently up (normally one: the config under test), by config. */
  paths: ReadonlyMap<string, ConfigPath>;
  /** The PostgreSQL login role of each config (src/stack/roles.ts): its backends carry this usename. */
  roles: ReadonlyMap<string, string>;
  pgbench: PgbenchRunner;
  /** Versions of what runs; a provider may add one when a component first starts (a pooler image's). */
  versions: Record<string, string>;
  /** Extra facts for run.json (images, digests, network mode). */
  details: Record<string, unknown>;
  /**
   * Starts one config's pooler/proxy (nothing for direct) and returns its path; a config already up
   * is returned as it is. Only the config under test is up: the runner stops the previous one first.
   * With `counting` (a cost cell) the components start fresh under valgrind or perf, and the next
   * start without it restarts them plain.
   */
  startPath(config: string, counting?: Counting): Promise<ConfigPath>;
  /** Stops one config's components (a config that is not up is a no-op). */
  stopPath(config: string): Promise<void>;
  /** Restart the components of one config after a fault (not PostgreSQL). */
  restartPath(config: string): Promise<ConfigPath>;
  /** Stops everything this stack started. Idempotent. */
  stop(): Promise<void>;
  /**
   * Loads the pgbench data where the provider decides it (an external stack: only with init: true,
   * never beside other tables) and returns facts for run.json; without it the runner runs
   * pgbench -i on `postgres`.
   */
  loadData?(cwd: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
}

export interface StartOptions {
  matrix: Matrix;
  /** The run id, for labels (containers) and logs. */
  runId?: string;
  /** Scratch directory for data, sockets, configs and logs of the stack (not the results). */
  workdir: string;
  log: (msg: string) => void;
  signal?: AbortSignal;
}

export interface Provider {
  name: ProviderName;
  /** Cheap checks (tools present, user exists) before the run directory is created; throws. */
  preflight?(matrix: Matrix): void;
  /**
   * The PgBouncer this provider would start, asked from its binary or image before anything
   * starts (`where` names which), for rules that depend on its version (src/runner/version-preflight.ts).
   */
  pgbouncerVersion?(matrix: Matrix, config: string): Promise<{ version: string | undefined; where: string }>;
  start(opts: StartOptions): Promise<Stack>;
}
