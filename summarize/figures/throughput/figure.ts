import type { Row } from '../../model/row.js';
import type { Figure } from '../figure.js';
import { throughputPlots } from './plots.js';

/** Workloads plotted against clients: a rate value or profile segment is plotted against offered load instead. */
export function plottedWorkloads(rows: readonly Row[]): string[] {
  return [...new Set(rows.filter((r) => r.load === undefined).map((r) => r.workload))];
}

/** Throughput and latency per workload: TPS over reps, merged-histogram percentiles, the ratio to the baseline. */
export const throughputFigure: Figure<Row> = {
  id: 'throughput',
  applies: (ctx) => ctx.rows.length > 0,
  rows: (ctx) => [...ctx.rows],
  tables: [],
  plots: (ctx) => throughputPlots(ctx.rows, plottedWorkloads(ctx.rows)),
};
