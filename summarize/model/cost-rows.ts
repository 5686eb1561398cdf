import type { CostCellRecord, CostComponent, CostMethod } from '../../src/results/cost-types.js';
import { type CostStat, costStat, slope } from './cost-slope.js';

/** The per-transaction figures, by their column names in summary.csv / summary.json. */
export const COST_FIGURES = [
  'instructions_per_tx',
  'syscalls_per_tx',
  'context_switches_per_tx',
  'cpu_us_per_tx',
  'page_faults_per_tx',
] as const;
export type CostFigureName = (typeof COST_FIGURES)[number];

/** Where each figure comes from: the method of the cell and the count in its component record. */
export const FIGURE_SOURCE: Record<
  CostFigureName,
  { method: CostMethod; count: (c: CostComponent) => number | undefined }
> = {
  instructions_per_tx: { method: 'valgrind', count: (c) => c.instructions },
  syscalls_per_tx: { method: 'perf', count: (c) => c.syscalls },
  context_switches_per_tx: { method: 'perf', count: (c) => c.contextSwitches },
  cpu_us_per_tx: {
    method: 'perf',
    count: (c) => (c.taskClockMs === undefined ? undefined : c.taskClockMs * 1000),
  },
  page_faults_per_tx: { method: 'perf', count: (c) => c.pageFaults },
};

/** One function's instructions per transaction (the slope of its cachegrind count), mean over repeats. */
export interface CostFunctionRow {
  fn: string;
  file?: string;
  instructionsPerTx: number;
  /** Repeats in which the function was among the recorded top functions of every cell. */
  repeats: number;
}

/** A cost cell that did not give its counts: listed, never averaged. */
export interface CostFailure {
  id: string;
  repeat: number;
  method: CostMethod;
  reason: string;
}

/** One cost row: a (config, workload, component), never mixed with the throughput rows. */
export interface CostRow {
  config: string;
  workload: string;
  component: string;
  /** -C: a new connection per transaction, so each per-transaction figure is also per connection. */
  reconnect: boolean;
  clients: number;
  /** The distinct transaction counts asked, ascending (the slope's x points). */
  transactions: number[];
  /** Most processes counted in one cell (a forking proxy: every child). */
  processes: number;
  figures: Partial<Record<CostFigureName, CostStat>>;
  /** The top functions by instructions per transaction, descending. Empty without valgrind cells. */
  functions: CostFunctionRow[];
  /** false: the binary has no symbols, the functions are addresses. undefined: no valgrind cell. */
  symbolized?: boolean;
  failures: CostFailure[];
}

/** Functions doing less than this per transaction are start-up work that the slope cancelled. */
const MIN_FUNCTION_PER_TX = 0.01;

const rowKey = (config: string, workload: string, component: string) =>
  `${config}\u0000${workload}\u0000${component}`;
const fnKey = (f: { fn: string; file?: string }) => `${f.fn}\u0000${f.file ?? ''}`;

interface Point {
  rec: CostCellRecord;
  comp: CostComponent;
}

/** Per repeat, the slope of `count` over the cells' processed transactions. */
function slopesByRepeat(points: readonly Point[], count: (c: CostComponent) => number | undefined): number[] {
  const byRepeat = new Map<number, [number, number][]>();
  for (const p of points) {
    const y = count(p.comp);
    if (y === undefined) continue;
    byRepeat.set(p.rec.repeat, [...(byRepeat.get(p.rec.repeat) ?? []), [p.rec.processed, y]]);
  }
  return [...byRepeat.entries()].sort(([a], [b]) => a - b).map(([, pts]) => slope(pts));
}

/**
 * Per function, the slope of its count within each repeat, over the cells where it is among the
 * recorded top functions (a function missing from a cell's list has an unknown count there, not
 * zero, so that repeat is left out for it).
 */
