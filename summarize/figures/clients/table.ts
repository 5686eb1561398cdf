import { STARVED_FRACTION } from '../../../src/pgbench/clients.js';
import { WAIT_SHARE } from '../../model/clients.js';
import { fixed, fmtInt, fmtMs, isNum, MISSING } from '../../model/format.js';
import type { ClientRowFigures, Row } from '../../model/row.js';
import { numberColumn } from '../columns.js';
import type { Column, FigureContext, Table } from '../figure.js';

/** The caption above a fairness table: what each column is, and where waiting is seen. */
export const FAIRNESS_CAPTION =
  "Clients: from each cell's per-transaction log, every client told apart by pgbench process and client_id. " +
  'Served: clients that completed at least one transaction (the fewest of any rep). Starved: clients that completed none, or fewer than ' +
  `${STARVED_FRACTION * 100} % of the typical client's transactions (Σx²/Σx; the most of any rep). Transactions per client: min, p10, median, max (nearest rank, zeros included) of the least fair rep. ` +
  "Jain's index (Σx)²/(n·Σx²) over all clients: 1 = equal, 1/n = one client did everything (mean over reps, and the least fair rep). " +
  "cl_waiting and maxwait are PgBouncer's admin console (SHOW POOLS peaks): a config without one (direct, a proxy such as pgpool-II, whose clients queue in the kernel's accept backlog) shows none, and the per-client columns are the evidence. " +
  `Latency for all: **no** when some clients starved or waited longer than ${WAIT_SHARE * 100} % of the cell: the closed-loop percentiles then speak only for the served clients. "Rate too low to tell": a rate-limited cell that offered the typical client fewer than ${1 / STARVED_FRACTION} transactions, so a client with none may have had none scheduled.`;

const c = (r: Row) => r.clients as ClientRowFigures;
const index = (x: number | undefined) => (isNum(x) ? fixed(x, 3) : MISSING);

function columns(rows: readonly Row[], ctx: FigureContext): Column<Row>[] {
  const n = (header: string, path: string, get: (r: Row) => number | undefined, f: (x?: number) => string) =>
    numberColumn(header, get, f, (r) => `/rows/${ctx.rows.indexOf(r)}/${path}`);
  // A mix's groups (docs/tenants.md): which group a row is, only in runs that have one.
  const groups = rows.some((r) => r.group !== undefined);
  return [
    { header: 'config', align: 'left', text: (r) => r.config },
    n('clients', 'concurrency', (r) => r.concurrency, fmtInt),
    ...(groups ? [{ header: 'group', align: 'left' as const, text: (r: Row) => r.group ?? 'total' }] : []),
    n('served', 'clients/servedMin', (r) => c(r).servedMin, fmtInt),
    {
      ...n('starved', 'clients/starvedMax', (r) => c(r).starvedMax, fmtInt),
      // A rate too low for the typical client to have 10 transactions: zeros are the schedule's.
      text: (r) =>
        `${fmtInt(c(r).starvedMax)}${c(r).tooFewToTell && c(r).starvedMax > 0 ? ' (rate too low to tell)' : ''}`,
    },
    n('tx/client min', 'clients/perClient/min', (r) => c(r).perClient.min, fmtInt),
    n('p10', 'clients/perClient/p10', (r) => c(r).perClient.p10, fmtInt),
    n('median', 'clients/perClient/median', (r) => c(r).perClient.median, fmtInt),
    n('max', 'clients/perClient/max', (r) => c(r).perClient.max, fmtInt),
    n("Jain's index (mean)", 'clients/jainMean', (r) => c(r).jainMean, index),
    n("Jain's index (least fair rep)", 'clients/jainMin', (r) => c(r).jainMin, index),
    n('cl_waiting (peak)', 'sampling/clWaitingPeak', (r) => r.sampling?.clWaitingPeak, fmtInt),
    n('maxwait (ms, peak)', 'sampling/maxwaitMsPeak', (r) => r.sampling?.maxwaitMsPeak, fmtMs),
    {
      header: 'latency for all',
      align: 'left',
      text: (r) => (c(r).latencyCoversAll ? 'yes' : 'no'),
      strong: (r) => !c(r).latencyCoversAll,
    },
  ];
}

/** The fairness table: one line per group with per-client figures, in each workload's section. */
export const fairnessTable: Table<Row> = {
  id: 'clients-table',
  in: ['findings', 'html'],
  perWorkload: (r) => r.workload,
  columns,
  caption: () => FAIRNESS_CAPTION,
  rowIndex: (r, ctx) => ctx.rows.indexOf(r),
};
