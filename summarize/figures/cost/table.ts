import {
  COST_FIGURES,
  type CostFigureName,
  type CostFunctionRow,
  type CostRow,
} from '../../model/cost-rows.js';
import { MISSING } from '../../model/format.js';
import type { Column, FigureContext, Table } from '../figure.js';
import { FIGURE_LABEL, fmtPerTx, fmtSpread } from './format.js';

/** Functions listed per row in FINDINGS.md and report.html (summary.json keeps up to 40). */
export const TOP_FUNCTIONS = 10;

/** A cost row's index in summary.json's cost.rows: the figure's rows are those rows, in order. */
const indexOf = (ctx: FigureContext, r: CostRow) => ctx.options.cost?.indexOf(r) ?? -1;

const repeats = (r: CostRow) => Math.max(0, ...Object.values(r.figures).map((s) => s?.perRepeat.length ?? 0));

function figureColumn(f: CostFigureName, ctx: FigureContext): Column<CostRow> {
  return {
    header: FIGURE_LABEL[f],
    align: 'right',
    text: (r) =>
      r.figures[f] ? `${fmtPerTx(r.figures[f]?.mean)} (${fmtSpread(r.figures[f]?.spreadPct)})` : MISSING,
    value: (r) => r.figures[f]?.mean,
    pointer: (r) => (r.figures[f] ? `/cost/rows/${indexOf(ctx, r)}/${f}` : undefined),
  };
}

const COST_CAPTION =
  'Work per transaction of each counted component, from the cost cells (fixed transaction counts, the slope between them): ' +
  'mean over repeats, the spread of the repeats ((max − min) / mean) in parentheses. summary.json `cost.rows`, summary.csv rows with `row_kind` = cost. ' +
  'What is and is not counted: see Method.';

export const costTable: Table<CostRow> = {
  id: 'cost-table',
  in: ['summary', 'findings', 'html', 'terminal'],
  columns: (_rows, ctx) => [
    { header: 'config', align: 'left', text: (r) => r.config },
    {
      header: 'workload',
      align: 'left',
      text: (r) => (r.reconnect ? `${r.workload} (-C: per connection too)` : r.workload),
    },
    { header: 'component', align: 'left', text: (r) => r.component },
    { header: 'repeats', align: 'right', text: (r) => String(repeats(r)), value: repeats },
    ...COST_FIGURES.map((f) => figureColumn(f, ctx)),
  ],
  caption: () => COST_CAPTION,
  notes: (rows) =>
    rows.flatMap((r) =>
      r.failures.map(
        (f) =>
          `${r.config} / ${r.workload} / ${r.component}: cost cell ${f.id} gave no counts (left out): ${f.reason}`,
      ),
    ),
};

/** The share of a row's instructions per transaction that cachegrind could not name (`???`). */
function unnamedShare(r: CostRow): number {
  const total = r.figures.instructions_per_tx?.mean ?? 0;
  const unnamed = r.functions.filter((f) => f.fn === '???').reduce((a, f) => a + f.instructionsPerTx, 0);
  return total > 0 ? unnamed / total : 0;
}

interface FunctionLine {
  row: CostRow;
  fn: CostFunctionRow;
  /** Its index in the row's functions (summary.json keeps them in this order). */
  j: number;
}

export const functionsTable: Table<CostRow, FunctionLine> = {
  id: 'cost-functions',
  in: ['findings', 'html'],
  title: 'Where the instructions go',
  select: (rows) =>
    rows.flatMap((row) => row.functions.slice(0, TOP_FUNCTIONS).map((fn, j) => ({ row, fn, j }))),
  columns: (_rows, ctx) => [
    { header: 'config', align: 'left', text: (x) => x.row.config },
    { header: 'workload', align: 'left', text: (x) => x.row.workload },
    { header: 'component', align: 'left', text: (x) => x.row.component },
    { header: 'function', align: 'left', text: (x) => `\`${x.fn.fn}\`` },
    { header: 'file', align: 'left', text: (x) => x.fn.file ?? MISSING },
    {
      header: 'instructions / tx',
      align: 'right',
      text: (x) => fmtPerTx(x.fn.instructionsPerTx),
      value: (x) => x.fn.instructionsPerTx,
      pointer: (x) => `/cost/rows/${indexOf(ctx, x.row)}/functions/${x.j}/instructions_per_tx`,
    },
  ],
  caption: () =>
    `The top ${TOP_FUNCTIONS} functions of each counted component by instructions per transaction (cachegrind's per-function counts, summed over the component's processes; the slope between the transaction counts, so start-up-only functions drop out).`,
  notes: (lines, ctx) => {
    const shown = new Set(lines.map((l) => l.row));
    const unnamed = (ctx.options.cost ?? []).flatMap((r) => {
      const share = unnamedShare(r);
      return share > 0.5
        ? [
            `${r.config} / ${r.workload} / ${r.component}: ${Math.round(share * 100)}% of its instructions per transaction are in code without symbols (\`???\`: a stripped binary or library; its debug symbols, e.g. Debian's -dbgsym package, name them).`,
          ]
        : [];
    });
    return [
      ...unnamed,
      ...(ctx.options.cost ?? [])
        .filter((r) => r.symbolized === false || (r.symbolized === true && !shown.has(r)))
        .map((r) =>
          r.symbolized === false
            ? `${r.config} / ${r.workload} / ${r.component}: no symbols (the binary is stripped): its functions are addresses.`
            : `${r.config} / ${r.workload} / ${r.component}: no function did measurable work per transaction.`,
        ),
    ];
  },
};
