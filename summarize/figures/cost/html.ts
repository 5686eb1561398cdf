import { esc } from '../../reporters/html/markup.js';
import { COST_METHOD, fmtPerTx } from './format.js';
import { costTable, functionsCaption, TOP_FUNCTIONS } from './markdown.js';
import type { CostRow } from './rows.js';

/** report.html's cost section: the method, the table and the top functions; nothing without cost rows. */
export function costSectionHtml(rows: readonly CostRow[]): string {
  if (rows.length === 0) return '';
  const t = costTable(rows);
  const table = `<table class="cost"><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.body
    .map((b) => `<tr>${b.map((c, i) => `<td${i >= 3 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  const fns = rows
    .map((r) => {
      const list = r.functions
        .slice(0, TOP_FUNCTIONS)
        .map(
          (f) =>
            `<tr><td><code>${esc(f.fn)}</code></td><td>${esc(f.file ?? '–')}</td><td class="num">${esc(fmtPerTx(f.instructionsPerTx))}</td></tr>`,
        )
        .join('');
      return `<h3>${esc(functionsCaption(r))}</h3>${list ? `<table class="cost-functions"><thead><tr><th>function</th><th>file</th><th>instructions / tx</th></tr></thead><tbody>${list}</tbody></table>` : ''}`;
    })
    .join('\n');
  const failures = rows.flatMap((r) =>
    r.failures.map(
      (f) => `<li>${esc(`${r.config} / ${r.workload} / ${r.component}, cell ${f.id}: ${f.reason}`)}</li>`,
    ),
  );
  return `<section id="cost"><h2>Cost per transaction</h2>
<p class="hint">${esc(COST_METHOD)} Each figure: mean over repeats, the spread over repeats in parentheses; summary.json <code>cost.rows</code>.</p>
${table}
${fns}
${failures.length > 0 ? `<p>Cost cells that gave no counts (left out of the figures):</p><ul>${failures.join('')}</ul>` : ''}
</section>`;
}
