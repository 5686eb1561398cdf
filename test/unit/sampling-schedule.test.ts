import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleTicks } from '../../src/sampling/schedule.js';

describe('scheduleTicks', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks on a fixed grid however long each tick takes', async () => {
    const starts: number[] = [];
    const s = scheduleTicks({
      intervalMs: 100,
      now: Date.now,
      tick: async () => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 30));
      },
      skipped: async () => {},
    });
    await vi.advanceTimersByTimeAsync(450);
    await s.stop();
    expect(starts).toEqual([1_000_000, 1_000_100, 1_000_200, 1_000_300, 1_000_400]);
  });

  it('never overlaps: slots a slow tick ran over are reported as skipped', async () => {
    const starts: number[] = [];
    const skipped: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const durations = [250, 10, 10, 10];
    const s = scheduleTicks({
      intervalMs: 100,
      now: Date.now,
      tick: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, durations[starts.length - 1] ?? 10));
        running--;
      },
      skipped: async (times) => {
        skipped.push(...times);
      },
    });
    await vi.advanceTimersByTimeAsync(520);
    await s.stop();
    expect(maxRunning).toBe(1);
    expect(starts).toEqual([1_000_000, 1_000_300, 1_000_400, 1_000_500]);
    expect(skipped).toEqual([1_000_100, 1_000_200]);
  });

  it('stop waits for the running tick and starts no other', async () => {
    let done = 0;
    const s = scheduleTicks({
      intervalMs: 100,
      now: Date.now,
      tick: async () => {
        await new Promise((r) => setTimeout(r, 50));
        done++;
      },
      skipped: async () => {},
    });
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopped;
    expect(done).toBe(1);
  });
});
