import type { Row } from '../../model/row.js';
import type { Figure } from '../figure.js';
import { plottedWorkloads } from '../throughput/figure.js';
import { resourcePlots } from './plots.js';

/** What the samplers saw while the cells ran: server backends, pooler queues, PSS, RSS and CPU per component. */
export const resourcesFigure: Figure<Row> = {
  id: 'resources',
  applies: (ctx) => ctx.rows.some((r) => r.sampling),
  rows: (ctx) => ctx.rows.filter((r) => r.sampling),
  tables: [],
  plots: (ctx) => resourcePlots(ctx.rows, plottedWorkloads(ctx.rows)),
};
