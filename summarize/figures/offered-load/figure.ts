import { loadRows, rateShortfall } from '../../model/offered-load.js';
import type { Row } from '../../model/row.js';
import { reportRows } from '../../model/tenant-template.js';
import type { Figure } from '../figure.js';
import { LOAD_CSV } from './csv.js';
import { offeredLoadMethod } from './method.js';
import { offeredLoadJobs } from './plots.js';
import { profilesTable } from './profiles-table.js';
import { loadTable } from './table.js';

/**
 * Offered against achieved load for rate-limited workloads (pgbench -R): one row per rate axis
 * value or profile segment (the model's `load` figures), whether the config served the rate, the
 * knee and profile plots, and the warning of a rate not met.
 */
export const offeredLoadFigure: Figure<Row> = {
  id: 'offered-load',
  section: { id: 'offered-load', title: 'Offered load' },
  applies: (ctx) => ctx.rows.some((r) => r.load),
  rows: (ctx) => loadRows(reportRows(ctx.rows)),
  tables: [loadTable, profilesTable],
  csv: (ctx) => (ctx.rows.some((r) => r.load) ? [...LOAD_CSV] : []),
  plots: (ctx) => offeredLoadJobs(reportRows(ctx.rows)),
  warnings: (row) => {
    const shortfall = row.load ? rateShortfall(row.load) : undefined;
    return shortfall
      ? [
          {
            kind: 'rate-not-met',
            message: shortfall,
            hint: 'Read the offered-load table: the knee is the highest rate still met. Lower the rate or give the config more capacity (pool size, clients).',
          },
        ]
      : [];
  },
  method: (_ctx, rows) => offeredLoadMethod(rows),
};
