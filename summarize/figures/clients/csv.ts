import type { Row } from '../../model/row.js';

/** summary.csv's per-client columns, appended when a row has per-client figures or PgBouncer's maxwait. */
export const CLIENTS_CSV_HEADER = [
  'maxwait_peak_ms',
  'clients_served_min',
  'clients_starved_max',
  'clients_starved_reps',
  'tx_per_client_min',
  'tx_per_client_p10',
  'tx_per_client_median',
  'tx_per_client_max',
  'jain_fairness_mean',
  'jain_fairness_min',
  'latency_covers_all_clients',
];

export function hasClientColumns(rows: readonly Row[]): boolean {
  return rows.some((r) => r.clients !== undefined || r.sampling?.maxwaitMsPeak !== undefined);
}

/** One row's values in CLIENTS_CSV_HEADER's order (`n`: the CSV number formatter). */
export function clientsCsvCells(r: Row, n: (x: number | undefined, decimals: number) => string): string[] {
  const c = r.clients;
  return [
    n(r.sampling?.maxwaitMsPeak, 3),
    n(c?.servedMin, 0),
    n(c?.starvedMax, 0),
    n(c?.starvedReps, 0),
    n(c?.perClient.min, 0),
    n(c?.perClient.p10, 0),
    n(c?.perClient.median, 0),
    n(c?.perClient.max, 0),
    n(c?.jainMean, 4),
    n(c?.jainMin, 4),
    c ? String(c.latencyCoversAll) : '',
  ];
}
