import { describe, expect, it } from 'vitest';
import { abortableSleep, untilAborted } from '../../src/runner/abortable.js';

describe('waits an interrupt cuts short', () => {
  it('a sleep rejects at the abort, not at its end', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const p = abortableSleep(10_000, ac.signal);
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toThrow('interrupted');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('a sleep without an abort resolves', async () => {
    await expect(abortableSleep(5, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('a running action stops being waited for at the abort', async () => {
    const ac = new AbortController();
    const never = new Promise<void>(() => undefined);
    const p = untilAborted(never, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow('interrupted');
    await expect(untilAborted(Promise.resolve(3), new AbortController().signal)).resolves.toBe(3);
  });
});
