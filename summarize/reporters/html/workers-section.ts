import { BLIP_CAPTION, blipTable, type EventBlip } from '../../figures/event-blips/blips.js';
import { SCALING_CAPTION, type ScalingRow, scalingTable } from '../../figures/worker-scaling/scaling.js';
import { esc } from './markup.js';

/** A pipe table of FINDINGS.md (header, separator, rows) as an HTML table. */
function pipeTableHtml(md: string): string {
  const cells = (line: string) =>
    line
      .replace(/^\|\s?/, '')
      .replace(/\s?\|$/, '')
      .split(' | ')
      .map((c) => esc(c.trim()));
  const [head = '', , ...body] = md.split('\n');
  const th = cells(head)
    .map((c) => `<th>${c}</th>`)
    .join('');
  const trs = body
    .map(
      (l) =>
        `<tr>${cells(l)
          .map((c) => `<td>${c}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

/**
 * report.html's section on PgBouncer workers and scheduled events: the same two tables as
 * FINDINGS.md (one source, summarize/workers.ts and summarize/events.ts); empty without either.
 */
export function workersSectionHtml(scaling: readonly ScalingRow[], blips: readonly EventBlip[]): string {
  const s = scalingTable(scaling);
  const b = blipTable(blips);
  if (!s && !b) return '';
  return [
    '<section id="workers"><h2>PgBouncer workers and scheduled events</h2>',
    ...(s ? [`<p class="hint">${esc(SCALING_CAPTION)}</p>`, pipeTableHtml(s)] : []),
    ...(b ? [`<p class="hint">${esc(BLIP_CAPTION)}</p>`, pipeTableHtml(b)] : []),
    '</section>',
  ].join('\n');
}
