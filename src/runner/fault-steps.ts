import type { FaultSpec } from '../matrix/events.js';
import type { RelayControl } from '../stack/types.js';

/**
 * What a `fault:` event does to a config's relay (src/stack/fault-relay-server.ts), apart from the
 * runner's event machinery (src/runner/event-fault.ts): the commands, in order, and a step for
 * each. Time is injected so the sequence is unit-tested without a relay or a clock.
 */

export interface FaultDeps {
  sleep(ms: number): Promise<void>;
  /** Records a sub-step of the event at the current time. */
  step(name: string): void;
}

/**
 * Latency: set it with the relay's own clear timer as a backstop (a harness that stopped waiting
 * cannot leave latency behind), wait `for`, clear it and check the relay says 0. Drop: close
 * every relayed connection now, counting them; the action is done when they are closed (what the
 * pooler does next is the outage the per-transaction log shows).
 */
export async function applyFault(f: FaultSpec, relay: RelayControl, deps: FaultDeps): Promise<void> {
  if ('latencyMs' in f) {
    const latency = Math.round(f.latencyMs);
    const forMs = Math.round(f.forMs);
    await relay.send(`latency ${latency} ${forMs}`);
    deps.step(`latency ${latency}ms set`);
    await deps.sleep(forMs);
    const after = await relay.send('clear');
    if (after.latencyMs !== 0) throw new Error(`fault relay still adds ${after.latencyMs} ms after clear`);
    deps.step('latency cleared');
    return;
  }
  const before = await relay.send('status');
  const dropped = await relay.send('drop');
  deps.step(
    `dropped ${dropped.dropped - before.dropped} connections (${dropped.accepted} accepted since the relay started)`,
  );
}
