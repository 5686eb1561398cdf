import type { FigureContext } from '../../figures/figure.js';
import { FIGURES } from '../../figures/index.js';
import type { CellSeries } from '../../model/cell-series.js';
import { esc } from '../html/markup.js';
import { drilledSeries, htmlTable } from './html-table.js';

function applicable(ctx: FigureContext) {
  return FIGURES.filter((f) => f.applies(ctx)).map((f) => ({ f, rows: f.rows(ctx) }));
}

/** report.html's figure sections: each figure's HTML tables under its section's heading. */
export function htmlSections(ctx: FigureContext): { id: string; title: string; html: string }[] {
  const out: { id: string; title: string; html: string }[] = [];
  for (const { f, rows } of applicable(ctx)) {
    if (!f.section) continue;
    const tables = f.tables.filter((t) => t.in.includes('html')).map((t) => htmlTable(t, rows, ctx));
    const html = tables.filter((t) => t !== '').join('\n');
    if (html === '') continue;
    const last = out[out.length - 1];
    if (last?.id === f.section.id) last.html += `\n${html}`;
    else out.push({ ...f.section, html });
  }
  return out;
}

export function sectionHtml(s: { id: string; title: string; html: string }): string {
  return `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.html}\n</section>`;
}

/** Every series the figures' HTML tables open. */
export function figureSeries(ctx: FigureContext): CellSeries[] {
  return applicable(ctx).flatMap(({ f, rows }) =>
    f.tables.filter((t) => t.in.includes('html')).flatMap((t) => drilledSeries(t, rows, ctx)),
  );
}
