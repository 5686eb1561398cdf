import { TIMELINE_BIN_MS } from '../../../src/pgbench/timeline.js';
import type { OutageRow } from './rows.js';

/** FINDINGS.md's method lines for the outage table: how each number is made, and what pgbench cannot do. */
export function outageMethod(rows: readonly OutageRow[]): string[] {
  if (rows.length === 0) return [];
  const gapMin = rows.find((r) => r.o.timeline)?.o.gapMinMs;
  const lines = [
    `Outages (docs/outage.md): each cell with events records when every transaction completed or failed, to the ms (timeline.json, ${TIMELINE_BIN_MS} ms bins plus every gap${gapMin === undefined ? '' : ` of ${gapMin} ms or more`} between consecutive completions), and the moment each "client N aborted" or failed-connection line of pgbench's stderr arrived (pgbench stamps neither). An event's failures, aborts and connection errors are counted from the moment it was sent to the next event of the cell, or the cell's end.`,
    'Longest gap: the longest stretch with no completed transaction of any client overlapping that window; "(to end)" when nothing completed after it. Longest wait: the longest latency of a transaction that completed from the event to 1 s after its gap ended: a PAUSE shows there, as latency, not as failures.',
    'TPS back within 10 %: 1 s windows from the event in 250 ms steps; the event dipped when a window starting within 2 s of it fell below 90 % of the mean TPS over up to 3 s before it (not reaching back past the previous event), and was back at the start of the first later window at or above 90 % that starts at or after the gap ended (a window overlapping the gap is not back). An event the next one followed within 1 s is not judged on its own. The verdict carries no number of its own: each is a column of the row.',
    'pgbench does not reconnect a client whose connection failed or was closed: it aborts it, and it stays lost for the rest of the cell. TPS after an abort is what the clients left carried, so "not back" may mean fewer clients, not a slower path. `--max-tries` (pgbench 15) retries only serialization and deadlock failures, never a lost connection; `clients_per_pgbench` (docs/many-clients.md) splits the clients over several pgbench processes, which does not reconnect them either but keeps the others running when one process exits.',
  ];
  return lines.map((l) => `- ${l}`);
}
