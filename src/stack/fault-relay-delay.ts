/**
 * The fault relay's added latency, per direction of a connection: each chunk read from one side is
 * written to the other `latency` ms after it arrived, and never before the chunk ahead of it (order is
 * the byte stream's, so a latency lowered or cleared while chunks wait does not let later bytes pass).
 * The clock is injected so the ordering is unit-tested without sockets or real time.
 */

/** When a chunk that arrived at `arrivalMs` may be written: its latency, but not ahead of the previous chunk. */
export function releaseAt(arrivalMs: number, latencyMs: number, previousReleaseMs: number): number {
  return Math.max(arrivalMs + latencyMs, previousReleaseMs);
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** One direction's chunks in flight: delivered in order, each at its release time. */
export class DelayLine {
  private readonly queue: { chunk: Buffer; at: number }[] = [];
  private lastRelease = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  /** Bytes waiting (the caller pauses its source above a limit). */
  bytes = 0;

  constructor(
    private readonly deliver: (chunk: Buffer) => void,
    private readonly clock: Clock = realClock,
    /** Told whenever the queue becomes empty (to resume a paused source, or to end the far side). */
    private readonly onEmpty: () => void = () => undefined,
  ) {}

  /** Delivers at once when nothing waits and no latency applies: the no-fault path costs no timer. */
  push(chunk: Buffer, latencyMs: number): void {
    const now = this.clock.now();
    const at = releaseAt(now, latencyMs, this.lastRelease);
    this.lastRelease = at;
    if (this.queue.length === 0 && at <= now) {
      this.deliver(chunk);
      return;
    }
    this.queue.push({ chunk, at });
    this.bytes += chunk.length;
    this.arm();
  }

  get empty(): boolean {
    return this.queue.length === 0;
  }

  /** Forgets what waits (the connection is gone). */
  discard(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.bytes = 0;
  }

  private arm(): void {
    const head = this.queue[0];
    if (this.timer !== undefined || head === undefined) return;
    this.timer = this.clock.setTimeout(() => this.flush(), Math.max(0, head.at - this.clock.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = this.clock.now();
    while (this.queue[0] !== undefined && this.queue[0].at <= now) {
      const { chunk } = this.queue.shift() as { chunk: Buffer; at: number };
      this.bytes -= chunk.length;
      this.deliver(chunk);
    }
    if (this.queue.length === 0) this.onEmpty();
    else this.arm();
  }
}
