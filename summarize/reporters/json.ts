import { cancelJsonSection } from '../figures/cancel-check/figure.js';
import { costJsonSection } from '../figures/cost/columns.js';
import { CLIENTS_RULES } from '../model/clients.js';
import type { RenderOptions } from '../model/report-options.js';
import { DEFAULT_THRESHOLDS, type Row } from '../model/row.js';
import { RULES } from '../model/rules.js';
import { reportRows } from '../model/tenant-template.js';

export const SUMMARY_SCHEMA = 'bench-summary/1';

/** Totals over all rows: the figures FINDINGS.md quotes for the run as a whole. */
export function totals(all: readonly Row[], options: RenderOptions) {
  // A mix's group rows are parts of its total row: cells and transactions are counted once, through
  // the total; `groups` (and the noisy ones) count the rows the tables show, group rows included, a
  // `tenant: each` template once (its copies are in `rows`, not in the tables: model/tenant-template.ts).
  const rows = all.filter((r) => r.group === undefined);
  const shown = reportRows(all);
  const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    groups: shown.length,
    cellsCompleted: sum((r) => r.repsCompleted),
    cellsFailed: sum((r) => r.failedCells.length),
    cellsSkipped: sum((r) => r.skippedCells.length),
    transactions: sum((r) => r.processed),
    failedTransactions: sum((r) => r.failedTransactions),
    connectionErrors: sum((r) => r.connectionErrors),
    warnings: options.warnings.length,
    /** Groups whose CV of TPS over reps is above thresholds.cv (the TL;DR's noise sentence). */
    groupsNoisy: shown.filter((r) => r.tps.n >= 2 && r.tps.cv > (options.thresholds ?? DEFAULT_THRESHOLDS).cv)
      .length,
    /** Cells whose prepared list records the runner's isolation check (0: an older bench, not checked). */
    cellsIsolationChecked: sum((r) => r.isolation?.cellsChecked ?? 0),
    /** Of those, cells that found client backends of other configs before they ran. */
    cellsWithForeignBackends: sum((r) => r.isolation?.cellsWithForeign ?? 0),
  };
}

/**
 * summary.json: every figure of every row (per-rep samples included), the warnings, the gates and
 * the run metadata. Figures that do not exist are null (JSON has no NaN).
 */
export function json(rows: readonly Row[], options: RenderOptions): string {
  const doc = {
    schema: SUMMARY_SCHEMA,
    meta: options.meta ?? null,
    baseline: options.baseline ?? null,
    thresholds: options.thresholds ?? null,
    // The per-client rules join when a row has per-client figures (runs of an older bench have none).
    rules: rows.some((r) => r.clients) ? { ...RULES, clients: CLIENTS_RULES } : RULES,
    totals: totals(rows, options),
    rows,
    warnings: options.warnings,
    gates: options.gates ?? null,
    // Only runs with cost cells have the section, so a run without them reads as it always did.
    ...(options.cost && options.cost.length > 0 ? { cost: costJsonSection(options.cost) } : {}),
    // Only in runs with setting sweeps: the knee sentences point here (summarize/figures/sweep/sentences.ts).
    ...(options.sweeps && options.sweeps.length > 0 ? { sweeps: options.sweeps } : {}),
    // Only in runs whose cells sent events: the outage table's numbers point here (figures/outage).
    ...(options.outages && options.outages.length > 0 ? { outages: options.outages } : {}),
    // Only in runs whose cells ran the cancel check: the cancel table's and notes' numbers point here.
    ...(options.cancelChecks && options.cancelChecks.length > 0
      ? { cancelChecks: cancelJsonSection(options.cancelChecks) }
      : {}),
  };
  return `${JSON.stringify(doc, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
