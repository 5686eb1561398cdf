import { describe, expect, it } from 'vitest';
import { applyFault, faultActionText, RECONNECT_WATCH_MS } from '../../src/runner/fault-steps.js';
import type { RelayCounters } from '../../src/stack/fault-relay-commands.js';
import type { RelayControl } from '../../src/stack/types.js';

/** A relay that records the lines it was sent and answers from a script of counters. */
function scriptedRelay(answer: (line: string, n: number) => Partial<RelayCounters>) {
  const sent: string[] = [];
  const relay: RelayControl = {
    port: 1,
    send: async (line) => {
      sent.push(line);
      return { latencyMs: 0, open: 0, accepted: 0, dropped: 0, ...answer(line, sent.length) };
    },
  };
  return { relay, sent };
}

function fakeTime() {
  let t = 1_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe('fault event steps', () => {
  it('names the action as the record says it', () => {
    expect(faultActionText({ latency: 50, for: 3000 })).toBe('latency 50ms for 3s');
    expect(faultActionText({ latency: 1500, for: 250 })).toBe('latency 1500ms for 250ms');
    expect(faultActionText({ drop: 'connections' })).toBe('drop connections');
  });

  it('latency: sets it with the relay backstop, waits for, clears, with a step for each', async () => {
    const { relay, sent } = scriptedRelay(() => ({}));
    const out = await applyFault({ latency: 50, for: 3000 }, relay, fakeTime());
    expect(sent).toEqual(['latency 50 3000', 'clear']);
    expect(out).toEqual({
      steps: [
        { name: 'latency 50ms set', at: 1000 },
        { name: 'latency cleared', at: 4000 },
      ],
      doneAt: 4000,
    });
  });

  it('latency: a relay that still adds latency after clear fails the action', async () => {
    const { relay } = scriptedRelay(() => ({ latencyMs: 50 }));
    await expect(applyFault({ latency: 50, for: 10 }, relay, fakeTime())).rejects.toThrow(
      'fault relay still adds 50 ms after clear',
    );
  });

  it('drop: counts what it closed and sees the first reconnect', async () => {
    // status (2 dropped before), drop (now 6, 10 accepted), then status polls: a new connection on the 3rd.
    const { relay, sent } = scriptedRelay((line, n) => {
      if (line === 'drop') return { dropped: 6, accepted: 10 };
      return n < 5 ? { dropped: n === 1 ? 2 : 6, accepted: 10 } : { dropped: 6, accepted: 11 };
    });
    const out = await applyFault({ drop: 'connections' }, relay, fakeTime());
    expect(sent.slice(0, 2)).toEqual(['status', 'drop']);
    expect(out.doneAt).toBe(1000);
    expect(out.steps).toEqual([
      { name: 'dropped 4 connections', at: 1000 },
      { name: 'first connection through the relay again', at: 1075 },
    ]);
  });

  it('drop: no reconnect within the watch is no step and no error', async () => {
    const { relay, sent } = scriptedRelay(() => ({ accepted: 3 }));
    const out = await applyFault({ drop: 'connections' }, relay, fakeTime());
    expect(out.steps).toEqual([{ name: 'dropped 0 connections', at: 1000 }]);
    expect(sent.length).toBe(2 + RECONNECT_WATCH_MS / 25);
  });
});
