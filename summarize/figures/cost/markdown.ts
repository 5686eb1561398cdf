import { MISSING } from '../../model/format.js';
import { COST_METHOD, FIGURE_LABEL, fmtPerTx, fmtSpread } from './format.js';
import { COST_FIGURES, type CostRow } from './rows.js';

/** Functions listed per row in FINDINGS.md and report.html (summary.json keeps up to 40). */
export const TOP_FUNCTIONS = 10;

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** `4,775 ± 0.004%`: the mean and the spread over repeats. */
export function figureText(r: CostRow, f: (typeof COST_FIGURES)[number]): string {
  const s = r.figures[f];
  if (!s) return MISSING;
  return `${fmtPerTx(s.mean)} (${fmtSpread(s.spreadPct)})`;
}

/** The cost table's header and rows as plain cells (markdown and HTML render them). */
export function costTable(rows: readonly CostRow[]): { head: string[]; body: string[][] } {
  return {
    head: ['config', 'workload', 'component', 'repeats', ...COST_FIGURES.map((f) => FIGURE_LABEL[f])],
    body: rows.map((r) => [
      r.config,
      r.reconnect ? `${r.workload} (-C: per connection too)` : r.workload,
      r.component,
      String(Math.max(0, ...Object.values(r.figures).map((s) => s?.perRepeat.length ?? 0))),
      ...COST_FIGURES.map((f) => figureText(r, f)),
    ]),
  };
}

/** The top functions of one row, or the reason there are none. */
export function functionsCaption(r: CostRow): string {
  const what = `${r.config} / ${r.workload} / ${r.component}`;
  if (r.symbolized === undefined) return `${what}: no valgrind cells, no function counts`;
  return r.symbolized
    ? `${what}: top ${Math.min(TOP_FUNCTIONS, r.functions.length)} functions by instructions per transaction`
    : `${what}: no symbols (the binary is stripped): the functions are addresses`;
}

/** FINDINGS.md's cost section: the method, the table, the top functions, what failed. */
export function costMarkdown(rows: readonly CostRow[]): string[] {
  if (rows.length === 0) return [];
  const t = costTable(rows);
  const out = [
    '## Cost per transaction (cost cells)',
    '',
    `Method: ${COST_METHOD}`,
    '',
    'Each figure: mean over repeats (spread over repeats in parentheses). Column names in summary.csv and summary.json `cost.rows`: ' +
      `${COST_FIGURES.map((f) => `\`${f}\``).join(', ')}, each with \`_spread_pct\`.`,
    '',
    `| ${t.head.join(' | ')} |`,
    `| ${t.head.map((_, i) => (i < 3 ? ':--' : '--:')).join(' | ')} |`,
    ...t.body.map((b) => `| ${b.map(cell).join(' | ')} |`),
  ];
  for (const r of rows) {
    out.push('', `${functionsCaption(r)}:`);
    if (r.functions.length === 0) continue;
    out.push('', '| function | file | instructions / tx |', '| :-- | :-- | --: |');
    for (const f of r.functions.slice(0, TOP_FUNCTIONS))
      out.push(
        `| ${[`\`${f.fn}\``, f.file ?? MISSING, fmtPerTx(f.instructionsPerTx)].map(cell).join(' | ')} |`,
      );
  }
  const failures = rows.flatMap((r) =>
    r.failures.map((f) => `- ${r.config} / ${r.workload} / ${r.component}, cell ${f.id}: ${f.reason}`),
  );
  if (failures.length > 0)
    out.push('', 'Cost cells that gave no counts (left out of the figures):', '', ...failures);
  return [...out, ''];
}
