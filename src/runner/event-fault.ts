import type { EventAction } from './event-types.js';
import { applyFault } from './fault-steps.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A `fault:` event on the config's relay (`fault_relay: true`, src/stack/fault-relay.ts): latency
 * for a while (done when it is cleared), or every relayed connection dropped now. The relay's
 * error (a refused command, a relay that is gone) fails the event, and with it the cell.
 */
export const faultAction: EventAction<'fault'> = async (ev, ctx) => {
  const relay = ctx.path.relay;
  if (!relay) throw new Error(`${ev.target}: config ${ctx.path.config} has no fault relay up`);
  await applyFault(ev.fault, relay, { sleep, step: ctx.step });
};
