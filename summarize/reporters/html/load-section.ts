import type { CellSeries } from '../../model/cell-series.js';
import { fmtInt, fmtMs, fmtPct, fmtTps } from '../../model/format.js';
import { LOAD_COLUMNS, loadRows, RATE_MET_RULE } from '../../model/offered-load.js';
import type { LoadFigures, Row } from '../../model/row.js';
import { esc } from './markup.js';
import { head, numTd, textTd } from './report.js';

/** report.html's offered-load table: one row per rate or profile segment, numbers from summary.json. */
function loadTable(rows: readonly Row[]): string {
  const body = loadRows(rows).map((r) => {
    const i = rows.indexOf(r);
    const l = r.load as LoadFigures;
    const at = (p: string) => `/rows/${i}/${p}`;
    const seg = l.segment ? `${l.segment.index}/${l.segment.count}${l.segment.burst ? ' burst' : ''}` : '';
    return `<tr data-row="${i}" class="${l.met ? 'met' : 'not-met'}">${[
      textTd(l.workload),
      textTd(r.config),
      numTd(at('concurrency'), r.concurrency, String(r.concurrency)),
      textTd(seg, String(l.segment?.index ?? 0)),
      numTd(at('load/offeredTps'), l.offeredTps, fmtTps(l.offeredTps)),
      numTd(at('load/achievedTps'), l.achievedTps, fmtTps(l.achievedTps)),
      numTd(at('load/achievedRatio'), l.achievedRatio, fmtPct(l.achievedRatio)),
      textTd(l.met ? 'yes' : 'NO'),
      numTd(at('load/connectMs'), l.connectMs, fmtMs(l.connectMs)),
      numTd(at('load/skipped'), l.skipped, fmtInt(l.skipped)),
      numTd(at('load/lagMeanMs'), l.lagMeanMs, fmtMs(l.lagMeanMs)),
      numTd(at('load/lagP99Ms'), l.lagP99Ms, fmtMs(l.lagP99Ms)),
      numTd(at('latency/p50Ms'), r.latency?.p50Ms, fmtMs(r.latency?.p50Ms)),
      numTd(at('latency/p99Ms'), r.latency?.p99Ms, fmtMs(r.latency?.p99Ms)),
      numTd(at('sampling/clWaitingPeak'), r.sampling?.clWaitingPeak, fmtInt(r.sampling?.clWaitingPeak)),
      numTd(at('sampling/maxwaitMsPeak'), r.sampling?.maxwaitMsPeak, fmtMs(r.sampling?.maxwaitMsPeak)),
      numTd(
        at('sampling/poolerServerConnectionsPeak'),
        r.sampling?.poolerServerConnectionsPeak,
        fmtInt(r.sampling?.poolerServerConnectionsPeak),
      ),
      numTd(
        at('sampling/serverBackendsPeak'),
        r.sampling?.serverBackendsPeak,
        fmtInt(r.sampling?.serverBackendsPeak),
      ),
    ].join('')}</tr>`;
  });
  return `<div class="scroll"><table class="sortable" id="load-table">${head(LOAD_COLUMNS)}<tbody>${body.join('')}</tbody></table></div>`;
}

/** One row per profile run (config × workload × clients × rep), each opening its whole profile. */
function profilesTable(profiles: readonly CellSeries[]): string {
  const bodies = profiles.map((p) => {
    const id = esc(p.cellId);
    const button = `<button type="button" class="drill" data-cell="${id}" aria-expanded="false" aria-controls="drill-${id}">show</button>`;
    return `<tbody><tr data-cell="${id}"><td>${button}</td>${[
      textTd(p.config),
      textTd(p.workload),
      numTd(undefined, p.concurrency, String(p.concurrency)),
      numTd(undefined, p.rep, String(p.rep)),
      numTd(undefined, p.events.length, String(p.events.length)),
    ].join(
      '',
    )}</tr><tr class="drill-row" id="drill-${id}" hidden><td colspan="6"><div class="ts-plot" data-cell="${id}"></div></td></tr></tbody>`;
  });
  return `<div class="scroll"><table id="profiles-table">${head(['', 'config', 'workload', 'clients', 'rep', 'segments'])}${bodies.join('')}</table></div>`;
}

/** The offered-load section of report.html; empty when no workload is rate-limited. */
export function loadSection(rows: readonly Row[], profiles: readonly CellSeries[]): string {
  if (!rows.some((r) => r.load)) return '';
  return `<section id="offered-load"><h2>Offered load</h2>
<p class="hint">Rate-limited workloads (pgbench -R, the total rate over all clients): one row per rate or profile segment. ${esc(RATE_MET_RULE)}. Where "met" is NO, the TPS elsewhere in this report is what the config could serve, not the load it was offered. PgBouncer figures are peaks of the samples.</p>
${loadTable(rows)}
${
  profiles.length > 0
    ? `<h3>Profiles over time</h3>
<p class="hint">Each profile's segments on one time axis: offered rate (pgbench -R) against achieved throughput, p50/p99 per second, schedule lag and PgBouncer's maxwait, cl_waiting and server connections active vs idle, server backends. Dashed red rules: segment boundaries, where pgbench restarted and its clients reconnected.</p>
${profilesTable(profiles)}`
    : ''
}
</section>`;
}
