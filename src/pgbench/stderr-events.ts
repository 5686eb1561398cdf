import { LIBPQ_CONNECT_FAILED, PGBENCH_CONNECT_FAILED } from './summary.js';

/**
 * pgbench's stderr lines that mark a moment of an outage, timestamped as they arrive (pgbench
 * itself stamps none of them): a client aborted ("client 3 aborted in command 1 ...", "client 1
 * script 0 aborted in command 1 query 0: FATAL ...", "client 19 aborted while establishing
 * connection") and a connection that could not be opened (libpq's "connection to server ... failed"
 * and pgbench's own "could not create connection for ..."). stderr is unbuffered in pgbench, so a
 * line reaches the runner within the pipe's latency of being written.
 */
export interface StderrEvent {
  /** Epoch ms at which the runner read the line. */
  at: number;
  /** The pgbench process of the cell (0 unless the cell is split: docs/many-clients.md). */
  process: number;
  /**
   * `aborted`: a client pgbench gave up on (never reconnected); `connection-error`: libpq's line
   * for a connection that failed; `connection-error-pgbench`: pgbench's own line for the same failure.
   */
  kind: 'aborted' | 'connection-error' | 'connection-error-pgbench';
  /** The client id (restarts in every process), for `aborted`. */
  client?: number;
  /** `aborted while establishing connection`: the abort of a connection that failed (pgbench's line for it). */
  connecting?: true;
}

const ABORTED_CLIENT = /\bclient (\d+) (?:script \d+ )?aborted\b/;

/** The event a stderr line marks, or none (progress lines, DETAIL/HINT, anything else). Pure. */
export function stderrEventOf(line: string, process: number, at: number): StderrEvent | undefined {
  if (LIBPQ_CONNECT_FAILED.test(line)) return { at, process, kind: 'connection-error' };
  const m = ABORTED_CLIENT.exec(line);
  // "aborted while establishing connection" is both: a client lost, to a connection that failed.
  if (m) {
    const connecting = PGBENCH_CONNECT_FAILED.test(line) ? { connecting: true as const } : {};
    return { at, process, kind: 'aborted', client: Number(m[1]), ...connecting };
  }
  if (PGBENCH_CONNECT_FAILED.test(line)) return { at, process, kind: 'connection-error-pgbench' };
  return undefined;
}

/** At most this many events are kept per cell: a reconnect storm can print one line per attempt. */
export const STDERR_EVENTS_CAP = 5000;

/** Collects the events of a cell's stderr lines as they arrive. */
export class StderrEventLog {
  private readonly list: StderrEvent[] = [];
  private readonly abortedFirst = new Map<string, number>();
  private dropped = 0;

  add(process: number, line: string, at: number): void {
    const e = stderrEventOf(line, process, at);
    if (!e) return;
    if (e.kind === 'aborted') {
      const key = `${process}:${e.client}`;
      // pgbench says it once per client; a repeat (a second line of the same abort) is not a new loss.
      if (this.abortedFirst.has(key)) return;
      this.abortedFirst.set(key, at);
    }
    if (this.list.length < STDERR_EVENTS_CAP) this.list.push(e);
    else this.dropped++;
  }

  /** What the cell record keeps: every event (up to the cap) and when each client aborted. */
  record(): { stderrEvents?: StderrEvent[]; stderrEventsDropped?: number; abortedAt?: number[] } {
    const abortedAt = [...this.abortedFirst.values()].sort((a, b) => a - b);
    return {
      ...(this.list.length > 0 ? { stderrEvents: [...this.list] } : {}),
      ...(this.dropped > 0 ? { stderrEventsDropped: this.dropped } : {}),
      ...(abortedAt.length > 0 ? { abortedAt } : {}),
    };
  }
}
