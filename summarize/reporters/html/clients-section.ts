import { FAIRNESS_CAPTION, FAIRNESS_COLUMNS, fairnessCells } from '../../figures/clients/table.js';
import type { Row } from '../../model/row.js';
import { esc } from './markup.js';
import { head, numTd, textTd } from './report.js';

/** report.html's fairness table: one row per group with per-client figures, every number summary.json's. */
export function clientsSection(rows: readonly Row[]): string {
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const body = workloads.flatMap((w) =>
    fairnessCells(rows, w).map(({ row, cells }) => {
      const i = rows.indexOf(row);
      const tds = cells.map((c) =>
        c.path === undefined ? textTd(c.text) : numTd(`/rows/${i}/${c.path}`, c.value, c.text),
      );
      return `<tr data-row="${i}">${textTd(w)}${tds.join('')}</tr>`;
    }),
  );
  if (body.length === 0) return '';
  return `<section id="clients"><h2>Clients and fairness</h2>
<p class="hint">${esc(FAIRNESS_CAPTION)}</p>
<div class="scroll"><table class="sortable" id="clients-table">${head(['workload', ...FAIRNESS_COLUMNS])}<tbody>${body.join('')}</tbody></table></div>
</section>`;
}
