import type { RelayControl } from '../stack/types.js';

/**
 * What a `fault:` event does to a config's relay (src/stack/fault-relay-server.ts), apart from the
 * runner's event machinery (src/runner/event-fault.ts): the commands, in order, with the epoch ms of
 * each step. Time is injected so the sequence is unit-tested without a relay's clock.
 */

export type FaultSpec = { latency: number; for: number } | { drop: 'connections' };

export interface FaultOutcome {
  steps: { name: string; at: number }[];
  doneAt: number;
}

export interface FaultDeps {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How long a drop waits to see the first connection made again through the relay (a pooler's reconnect). */
export const RECONNECT_WATCH_MS = 2_000;
const WATCH_POLL_MS = 25;

const ms = (v: number) => (v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`);

/** `latency 50ms for 3s`, `drop connections`: the record's `action`. */
export function faultActionText(f: FaultSpec): string {
  return 'latency' in f ? `latency ${ms(f.latency)} for ${ms(f.for)}` : 'drop connections';
}

/**
 * Latency: set it with the relay's own clear timer as a backstop (a harness that stopped waiting cannot
 * leave it behind), wait `for`, clear it, confirm. Drop: close every relayed connection, then watch
 * up to RECONNECT_WATCH_MS for the first new one (the pooler reconnecting), a step when seen.
 */
export async function applyFault(f: FaultSpec, relay: RelayControl, deps: FaultDeps): Promise<FaultOutcome> {
  const steps: FaultOutcome['steps'] = [];
  if ('latency' in f) {
    await relay.send(`latency ${f.latency} ${f.for}`);
    steps.push({ name: `latency ${ms(f.latency)} set`, at: deps.now() });
    await deps.sleep(f.for);
    const after = await relay.send('clear');
    if (after.latencyMs !== 0) throw new Error(`fault relay still adds ${after.latencyMs} ms after clear`);
    steps.push({ name: 'latency cleared', at: deps.now() });
    return { steps, doneAt: deps.now() };
  }
  const before = await relay.send('status');
  const dropped = await relay.send('drop');
  const doneAt = deps.now();
  steps.push({ name: `dropped ${dropped.dropped - before.dropped} connections`, at: doneAt });
  const deadline = doneAt + RECONNECT_WATCH_MS;
  while (deps.now() < deadline) {
    await deps.sleep(WATCH_POLL_MS);
    const c = await relay.send('status');
    if (c.accepted > dropped.accepted) {
      steps.push({ name: 'first connection through the relay again', at: deps.now() });
      break;
    }
  }
  return { steps, doneAt };
}
