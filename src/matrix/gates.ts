import { z } from 'zod';
import { type EventGates, eventGatesSchema } from './event-gates.js';

/**
 * Gates on cost cells (issue 18), checked by summarize on the cost rows: the most work per
 * transaction a component may do, per (config, workload, component). Limits are plain counts per
 * transaction (instructions under valgrind, syscalls under perf), measured in cost cells only.
 */
const costGateFields = {
  max_instructions_per_tx: z.number().positive().optional(),
  max_syscalls_per_tx: z.number().positive().optional(),
};

export const gatesSchema = z.strictObject({
  max_failed_transactions: z.number().int().nonnegative().optional(),
  max_connection_errors: z.number().int().nonnegative().optional(),
  /** pgbench clients aborted (never reconnected), e.g. by a scheduled event stopping a pooler process. */
  max_aborted_clients: z.number().int().nonnegative().optional(),
  min_tps: z.number().positive().optional(),
  max_p99_ms: z.number().positive().optional(),
  ...costGateFields,
  /** Per scheduled event, by its index: `{ "events[0]": { max_outage_ms: 1500 } }` (src/matrix/event-gates.ts). */
  events: eventGatesSchema.optional(),
});
export type Gates = z.infer<typeof gatesSchema>;

/** What gatesFor reads of a matrix (a MatrixSpec has it). */
interface GatedSpec {
  gates?: Gates;
  configs: readonly { name: string; gates?: Gates }[];
  workloads: readonly (string | { name: string; gates?: Gates })[];
}

/**
 * The gates that apply to one config × workload: the matrix-wide ones, overridden key by key by
 * the config's, then by the workload's (the most specific wins).
 */
export function gatesFor(spec: GatedSpec, config: string, workload: string): Gates {
  const c = spec.configs.find((x) => x.name === config);
  const w = spec.workloads.find((x) => typeof x !== 'string' && x.name === workload);
  const wg = w && typeof w !== 'string' ? (w.gates ?? {}) : {};
  const merged = { ...spec.gates, ...(c?.gates ?? {}), ...wg };
  // Event gates merge per event, then per limit: a config's gate on events[1] keeps the matrix's on events[0].
  const events: EventGates = {};
  for (const g of [spec.gates?.events, c?.gates?.events, wg.events])
    for (const [k, v] of Object.entries(g ?? {})) events[k] = { ...events[k], ...v };
  return Object.keys(events).length > 0 ? { ...merged, events } : merged;
}