function functionRows(points: readonly Point[]): CostFunctionRow[] {
  const byRepeat = new Map<number, Point[]>();
  for (const p of points) byRepeat.set(p.rec.repeat, [...(byRepeat.get(p.rec.repeat) ?? []), p]);
  const acc = new Map<string, { fn: string; file?: string; slopes: number[] }>();
  for (const pts of byRepeat.values()) {
    const names = new Map<string, { fn: string; file?: string }>();
    for (const p of pts) for (const f of p.comp.functions ?? []) names.set(fnKey(f), f);
    for (const [k, f] of names) {
      const xy = pts.flatMap((p) => {
        const hit = p.comp.functions?.find((g) => fnKey(g) === k);
        return hit ? [[p.rec.processed, hit.instructions] as [number, number]] : [];
      });
      if (xy.length < pts.length) continue;
      const s = slope(xy);
      if (!Number.isFinite(s)) continue;
      const a = acc.get(k) ?? { fn: f.fn, ...(f.file !== undefined ? { file: f.file } : {}), slopes: [] };
      a.slopes.push(s);
      acc.set(k, a);
    }
  }
  return (
    [...acc.values()]
      .map(({ slopes, ...f }) => ({ ...f, instructionsPerTx: costStat(slopes).mean, repeats: slopes.length }))
      // Start-up-only functions (the loader, option parsing) have a slope of 0: no work per transaction.
      .filter((f) => Math.abs(f.instructionsPerTx) >= MIN_FUNCTION_PER_TX)
      .sort((a, b) => b.instructionsPerTx - a.instructionsPerTx || a.fn.localeCompare(b.fn))
  );
}

function emptyRow(rec: CostCellRecord, component: string): CostRow {
  return {
    config: rec.config,
    workload: rec.workload,
    component,
    reconnect: rec.reconnect,
    clients: rec.clients,
    transactions: [],
    processes: 0,
    figures: {},
    functions: [],
    failures: [],
  };
}

/** Groups the usable (cell, component) points by row and collects what failed. */
function collect(records: readonly CostCellRecord[]): Map<string, { row: CostRow; points: Point[] }> {
  const out = new Map<string, { row: CostRow; points: Point[] }>();
  const entry = (rec: CostCellRecord, component: string) => {
    const k = rowKey(rec.config, rec.workload, component);
    const e = out.get(k) ?? { row: emptyRow(rec, component), points: [] };
    out.set(k, e);
    return e;
  };
  for (const rec of records) {
    for (const comp of rec.components) {
      const e = entry(rec, comp.component);
      const fail = rec.state === 'failed' ? (rec.reason ?? 'the cell failed') : comp.error;
      if (fail !== undefined) {
        e.row.failures.push({ id: rec.id, repeat: rec.repeat, method: rec.method, reason: fail });
        continue;
      }
      e.points.push({ rec, comp });
    }
    // A cell that failed before any component was counted still belongs to its config's rows.
    if (rec.state === 'failed' && rec.components.length === 0)
      for (const e of out.values())
        if (e.row.config === rec.config && e.row.workload === rec.workload)
          e.row.failures.push({
            id: rec.id,
            repeat: rec.repeat,
            method: rec.method,
            reason: rec.reason ?? 'the cell failed',
          });
  }
  return out;
}

/**
 * The cost rows of a run: one per (config, workload, component), in the order the records first
 * name them. Each figure is the mean over repeats of that repeat's slope (least squares over its
 * transaction counts) and its spread; valgrind figures come from valgrind cells only, perf figures
 * from perf cells only.
 */
export function buildCostRows(
  records: readonly CostCellRecord[],
  configOrder: readonly string[] = [],
): CostRow[] {
  const rows: CostRow[] = [];
  for (const { row, points } of collect(records).values()) {
    row.transactions = [...new Set(points.map((p) => p.rec.transactions))].sort((a, b) => a - b);
    row.processes = Math.max(0, ...points.map((p) => p.comp.processes));
    for (const name of Object.keys(FIGURE_SOURCE) as CostFigureName[]) {
      const src = FIGURE_SOURCE[name];
      const mine = points.filter((p) => p.rec.method === src.method);
      if (mine.length === 0) continue;
      const stat = costStat(slopesByRepeat(mine, src.count));
      if (stat.perRepeat.length > 0) row.figures[name] = stat;
    }
    const vg = points.filter((p) => p.rec.method === 'valgrind');
    row.functions = functionRows(vg);
    if (vg.length > 0) row.symbolized = vg.every((p) => p.comp.symbolized !== false);
    rows.push(row);
  }
  // The matrix's config order (records come in the shuffled order they ran); unknown configs last.
  const rank = (c: string) => (configOrder.includes(c) ? configOrder.indexOf(c) : configOrder.length);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.config) - rank(b.r.config) || a.i - b.i)
    .map(({ r }) => r);
}
