import type { Row } from './row.js';

/**
 * pgbench aborts a client at its first lost connection and never reconnects it, then reports TPS
 * over what the clients completed: a row whose cells had aborted clients has a TPS of the clients
 * left, for part of the cell, not the config's throughput. The TL;DR compares no such TPS.
 */
export function tpsOfAllClients(r: Row | undefined): boolean {
  return r !== undefined && (r.abortedClients ?? 0) === 0 && r.abortedReps === 0;
}

/** What the tables and warnings say of such a row's TPS. */
export const ABORTED_TPS =
  'its TPS is what the clients left completed, over part of the cell, not a throughput figure (the outage table says what the clients saw)';
