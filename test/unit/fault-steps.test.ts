import { describe, expect, it } from 'vitest';
import { applyFault } from '../../src/runner/fault-steps.js';
import type { RelayCounters } from '../../src/stack/fault-relay-commands.js';
import type { RelayControl } from '../../src/stack/types.js';

/** A relay that records the lines it was sent and answers from a script of counters. */
function scriptedRelay(answer: (line: string) => Partial<RelayCounters>) {
  const sent: string[] = [];
  const relay: RelayControl = {
    port: 1,
    send: async (line) => {
      sent.push(line);
      return { latencyMs: 0, open: 0, accepted: 0, dropped: 0, ...answer(line) };
    },
  };
  return { relay, sent };
}

/** Fake time: sleep moves it; steps are recorded with it. */
function fakeDeps() {
  let t = 1_000;
  const steps: { name: string; at: number }[] = [];
  return {
    steps,
    sleep: async (ms: number) => {
      t += ms;
    },
    step: (name: string) => void steps.push({ name, at: t }),
  };
}

describe('fault event steps', () => {
  it('latency: sets it with the relay backstop, waits for, clears, with a step for each', async () => {
    const { relay, sent } = scriptedRelay(() => ({}));
    const deps = fakeDeps();
    await applyFault({ latencyMs: 50, forMs: 3000 }, relay, deps);
    expect(sent).toEqual(['latency 50 3000', 'clear']);
    expect(deps.steps).toEqual([
      { name: 'latency 50ms set', at: 1000 },
      { name: 'latency cleared', at: 4000 },
    ]);
  });

  it('latency: whole milliseconds for the relay', async () => {
    const { relay, sent } = scriptedRelay(() => ({}));
    await applyFault({ latencyMs: 2.6, forMs: 1000.4 }, relay, fakeDeps());
    expect(sent[0]).toBe('latency 3 1000');
  });

  it('latency: a relay that still adds latency after clear fails the action', async () => {
    const { relay } = scriptedRelay(() => ({ latencyMs: 50 }));
    await expect(applyFault({ latencyMs: 50, forMs: 10 }, relay, fakeDeps())).rejects.toThrow(
      'fault relay still adds 50 ms after clear',
    );
  });

  it('drop: closes every relayed connection and counts the ones it closed', async () => {
    const { relay, sent } = scriptedRelay((line) =>
      line === 'drop' ? { dropped: 6, accepted: 10 } : { dropped: 2, accepted: 10 },
    );
    const deps = fakeDeps();
    await applyFault({ drop: 'connections' }, relay, deps);
    expect(sent).toEqual(['status', 'drop']);
    expect(deps.steps).toEqual([
      { name: 'dropped 4 connections (10 accepted since the relay started)', at: 1000 },
    ]);
  });

  it("drop: the relay's error is the action's", async () => {
    const relay: RelayControl = {
      port: 1,
      send: async () => {
        throw new Error('fault relay control 127.0.0.1:1: connect ECONNREFUSED');
      },
    };
    await expect(applyFault({ drop: 'connections' }, relay, fakeDeps())).rejects.toThrow(/ECONNREFUSED/);
  });
});
