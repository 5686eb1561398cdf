import type { Column, FigureContext, Table } from '../../figures/figure.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function text<R>(c: Column<R>, r: R): string {
  const t = c.text(r);
  return c.strong?.(r) ? `**${t}**` : t;
}

/** A pipe table: one header line, the alignment line, one line per row. */
export function pipeTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const sep = columns.map((c) => (c.align === 'right' ? '--:' : ':--'));
  const lines = [columns.map((c) => c.header), sep, ...rows.map((r) => columns.map((c) => text(c, r)))];
  return lines.map((l) => `| ${l.map(cell).join(' | ')} |`).join('\n');
}

/**
 * A declared table as markdown lines: its caption, the table, its notes, each followed by a blank
 * line; none when it has no rows.
 */
export function markdownTable<R, T>(t: Table<R, T>, figureRows: readonly R[], ctx: FigureContext): string[] {
  const rows = t.select ? t.select(figureRows, ctx) : ([...figureRows] as unknown as T[]);
  if (rows.length === 0) return [];
  const caption = t.caption?.(rows, ctx);
  return [
    ...(caption ? [caption, ''] : []),
    pipeTable(t.columns(rows, ctx), rows),
    '',
    ...(t.notes?.(rows, ctx) ?? []).flatMap((n) => [n, '']),
  ];
}
