import type { EventGate } from '../../src/matrix/event-gates.js';
import type { GateFailure, GateReport } from './gates.js';
import { scopedGates } from './gates.js';
import type { EventOutage } from './outage.js';

/** The event gates (src/matrix/event-gates.ts) and the outage figure each one limits. */
const EVENT_GATES = [
  ['max_outage_ms', 'longest gap with no completed transaction (ms)'],
  ['max_failed_transactions', 'failed transactions'],
] as const;

/** The gate's value for an outage; undefined when it was not measured (no ms timeline). */
function gateValue(o: EventOutage, gate: (typeof EVENT_GATES)[number][0]): number | undefined {
  if (gate === 'max_failed_transactions') return o.timeline ? o.failed : undefined;
  // No listed gap: the longest stretch was shorter than the gaps listed, so below gapMinMs.
  return o.timeline ? (o.gapMs ?? 0) : undefined;
}

/**
 * Checks each event's outage, in every cell it fired in, against the gates of its event
 * (`gates.events["events[i]"]`, matrix-wide, the config's, the workload's). An outage that could
 * not be measured fails the gate: a gate nobody could check has not passed.
 */
export function evaluateEventGates(
  outages: readonly EventOutage[],
  effective: Record<string, unknown> | undefined,
): GateReport {
  const failures: GateFailure[] = [];
  let checked = 0;
  for (const o of outages) {
    const gates = scopedGates(effective, o.config, o.workload).events as
      | Record<string, EventGate>
      | undefined;
    if (!gates || Object.keys(gates).length === 0) continue;
    const group = { config: o.config, workload: o.workload, concurrency: o.concurrency };
    if (o.matrixIndex === undefined) {
      // Gated events exist, but which one this is cannot be told: it is not let through unchecked.
      checked++;
      failures.push({
        gate: 'max_outage_ms',
        group,
        cellId: o.cellId,
        limit: Number.NaN,
        value: Number.NaN,
        message: `${o.cellId}: ${o.label} cannot be matched to an entry of events:, so its event gates cannot pass`,
      });
      continue;
    }
    const event = `events[${o.matrixIndex}]`;
    const g = gates[event];
    if (!g) continue;
    const where = `${o.config} / ${o.workload} / ${o.concurrency} clients, rep ${o.rep}: ${event} (${o.label} at ${o.atS.toFixed(2)} s)`;
    for (const [gate, what] of EVENT_GATES) {
      const limit = g[gate];
      if (limit === undefined) continue;
      checked++;
      const value = gateValue(o, gate);
      const base = { gate, group, event, cellId: o.cellId, limit };
      if (value === undefined)
        failures.push({
          ...base,
          value: Number.NaN,
          message: `${where}: ${what} not measured (the cell has no ms timeline), ${gate} = ${limit} cannot pass`,
        });
      else if (value > limit)
        failures.push({ ...base, value, message: `${where}: ${what} ${value} breaks ${gate} = ${limit}` });
    }
  }
  return { checked, failures };
}
