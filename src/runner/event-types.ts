import type { CellEventOfKind, EventKind } from '../matrix/events.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { EventRecord } from '../results/types.js';
import type { ConfigPath, Stack } from '../stack/types.js';

/**
 * The contract between the events dispatcher (src/runner/events.ts) and the action modules
 * (src/runner/event-<kind>.ts): what an action is given and what it returns.
 *
 * An action is given the config's path as it is up, the stack's operations, a log, and a record
 * of its own (sub-steps, PIDs).
 */
export interface EventContext {
  /** The config's path for this cell (components, endpoints, admin consoles). */
  path: ConfigPath;
  /** The running stack: `postgresOps` (restart, crash), `postgres` (superuser endpoint), `roles`. */
  stack: Stack;
  /** The config's spec (on_failover, standby, fault_relay, pgbouncer settings). */
  config: ConfigSpec;
  /** Epoch ms at which the measured pgbench started. */
  startMs: number;
  log: (msg: string) => void;
  /** The run's interrupt: an action's waits end when it aborts (src/runner/abortable.ts). */
  signal?: AbortSignal;
  /** Records a sub-step of the action (`primary stopped`, `standby promoted`...) at the current time. */
  step(name: string): void;
  /** Records a host PID the action reached (signals). */
  pid(pid: number): void;
}

/** Event kinds that leave the pooler changed (signalled, paused, reconfigured): it restarts before the next cell. */
export const POOLER_KINDS: ReadonlySet<string> = new Set(['signal', 'admin', 'settings']);

/** One kind's action: resolves when done (doneAt), throws an Error with the server's / tool's message. */
export type EventAction<K extends EventKind = EventKind> = (
  ev: CellEventOfKind<K>,
  ctx: EventContext,
) => Promise<void>;

/** After a cell whose events of some kind fired: make the stack healthy for the next cell. */
export interface RecoverContext {
  stack: Stack;
  config: ConfigSpec;
  /** The cell's event records (only those of the recovering kind that fired). */
  records: EventRecord[];
  /** Every event of the cell that fired, whatever its kind. */
  fired: EventRecord[];
  log: (msg: string) => void;
}
export type RecoverAction = (ctx: RecoverContext) => Promise<void>;
