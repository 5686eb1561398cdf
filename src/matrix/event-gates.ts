import { z } from 'zod';
import { splitTarget } from './events.js';

/**
 * Gates on the outage of one scheduled event (docs/outage.md), checked by summarize on each
 * event's outage: `gates: { events: { "events[2]": { max_outage_ms: 1500, max_failed_transactions: 0, max_aborted_clients: 0 } } }`.
 * The key names the event by its index in the matrix's `events:` list; like the other gates they
 * may be matrix-wide, per config (only events of that config) or per workload.
 */
export const eventGateSchema = z.strictObject({
  /** The longest stretch with no completed transaction around the event, ms. */
  max_outage_ms: z.number().nonnegative().optional(),
  /** Failed transactions from the event to the next event of the cell (or the cell's end). */
  max_failed_transactions: z.number().int().nonnegative().optional(),
  /**
   * Clients pgbench aborted in the same window: pgbench aborts a client whose connection broke
   * rather than count a failed transaction, so `max_failed_transactions: 0` alone passes a cell
   * that lost every client.
   */
  max_aborted_clients: z.number().int().nonnegative().optional(),
});
export type EventGate = z.infer<typeof eventGateSchema>;

const KEY = /^events\[(\d+)\]$/;

/** Keys are checked by eventGateIssues, which can say what was expected (a record's key regex cannot). */
export const eventGatesSchema = z.record(z.string(), eventGateSchema);
export type EventGates = z.infer<typeof eventGatesSchema>;

/** `events[2]` -> 2. */
export function eventGateIndex(key: string): number | undefined {
  const m = KEY.exec(key);
  return m ? Number(m[1]) : undefined;
}

interface GateScopes {
  gates?: { events?: EventGates };
  configs: readonly { name: string; gates?: { events?: EventGates } }[];
  workloads: readonly (string | { name: string; gates?: { events?: EventGates } })[];
  events: readonly { target: string }[];
}

export interface EventGateIssue {
  path: (string | number)[];
  message: string;
}

/** Every `gates.events` of the matrix, where it is written and the config it is scoped to. */
function scopes(spec: GateScopes) {
  const out: { path: (string | number)[]; gates: EventGates; config?: string }[] = [];
  if (spec.gates?.events) out.push({ path: ['gates', 'events'], gates: spec.gates.events });
  spec.configs.forEach((c, i) => {
    if (c.gates?.events)
      out.push({ path: ['configs', i, 'gates', 'events'], gates: c.gates.events, config: c.name });
  });
  spec.workloads.forEach((w, i) => {
    if (typeof w !== 'string' && w.gates?.events)
      out.push({ path: ['workloads', i, 'gates', 'events'], gates: w.gates.events });
  });
  return out;
}

/**
 * A gate must name an event the matrix has, and a config's gate an event of that config (the
 * other configs' events never happen in its cells). `baseOf` maps an expanded config name
 * (`pgb-w2`) to the one written (`pgb`). Pure.
 */
export function eventGateIssues(spec: GateScopes, baseOf: (config: string) => string): EventGateIssue[] {
  const issues: EventGateIssue[] = [];
  for (const s of scopes(spec)) {
    for (const key of Object.keys(s.gates)) {
      const i = eventGateIndex(key);
      const path = [...s.path, key];
      if (i === undefined) {
        issues.push({
          path,
          message: `an event as events[i], its index in the matrix's events: list, got "${key}"`,
        });
        continue;
      }
      const e = spec.events[i];
      if (!e) {
        const n = spec.events.length;
        issues.push({
          path,
          message: `an event of the matrix (events has ${n === 0 ? 'none' : `events[0] to events[${n - 1}]`})`,
        });
        continue;
      }
      const target = splitTarget(e.target).config;
      if (s.config !== undefined && target !== s.config && baseOf(target) !== s.config)
        issues.push({ path, message: `an event of ${s.config} (${key} targets ${e.target})` });
    }
  }
  return issues;
}

/**
 * The gates re-keyed to the events that are kept (`--configs` drops the others' events, so their
 * indices move): `kept[i]` is the matrix index of the i-th event kept. Gates of dropped events go.
 */
export function reindexEventGates(
  gates: EventGates | undefined,
  kept: readonly number[],
): EventGates | undefined {
  if (!gates) return undefined;
  const out: EventGates = {};
  for (const [key, g] of Object.entries(gates)) {
    const j = kept.indexOf(eventGateIndex(key) as number);
    if (j >= 0) out[`events[${j}]`] = g;
  }
  return out;
}
