import type { Column, FigureContext, Table } from '../../figures/figure.js';
import type { CellSeries } from '../../model/cell-series.js';
import { isNum, MISSING } from '../../model/format.js';
import { esc, inlineMarkdown } from '../html/markup.js';

/**
 * A table cell holding a number of summary.json: the printed text, the exact value (for sorting)
 * and its JSON pointer (the browser test resolves every one and checks the value).
 */
export function numTd(pointer: string | undefined, value: number | undefined, text: string): string {
  if (!isNum(value)) return `<td class="num" data-value="">${esc(MISSING)}</td>`;
  const p = pointer ? ` data-pointer="${esc(pointer)}"` : '';
  return `<td class="num" data-value="${value}"${p}>${esc(text)}</td>`;
}

export function textTd(text: string, value = text, strong = false): string {
  return `<td data-value="${esc(value)}">${strong ? `<strong>${esc(text)}</strong>` : esc(text)}</td>`;
}

export function head(cols: readonly string[]): string {
  return `<thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead>`;
}

/** The "show" button of a row that opens a time series, and the hidden row it opens. */
export function drillButton(cellId: string): string {
  const id = esc(cellId);
  return `<button type="button" class="drill" data-cell="${id}" aria-expanded="false" aria-controls="drill-${id}">show</button>`;
}

export function drillRow(cellId: string, columns: number, note = ''): string {
  const id = esc(cellId);
  return `<tr class="drill-row" id="drill-${id}" hidden><td colspan="${columns}">${note}<div class="ts-plot" data-cell="${id}"></div></td></tr>`;
}

function td<T>(c: Column<T>, r: T): string {
  const value = c.value?.(r);
  if (c.align === 'right')
    return numTd(c.pointer?.(r), typeof value === 'number' ? value : undefined, c.text(r));
  return textTd(c.text(r), value === undefined ? c.text(r) : String(value), c.strong?.(r) ?? false);
}

function tr<R, T>(t: Table<R, T>, columns: readonly Column<T>[], r: T, ctx: FigureContext): string {
  const i = t.rowIndex?.(r, ctx);
  const cls = t.rowClass?.(r);
  const s = t.drill?.(r);
  const attrs = `${i === undefined ? '' : ` data-row="${i}"`}${s ? ` data-cell="${esc(s.cellId)}"` : ''}${cls ? ` class="${esc(cls)}"` : ''}`;
  const cells = columns.map((c) => td(c, r)).join('');
  if (!t.drill) return `<tr${attrs}>${cells}</tr>`;
  // A row that opens a series is a tbody of its own, so sorting keeps it with its drill row.
  const open = s ? `<td>${drillButton(s.cellId)}</td>` : '<td></td>';
  return `<tbody><tr${attrs}>${open}${cells}</tr>${s ? drillRow(s.cellId, columns.length + 1) : ''}</tbody>`;
}

/** The series the rows of a table open, for report.html's inlined specs. */
export function drilledSeries<R, T>(
  t: Table<R, T>,
  figureRows: readonly R[],
  ctx: FigureContext,
): CellSeries[] {
  if (!t.drill) return [];
  return tableRows(t, figureRows, ctx).flatMap((r) => t.drill?.(r) ?? []);
}

function tableRows<R, T>(t: Table<R, T>, figureRows: readonly R[], ctx: FigureContext): T[] {
  return t.select ? t.select(figureRows, ctx) : ([...figureRows] as unknown as T[]);
}

/** A declared table as a sortable HTML table (its caption a hint above it); empty without rows. */
export function htmlTable<R, T>(t: Table<R, T>, figureRows: readonly R[], ctx: FigureContext): string {
  const rows = tableRows(t, figureRows, ctx);
  if (rows.length === 0) return '';
  const columns = t.columns(rows, ctx);
  const caption = t.caption?.(rows, ctx);
  const headers = [...(t.drill ? [''] : []), ...columns.map((c) => c.header)];
  const body = rows.map((r) => tr(t, columns, r, ctx)).join('');
  return [
    ...(t.title ? [`<h3>${esc(t.title)}</h3>`] : []),
    ...(caption ? [`<p class="hint">${inlineMarkdown(caption)}</p>`] : []),
    `<div class="scroll"><table class="sortable" id="${esc(t.id)}">${head(headers)}${t.drill ? body : `<tbody>${body}</tbody>`}</table></div>`,
    ...(t.notes?.(rows, ctx) ?? []).map((n) => `<p class="hint">${inlineMarkdown(n)}</p>`),
  ].join('\n');
}
