import type { Row } from '../../model/row.js';
import { reportRows } from '../../model/tenant-template.js';
import type { Figure } from '../figure.js';
import { throughputCsv } from './csv.js';
import { throughputPlots } from './plots.js';
import { resultsTable, terminalTable, workloadTable } from './tables.js';
import {
  abortedTpsRule,
  comparisonRule,
  failedCellsRule,
  failedTransactionsRule,
  noiseRule,
  noneSupportedRule,
  saturationRule,
} from './tldr.js';

/** Workloads plotted against clients: a rate value or profile segment is plotted against offered load instead. */
export function plottedWorkloads(rows: readonly Row[]): string[] {
  return [...new Set(rows.filter((r) => r.load === undefined).map((r) => r.workload))];
}

/** Throughput and latency per workload: TPS over reps, merged-histogram percentiles, the ratio to the baseline. */
export const throughputFigure: Figure<Row> = {
  id: 'throughput',
  section: { id: 'results', title: 'Results' },
  applies: (ctx) => ctx.rows.length > 0,
  // A `tenant: each` template's copies are its one row here; summary.csv lists them (csv below).
  rows: (ctx) => reportRows(ctx.rows),
  tables: [workloadTable, resultsTable, terminalTable],
  csv: (ctx) => throughputCsv(ctx.rows),
  plots: (ctx) => throughputPlots(reportRows(ctx.rows), plottedWorkloads(ctx.rows)),
  tldr: (ctx) => [
    ...failedCellsRule(ctx),
    ...comparisonRule(ctx),
    ...noneSupportedRule(ctx),
    ...abortedTpsRule(ctx),
    ...failedTransactionsRule(ctx),
    ...saturationRule(ctx),
    ...noiseRule(ctx),
  ],
};
