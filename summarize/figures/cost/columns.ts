import { COST_FIGURES, type CostRow } from '../../model/cost-rows.js';
import { csvNumber } from '../../model/format.js';
import { COST_METHOD } from './format.js';

/** How many functions per cost row summary.json keeps (the records hold at most 40). */
const JSON_FUNCTIONS = 40;

/**
 * One cost row as summary.json holds it: the per-transaction figures under their column names,
 * each with its `_spread_pct`, the per-repeat slopes, the top functions and what failed.
 * `per_connection` says the workload opened a connection per transaction (-C): every figure is
 * then also per connection.
 */
export function costJsonRow(r: CostRow) {
  const figures: Record<string, number | null> = {};
  const perRepeat: Record<string, number[]> = {};
  for (const f of COST_FIGURES) {
    const s = r.figures[f];
    figures[f] = s?.mean ?? null;
    figures[`${f}_spread_pct`] = s?.spreadPct ?? null;
    if (s) perRepeat[f] = s.perRepeat;
  }
  return {
    config: r.config,
    workload: r.workload,
    component: r.component,
    reconnect: r.reconnect,
    per_connection: r.reconnect,
    clients: r.clients,
    transactions: r.transactions,
    processes: r.processes,
    ...figures,
    per_repeat: perRepeat,
    symbolized: r.symbolized ?? null,
    functions: r.functions.slice(0, JSON_FUNCTIONS).map((f) => ({
      fn: f.fn,
      file: f.file ?? null,
      instructions_per_tx: f.instructionsPerTx,
      repeats: f.repeats,
    })),
    failures: r.failures,
  };
}

/** summary.json's `cost` section: its own rows, never mixed into the throughput `rows`. */
export function costJsonSection(rows: readonly CostRow[]) {
  return { method: COST_METHOD, rows: rows.map(costJsonRow) };
}

/** The cost columns of summary.csv (rows with row_kind = cost). */
export const COST_CSV_HEADER = [
  'component',
  'cost_transactions',
  'cost_processes',
  ...COST_FIGURES.flatMap((f) => [f, `${f}_spread_pct`]),
  'cost_repeats',
  'cost_cells_failed',
];

/** A cost row's cells under COST_CSV_HEADER. */
export function costCsvCells(r: CostRow): string[] {
  const repeats = Math.max(0, ...Object.values(r.figures).map((s) => s?.perRepeat.length ?? 0));
  return [
    r.component,
    r.transactions.join(' '),
    String(r.processes),
    ...COST_FIGURES.flatMap((f) => [csvNumber(r.figures[f]?.mean, 3), csvNumber(r.figures[f]?.spreadPct, 4)]),
    String(repeats),
    String(r.failures.length),
  ];
}

/**
 * summary.csv with cost rows: a leading `row_kind` column (throughput | cost) and the cost columns
 * after the throughput ones. A cost row fills only the key columns it shares with the throughput
 * header (config, workload, reconnect, clients) and its own; a throughput row leaves the cost
 * columns empty, so no figure of one kind ever sits in the other's row.
 */
export function withCostRows(table: readonly string[][], cost: readonly CostRow[]): string[][] {
  const [header = [], ...body] = table;
  const shared: Record<string, (r: CostRow) => string> = {
    config: (r) => r.config,
    workload: (r) => r.workload,
    reconnect: (r) => String(r.reconnect),
    clients: (r) => String(r.clients),
  };
  const empty = COST_CSV_HEADER.map(() => '');
  return [
    ['row_kind', ...header, ...COST_CSV_HEADER],
    ...body.map((cells) => ['throughput', ...cells, ...empty]),
    ...cost.map((r) => ['cost', ...header.map((h) => shared[h]?.(r) ?? ''), ...costCsvCells(r)]),
  ];
}
