import type { EventGate } from '../../src/matrix/event-gates.js';
import type { GateFailure, GateReport } from './gates.js';
import { scopedGates } from './gates.js';
import type { EventOutage, UnsentEvent } from './outage.js';

/** The event gates (src/matrix/event-gates.ts) and the outage figure each one limits. */
const EVENT_GATES = [
  ['max_outage_ms', 'longest gap with no completed transaction (ms)'],
  ['max_failed_transactions', 'failed transactions'],
  ['max_aborted_clients', 'clients aborted'],
] as const;
type EventGateName = (typeof EVENT_GATES)[number][0];

/** The gate's value for an outage; undefined when it was not measured (no ms timeline). */
function gateValue(o: EventOutage, gate: EventGateName): number | undefined {
  // Aborted clients come from pgbench's stderr, which every cell records.
  if (gate === 'max_aborted_clients') return o.aborted;
  if (gate === 'max_failed_transactions') return o.timeline ? o.failed : undefined;
  // No listed gap: the longest stretch was shorter than the gaps listed, so below gapMinMs.
  return o.timeline ? (o.gapMs ?? 0) : undefined;
}

type Cellish = Pick<EventOutage, 'cellId' | 'config' | 'workload' | 'concurrency' | 'rep' | 'label'> & {
  matrixIndex?: number;
};

const groupOf = (o: Cellish) => ({ config: o.config, workload: o.workload, concurrency: o.concurrency });

function gatesOf(o: Cellish, effective: Record<string, unknown> | undefined) {
  const gates = scopedGates(effective, o.config, o.workload).events as Record<string, EventGate> | undefined;
  return gates && Object.keys(gates).length > 0 ? gates : undefined;
}

/** Gated events exist, but which one this is cannot be told: it is not let through unchecked. */
function unmatched(o: Cellish): GateFailure {
  return {
    gate: 'max_outage_ms',
    group: groupOf(o),
    cellId: o.cellId,
    limit: Number.NaN,
    value: Number.NaN,
    message: `${o.cellId}: ${o.label} cannot be matched to an entry of events:, so its event gates cannot pass`,
  };
}

/** The failures of one fired event against its gate. */
function outageFailures(
  o: EventOutage,
  event: string,
  g: EventGate,
): { checked: number; failures: GateFailure[] } {
  const where = `${o.config} / ${o.workload} / ${o.concurrency} clients, rep ${o.rep}: ${event} (${o.label} at ${o.atS.toFixed(2)} s)`;
  const failures: GateFailure[] = [];
  let checked = 0;
  for (const [gate, what] of EVENT_GATES) {
    const limit = g[gate];
    if (limit === undefined) continue;
    checked++;
    const value = gateValue(o, gate);
    const base = { gate, group: groupOf(o), event, cellId: o.cellId, limit };
    if (value === undefined)
      failures.push({
        ...base,
        value: Number.NaN,
        message: `${where}: ${what} not measured (${o.recovery.why ?? 'the cell has no ms timeline'}), ${gate} = ${limit} cannot pass`,
      });
    else if (value > limit)
      failures.push({ ...base, value, message: `${where}: ${what} ${value} breaks ${gate} = ${limit}` });
  }
  return { checked, failures };
}

/** A gated event that was never sent in a cell (pgbench ended first, or its action failed to start). */
function unsentFailures(u: UnsentEvent, event: string, g: EventGate): GateFailure[] {
  const where = `${u.config} / ${u.workload} / ${u.concurrency} clients, rep ${u.rep}: ${event} (${u.label})`;
  return EVENT_GATES.flatMap(([gate]) => {
    const limit = g[gate];
    if (limit === undefined) return [];
    return [
      {
        gate,
        group: groupOf(u),
        event,
        cellId: u.cellId,
        limit,
        value: Number.NaN,
        message: `${where}: ${u.why}, so ${gate} = ${limit} was never checked: a gate nobody could check has not passed`,
      },
    ];
  });
}

/**
 * Checks each event's outage, in every cell it fired in, against the gates of its event
 * (`gates.events["events[i]"]`, matrix-wide, the config's, the workload's). An outage that could
 * not be measured fails the gate, and so does a gated event a cell never sent (`unsent`): a gate
 * nobody could check has not passed.
 */
export function evaluateEventGates(
  outages: readonly EventOutage[],
  effective: Record<string, unknown> | undefined,
  unsent: readonly UnsentEvent[] = [],
): GateReport {
  const failures: GateFailure[] = [];
  let checked = 0;
  for (const o of [...outages, ...unsent]) {
    const gates = gatesOf(o, effective);
    if (!gates) continue;
    if (o.matrixIndex === undefined) {
      checked++;
      failures.push(unmatched(o));
      continue;
    }
    const event = `events[${o.matrixIndex}]`;
    const g = gates[event];
    if (!g) continue;
    if ('why' in o) {
      const f = unsentFailures(o, event, g);
      checked += f.length;
      failures.push(...f);
      continue;
    }
    const r = outageFailures(o, event, g);
    checked += r.checked;
    failures.push(...r.failures);
  }
  return { checked, failures };
}
