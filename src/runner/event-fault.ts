import { abortableSleep } from './abortable.js';
import type { EventAction } from './event-types.js';
import { applyFault } from './fault-steps.js';

/**
 * A `fault:` event on the config's relay (`fault_relay: true`, src/stack/fault-relay.ts): latency
 * for a while (done when it is cleared), or every relayed connection dropped now. The relay's
 * error (a refused command, a relay that is gone) fails the event, and with it the cell.
 */
export const faultAction: EventAction<'fault'> = async (ev, ctx) => {
  const relay = ctx.path.relay;
  if (!relay) throw new Error(`${ev.target}: config ${ctx.path.config} has no fault relay up`);
  try {
    await applyFault(ev.fault, relay, { sleep: (ms) => abortableSleep(ms, ctx.signal), step: ctx.step });
  } catch (e) {
    // Interrupted during `for`: clear the latency now rather than at the relay's own timer.
    if (ctx.signal?.aborted) await relay.send('clear').catch(() => undefined);
    throw e;
  }
};
