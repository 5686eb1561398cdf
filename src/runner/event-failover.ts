import type { EventAction, RecoverAction } from './event-types.js';

/**
 * A `failover: promote` event (owner: ops-failover): stop the primary (`ev.stop`), promote the
 * config's standby, then do the config's `on_failover` with its PgBouncer; record sub-steps with
 * `ctx.step`. Not built yet.
 */
export const failoverAction: EventAction<'failover'> = async () => {
  throw new Error('not built yet');
};

/** After a cell with a failover: rebuild primary + standby and point the pooler at the primary. Not built yet. */
export const recoverAfterFailover: RecoverAction = async () => {
  throw new Error('not built yet');
};
