import type { EventAction } from './event-types.js';

/**
 * A `fault:` event on the config's relay (owner: ops-fault): latency for a while, or every relayed
 * connection dropped now. Not built yet.
 */
export const faultAction: EventAction<'fault'> = async () => {
  throw new Error('not built yet');
};
