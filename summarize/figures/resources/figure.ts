import type { Row } from '../../model/row.js';
import type { Figure } from '../figure.js';
import { plottedWorkloads } from '../throughput/figure.js';
import { resourceCsv } from './csv.js';
import { resourcePlots } from './plots.js';
import { resourceTable } from './table.js';
import { backendsRule, cpuRule, memoryRule } from './tldr.js';

/** What the samplers saw while the cells ran: server backends, pooler queues, PSS, RSS and CPU per component. */
export const resourcesFigure: Figure<Row> = {
  id: 'resources',
  applies: (ctx) => ctx.rows.some((r) => r.sampling),
  rows: (ctx) => ctx.rows.filter((r) => r.sampling),
  tables: [resourceTable],
  csv: (ctx) => resourceCsv(ctx.rows),
  plots: (ctx) => resourcePlots(ctx.rows, plottedWorkloads(ctx.rows)),
  tldr: (ctx) => [...cpuRule(ctx), ...backendsRule(ctx), ...memoryRule(ctx)],
};
