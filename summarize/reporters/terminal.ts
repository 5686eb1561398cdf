import type { FigureContext } from '../figures/figure.js';
import { FIGURES } from '../figures/index.js';
import type { RenderOptions } from '../model/report-options.js';
import type { Row } from '../model/row.js';
import { collapseWarnings } from '../model/warnings.js';
import { denseTable } from './terminal-table.js';

/** Every figure's terminal tables (no colours: the output is often piped into CI logs). */
function figureTables(ctx: FigureContext): string[] {
  return FIGURES.filter((f) => f.applies(ctx)).flatMap((f) => {
    const figureRows = f.rows(ctx);
    return f.tables
      .filter((t) => t.in.includes('terminal'))
      .flatMap((t) => {
        const rows = t.select ? t.select(figureRows, ctx) : figureRows;
        if (rows.length === 0) return [];
        const columns = t.columns(rows, ctx);
        const table = denseTable(columns.map((c) => [c.header, c.align]));
        for (const r of rows) table.push(columns.map((c) => c.text(r)));
        return [table.toString()];
      });
  });
}

/** The terminal output the CLI prints: the figures' tables, then every warning with its hint. */
export function terminal(rows: readonly Row[], options: RenderOptions): string {
  const out = figureTables({ rows, options });
  if (options.warnings.length > 0) {
    out.push('');
    for (const w of collapseWarnings(options.warnings))
      out.push(`warning (${w.kind}): ${w.message}`, `  hint: ${w.hint}`);
  }
  if (options.gates && options.gates.failures.length > 0) {
    out.push('');
    for (const f of options.gates.failures) out.push(`gate failed: ${f.message}`);
  }
  return `${out.join('\n')}\n`;
}
