import type { Matrix } from '../matrix/load.js';
import type { Endpoint, PgbenchRunner } from '../pgbench/types.js';
import type { RelayCounters } from './fault-relay-commands.js';

// Defined with pgbench (which must not import the stack); re-exported for the stack's users.
export type { Endpoint, PgbenchResult, PgbenchRunner } from '../pgbench/types.js';

export type ComponentRole = 'postgres' | 'pgbouncer' | 'proxy' | 'relay';

/**
 * A config's fault relay (`fault_relay: true`, src/stack/fault-relay.ts): one control line
 * (`latency 50 3000`, `clear`, `drop`, `status`) in, the relay's counters out; its error rejects.
 */
export interface RelayControl {
  /** The relay's control port on 127.0.0.1. */
  port: number;
  send(line: string): Promise<RelayCounters>;
}

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
  /**
   * Components in the path, client side first (proxy, pgbouncer, then the fault relay next to
   * PostgreSQL); PostgreSQL is shared.
   */
  components: Component[];
  /** With `fault_relay: true`: the relay between the path and PostgreSQL, and how to command it. */
  relay?: RelayControl;
  /** PgBouncer admin console, when PgBouncer is in the path. */
  pgbouncerAdmin?: Endpoint;
  /**
   * With `workers: N > 1`: each PgBouncer process and its own admin console (through its unix
   * socket: the TCP port is shared, so TCP cannot pick a worker). `pgbouncerAdmin` is then unset.
   */
  pgbouncerWorkers?: PgbouncerWorker[];
  /** The workers are peered (`peer_id`, `[peers]`): a cancel request reaching any is forwarded. */
  peered?: boolean;
  /** The config's streaming standby (`standby: true`), up while the path is. */
  standby?: StandbyNode;
  /**
   * A mix group's own pool or process: group name -> the PgBouncer database (`pool_per_group`) or
   * port (`pgbouncer_per_group`) its clients connect to instead of the endpoint's.
   */
  groupTargets?: Record<string, { database?: string; port?: number }>;
}

/** A config's streaming standby (src/stack/standby.ts). */
export interface StandbyNode {
  /** The standby as the harness's superuser, on the bench database. */
  endpoint: Endpoint;
  component: Component;
  /** Its physical replication slot on the primary. */
  slot: string;
}

export interface PgbouncerWorker {
  /** 1-based. */
  worker: number;
  admin: Endpoint;
  component: Component;
  /** A `pgbouncer_per_group` group's own process (not a `workers: N` worker): its pools are its own. */
  group?: string;
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

/** How a restart stops PostgreSQL (`pg_ctl restart -m fast|immediate`). */
export type PostgresRestartMode = 'fast' | 'immediate';

/**
 * Operations on the run's PostgreSQL under load (`postgres:` events, docs/operations.md), for the
 * providers that started it (native and containers; a container keeps running: pg_ctl runs inside
 * it). Each resolves once PostgreSQL accepts connections again, and keeps `postgresComponent`'s
 * pid current.
 */
/** A change to a running config's pgbouncer.ini (every worker's): settings, or where [databases] points. */
export interface PgbouncerIniChange {
  /** [pgbouncer] settings to set (added or replaced). */
  settings?: Record<string, string | number | boolean>;
  /** Point every [databases] entry at this PostgreSQL (a failover's new primary). */
  upstream?: { host: string; port: number };
}

/**
 * Rewrites a running config's pgbouncer.ini in place (native: the file in the workdir; containers:
 * the file the container reads), so a RELOAD on the admin console applies it. Only the file: the
 * caller sends RELOAD. A later start of the config (restartPath) begins from its own settings again.
 */
export interface PgbouncerOps {
  rewriteIni(config: string, change: PgbouncerIniChange): Promise<void>;
}

export interface PostgresOps {
  /** `pg_ctl restart -m <mode>`. */
  restart(mode: PostgresRestartMode): Promise<void>;
  /** SIGKILL the postmaster, then start it again: crash recovery. */
  crash(): Promise<void>;
  /** Waits until PostgreSQL accepts connections (after an operation, before the next cell). */
  ready(timeoutMs: number): Promise<void>;
  /**
   * Stops PostgreSQL and leaves it down (a failover's primary): `kill` is SIGKILL of the postmaster
   * (its data then needs crash recovery), `fast` a fast shutdown. Resolves once the postmaster is gone.
   */
  stop(how: 'kill' | 'fast'): Promise<void>;
  /**
   * Starts a PostgreSQL that `stop` left down again on its own data, resolving once it accepts
   * connections (before the next cell after a failover); a running one is left alone.
   */
  start(timeoutMs: number): Promise<void>;
}

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
  /** Restart, crash and wait for the run's PostgreSQL (absent on an external stack). */
  postgresOps?: PostgresOps;
  /** Rewrite a running config's pgbouncer.ini (absent on an external stack). */
  pgbouncerOps?: PgbouncerOps;
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
  preflight?(matrix: Matrix): void | Promise<void>;
  /**
   * The run's own PostgreSQL server (its image, or its binary directory): a config naming it shares
   * the run's server instead of getting one of its own (src/matrix/servers.ts).
   */
  defaultServer?(matrix: Matrix): string | undefined;
  /**
   * The PgBouncer this provider would start, asked from its binary or image before anything
   * starts (`where` names which), for rules that depend on its version (src/runner/version-preflight.ts).
   */
  pgbouncerVersion?(matrix: Matrix, config: string): Promise<{ version: string | undefined; where: string }>;
  start(opts: StartOptions): Promise<Stack>;
}
