export type TickScheduler = {
  /** No tick starts after this; resolves when the running tick (if any) has finished. */
  stop(): Promise<void>;
};

export type ScheduleOptions = {
  intervalMs: number;
  now: () => number;
  /** Runs at slot k (time start + k * interval); must not throw. */
  tick: (slotTime: number) => Promise<void>;
  /** Called (after the late tick ended) with the times of the slots that passed while it ran. */
  skipped: (slotTimes: number[]) => Promise<void>;
};

/**
 * Runs `tick` at once and then on a fixed grid (start + k * interval), so ticks do not drift with
 * the time each one takes, and never two at a time: when a tick overruns one or more slots, those
 * slots are reported as skipped and the next tick waits for the next slot on the grid.
 */
export function scheduleTicks(opts: ScheduleOptions): TickScheduler {
  const { intervalMs: interval, now } = opts;
  const t0 = now();
  let slot = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const run = (): void => {
    running = (async () => {
      await opts.tick(t0 + slot * interval);
      if (stopped) return;
      // The first slot whose time has not come yet; the ones in between were missed.
      const next = Math.max(slot + 1, Math.floor((now() - t0) / interval) + 1);
      const missed: number[] = [];
      for (let k = slot + 1; k < next; k++) missed.push(t0 + k * interval);
      if (missed.length > 0) await opts.skipped(missed);
      if (stopped) return;
      slot = next;
      // Clamped: a wall clock stepped backwards must not stall sampling for longer than one interval.
      const delay = Math.min(interval, Math.max(0, t0 + slot * interval - now()));
      timer = setTimeout(run, delay);
    })();
  };
  run();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
