import { WAIT_SHARE } from '../../model/clients.js';
import { fmtInt, fmtMs } from '../../model/format.js';
import type { Row, WarningDraft } from '../../model/row.js';

/** A closed-loop row whose latency does not speak for every client: said, with what to do instead. */
export function clientWarnings(row: Row): WarningDraft[] {
  const c = row.clients;
  if (!c || c.latencyCoversAll) return [];
  const waited = row.sampling?.maxwaitMsPeak;
  const parts = [
    c.starvedMax > 0
      ? `${fmtInt(c.starvedMax)} of ${fmtInt(c.clients)} clients starved (in ${c.starvedReps} of ${c.reps} rep${c.reps === 1 ? '' : 's'}; ${fmtInt(c.servedMin)} completed at least one transaction)`
      : undefined,
    row.sampling?.clWaitingPeak
      ? `PgBouncer's cl_waiting peaked at ${fmtInt(row.sampling.clWaitingPeak)}`
      : undefined,
    waited !== undefined && waited > 0 ? `maxwait at ${fmtMs(waited)} ms` : undefined,
  ].filter(Boolean);
  return [
    {
      kind: 'clients-starved',
      message: `${parts.join(', ')}: the closed-loop latency percentiles cover the transactions of the clients that were served, not the wait of the others (a waiting client adds one late transaction or none)`,
      hint: `Read the fairness table. A rate-limited run (rate:) measures the wait: pgbench's latency then includes the schedule lag. Otherwise give the pool as many server connections as clients, or pool per transaction. (Threshold: any starved client, or maxwait above ${WAIT_SHARE * 100} % of the cell.)`,
    },
  ];
}
