import { csvNumber as n } from '../../model/format.js';
import type { ClientRowFigures, Row } from '../../model/row.js';
import type { CsvColumn } from '../figure.js';

function col(name: string, value: (c: ClientRowFigures) => string): CsvColumn {
  return { name, value: (r) => (r.clients ? value(r.clients) : '') };
}

/** summary.csv's per-client columns (present only when a row has per-client figures). */
export const CLIENTS_CSV: readonly CsvColumn[] = [
  col('clients_served_min', (c) => n(c.servedMin, 0)),
  col('clients_starved_max', (c) => n(c.starvedMax, 0)),
  col('clients_starved_reps', (c) => n(c.starvedReps, 0)),
  col('tx_per_client_min', (c) => n(c.perClient.min, 0)),
  col('tx_per_client_p10', (c) => n(c.perClient.p10, 0)),
  col('tx_per_client_median', (c) => n(c.perClient.median, 0)),
  col('tx_per_client_max', (c) => n(c.perClient.max, 0)),
  col('jain_fairness_mean', (c) => n(c.jainMean, 4)),
  col('jain_fairness_min', (c) => n(c.jainMin, 4)),
  col('latency_covers_all_clients', (c) => String(c.latencyCoversAll)),
];

/** PgBouncer's maxwait peak, unless the offered-load columns already carry it. */
export const MAXWAIT_CSV: CsvColumn = {
  name: 'maxwait_ms_peak',
  value: (r: Row) => n(r.sampling?.maxwaitMsPeak, 3),
};
