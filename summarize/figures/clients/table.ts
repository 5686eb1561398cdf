import { STARVED_FRACTION } from '../../../src/pgbench/clients.js';
import { fixed, fmtInt, fmtMs, isNum, MISSING } from '../../model/format.js';
import type { Row } from '../../model/row.js';
import { WAIT_SHARE } from './rows.js';

/** The caption above a fairness table: what each column is, and where waiting is seen. */
export const FAIRNESS_CAPTION =
  "Clients: from each cell's per-transaction log, every client told apart by pgbench process and client_id. " +
  'Served: clients that completed at least one transaction (the fewest of any rep). Starved: clients that completed none, or fewer than ' +
  `${STARVED_FRACTION * 100} % of the typical client's transactions (Σx²/Σx; the most of any rep). Transactions per client: min, p10, median, max (nearest rank, zeros included) of the least fair rep. ` +
  "Jain's index (Σx)²/(n·Σx²) over all clients: 1 = equal, 1/n = one client did everything (mean over reps, and the least fair rep). " +
  "cl_waiting and maxwait are PgBouncer's admin console (SHOW POOLS peaks): a config without one (direct, a proxy such as pgpool-II, whose clients queue in the kernel's accept backlog) shows none, and the per-client columns are the evidence. " +
  `Latency for all: no: some clients starved or waited longer than ${WAIT_SHARE * 100} % of the cell, so the closed-loop percentiles speak only for the served clients.`;

/** The table's columns; the same in FINDINGS.md and report.html. */
export const FAIRNESS_COLUMNS = [
  'config',
  'clients',
  'served',
  'starved',
  'tx/client min',
  'p10',
  'median',
  'max',
  "Jain's index (mean)",
  "Jain's index (least fair rep)",
  'cl_waiting (peak)',
  'maxwait (ms, peak)',
  'latency for all',
] as const;

/** One table cell: its text, and the summary.json field (under the row) and value it shows, if any. */
export interface FairnessCell {
  text: string;
  path?: string;
  value?: number;
}

const int = (path: string, v: number | undefined): FairnessCell => ({
  text: fmtInt(v),
  path,
  ...(isNum(v) ? { value: v } : {}),
});
const index = (path: string, v: number | undefined): FairnessCell => ({
  text: isNum(v) ? fixed(v, 3) : MISSING,
  path,
  ...(isNum(v) ? { value: v } : {}),
});

/** The rows of one workload that have per-client figures, as cells in FAIRNESS_COLUMNS' order. */
export function fairnessCells(rows: readonly Row[], workload: string): { row: Row; cells: FairnessCell[] }[] {
  return rows
    .filter((r) => r.workload === workload && r.clients)
    .map((r) => {
      const c = r.clients as NonNullable<Row['clients']>;
      const s = r.sampling;
      return {
        row: r,
        cells: [
          { text: r.config },
          int('concurrency', r.concurrency),
          int('clients/servedMin', c.servedMin),
          int('clients/starvedMax', c.starvedMax),
          int('clients/perClient/min', c.perClient.min),
          int('clients/perClient/p10', c.perClient.p10),
          int('clients/perClient/median', c.perClient.median),
          int('clients/perClient/max', c.perClient.max),
          index('clients/jainMean', c.jainMean),
          index('clients/jainMin', c.jainMin),
          int('sampling/clWaitingPeak', s?.clWaitingPeak),
          {
            text: fmtMs(s?.maxwaitMsPeak),
            path: 'sampling/maxwaitMsPeak',
            ...(isNum(s?.maxwaitMsPeak) ? { value: s.maxwaitMsPeak } : {}),
          },
          { text: c.latencyCoversAll ? 'yes' : 'no' },
        ],
      };
    });
}

/** FINDINGS.md's fairness table of one workload, or undefined when no row has per-client figures. */
export function fairnessMarkdown(
  rows: readonly Row[],
  workload: string,
  table: (header: string[], align: ('l' | 'r')[], body: string[][]) => string,
): string | undefined {
  const rs = fairnessCells(rows, workload);
  if (rs.length === 0) return undefined;
  const header = [...FAIRNESS_COLUMNS];
  const align = header.map((h) => (h === 'config' || h === 'latency for all' ? 'l' : 'r'));
  return table(
    header,
    align,
    rs.map((r) => r.cells.map((c) => c.text)),
  );
}
