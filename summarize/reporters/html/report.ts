import type { CellRecord } from '../../../src/results/types.js';
import type { FigureContext } from '../../figures/figure.js';
import { timeSeriesSpec } from '../../figures/time-series/spec.js';
import type { CellSeries } from '../../model/cell-series.js';
import { fmtCores, fmtInt, fmtMs, fmtPct, fmtRatio, fmtTps, isNum } from '../../model/format.js';
import type { RenderOptions } from '../../model/report-options.js';
import { type RoleFigures, roleFigures, sumNote } from '../../model/role-figures.js';
import type { Row } from '../../model/row.js';
import { collapseWarnings } from '../../model/warnings.js';
import type { Plot } from '../../plots/render.js';
import type { Sentence } from '../findings/findings.js';
import { metaLine } from '../markdown.js';
import { figureSeries, htmlSections, sectionHtml } from '../tables/html-figures.js';
import { head, numTd, textTd } from '../tables/html-table.js';
import type { ReportAssets } from './assets.js';
import { CLIENT_JS } from './client.js';
import { esc, inlineMarkdown, inlineScript, markdownLines, scriptJson } from './markup.js';
import { STYLE } from './style.js';

export interface HtmlReportInput {
  title: string;
  tldr: readonly Sentence[];
  /** FINDINGS.md's Setup and Method bullet lines (inline markdown). */
  setup: readonly string[];
  method: readonly string[];
  plots: readonly Plot[];
  /** Every cell record, completed or not, in execution order. */
  cells: readonly CellRecord[];
  series: readonly CellSeries[];
  /** run.json's effective configs, for the figures that read them. */
  configs?: ReadonlyArray<Record<string, unknown>>;
  assets: ReportAssets;
  /** The PgBouncer workers and events section (summarize/html/workers-section.ts), when the run has one. */
  workersSection?: string;
}

/** The pooler's (or proxy's) CPU, summed over its processes (PgBouncer `workers: N`). */
function poolerCpu(r: Row): RoleFigures | undefined {
  const role = r.sampling?.components.find((c) => c.role !== 'postgres' && isNum(c.cpuCoresMean))?.role;
  return role === undefined ? undefined : roleFigures(r, role);
}

function resultsTable(rows: readonly Row[]): string {
  const summed = rows.some((r) => (poolerCpu(r)?.processes ?? 1) > 1);
  const body = rows.map((r, i) => {
    const at = (p: string) => `/rows/${i}/${p}`;
    const pg = poolerCpu(r);
    return `<tr data-row="${i}">${[
      textTd(r.workload),
      textTd(r.config),
      numTd(at('concurrency'), r.concurrency, String(r.concurrency)),
      numTd(at('repsCompleted'), r.repsCompleted, String(r.repsCompleted)),
      numTd(at('tps/mean'), r.tps.mean, fmtTps(r.tps.mean)),
      numTd(at('tps/ci95'), r.tps.ci95, fmtTps(r.tps.ci95)),
      numTd(at('tps/cv'), r.tps.cv, fmtPct(r.tps.cv)),
      numTd(at('latency/p50Ms'), r.latency?.p50Ms, fmtMs(r.latency?.p50Ms)),
      numTd(at('latency/p99Ms'), r.latency?.p99Ms, fmtMs(r.latency?.p99Ms)),
      numTd(at('latency/p999Ms'), r.latency?.p999Ms, fmtMs(r.latency?.p999Ms)),
      numTd(at('latency/maxMs'), r.latency?.maxMs, fmtMs(r.latency?.maxMs)),
      numTd(at('vsBaseline/tpsRatio'), r.vsBaseline?.tpsRatio, fmtRatio(r.vsBaseline?.tpsRatio)),
      numTd(
        at('sampling/serverBackendsPeak'),
        r.sampling?.serverBackendsPeak,
        fmtInt(r.sampling?.serverBackendsPeak),
      ),
      // A sum has no one place in summary.json: only a single process's figure carries a pointer.
      pg
        ? numTd(
            pg.index === undefined ? undefined : at(`sampling/components/${pg.index}/cpuCoresMean`),
            pg.cpuCoresMean,
            fmtCores(pg.cpuCoresMean) + sumNote(pg),
          )
        : numTd(undefined, undefined, ''),
      numTd(at('failedTransactions'), r.failedTransactions, fmtInt(r.failedTransactions)),
    ].join('')}</tr>`;
  });
  return `<div class="scroll"><table class="sortable" id="results-table">${head([
    'workload',
    'config',
    'clients',
    'reps',
    'TPS (mean)',
    '± 95% CI',
    'CV',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
    'max ms',
    'TPS vs baseline',
    'server backends (peak)',
    summed ? 'pooler/proxy CPU (cores; sum over its N processes where marked)' : 'pooler/proxy CPU (cores)',
    'failed tx',
  ])}<tbody>${body.join('')}</tbody></table></div>`;
}

/** Where a cell's rep figures live in summary.json: /rows/i/samples/j. */
function samplePointers(rows: readonly Row[]): Map<string, string> {
  const out = new Map<string, string>();
  rows.forEach((r, i) => {
    r.samples.forEach((s, j) => {
      out.set(s.cellId, `/rows/${i}/samples/${j}`);
    });
  });
  return out;
}

function cellsTable(
  rows: readonly Row[],
  cells: readonly CellRecord[],
  series: readonly CellSeries[],
): string {
  const pointers = samplePointers(rows);
  const sample = new Map(rows.flatMap((r) => r.samples.map((s) => [s.cellId, s] as const)));
  const withSeries = new Set(series.map((s) => s.cellId));
  const cols = [
    '',
    'cell',
    'config',
    'workload',
    'clients',
    'rep',
    'state',
    'TPS',
    'p99 ms',
    'transactions',
    'failed tx',
  ];
  const bodies = cells.map((c) => {
    const ptr = pointers.get(c.id);
    const s = sample.get(c.id);
    const at = (p: string) => (ptr ? `${ptr}/${p}` : undefined);
    const button = withSeries.has(c.id)
      ? `<button type="button" class="drill" data-cell="${esc(c.id)}" aria-expanded="false" aria-controls="drill-${esc(c.id)}">show</button>`
      : '';
    const reason = c.state === 'completed' ? '' : ` title="${esc(c.reason)}"`;
    const row = `<tr id="cell-${esc(c.id)}" data-cell="${esc(c.id)}"><td>${button}</td>${[
      textTd(c.id),
      textTd(c.config),
      textTd(c.workload),
      numTd(undefined, c.concurrency, String(c.concurrency)),
      numTd(undefined, c.rep, String(c.rep)),
    ].join('')}<td data-value="${esc(c.state)}"${reason} class="state-${esc(c.state)}">${esc(c.state)}</td>${[
      numTd(at('tps'), s?.tps, fmtTps(s?.tps)),
      numTd(at('p99Ms'), s?.p99Ms, fmtMs(s?.p99Ms)),
      numTd(at('processed'), s?.processed, fmtInt(s?.processed)),
      numTd(at('failedTransactions'), s?.failedTransactions, fmtInt(s?.failedTransactions)),
    ].join('')}</tr>`;
    const note = c.state === 'completed' ? '' : `<p class="reason">${esc(c.reason)}</p>`;
    const drill = withSeries.has(c.id)
      ? `<tr class="drill-row" id="drill-${esc(c.id)}" hidden><td colspan="${cols.length}">${note}<div class="ts-plot" data-cell="${esc(c.id)}"></div></td></tr>`
      : '';
    return `<tbody>${row}${drill}</tbody>`;
  });
  return `<div class="scroll"><table class="sortable" id="cells-table">${head(cols)}${bodies.join('')}</table></div>`;
}

/**
 * An SVG from summarize/plots.ts made fit to inline: no XML prolog (invalid inside HTML), and its
 * ids (Vega names clip paths clip1, clip2... in every file) prefixed, since inside one document
 * url(#clip1) would resolve to the first plot's clip path.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** Small multiples are wider than two plots side by side: they get a row of their own. */
const WIDE_PX = 800;

function figure(p: Plot, caption: string, n: number): string {
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(p.svg)?.[1]);
  const wide = Number.isFinite(width) && width > WIDE_PX;
  // --w: never drawn larger than its natural size.
  const style = Number.isFinite(width) ? ` style="--w: ${width}px"` : '';
  return `<figure class="plot${wide ? ' wide' : ''}" data-plot="${esc(p.name)}"${style}>${inlineSvg(p.svg, `plot${n}`)}<figcaption>${caption}</figcaption></figure>`;
}

function plotsSection(plots: readonly Plot[], workloads: readonly string[]): string {
  const parts: string[] = [];
  const used = new Set<string>();
  for (const w of workloads) {
    const mine = plots.filter((p) => p.name.endsWith(`-${w}.svg`));
    if (mine.length === 0) continue;
    parts.push(`<h3>${esc(w)}</h3><div class="plots">`);
    for (const p of mine) {
      used.add(p.name);
      parts.push(
        figure(
          p,
          `${esc(p.title)} (<a href="plots/${esc(p.name)}">plots/${esc(p.name)}</a>)`,
          plots.indexOf(p),
        ),
      );
    }
    parts.push('</div>');
  }
  const rest = plots.filter((p) => !used.has(p.name));
  for (const p of rest) parts.push(figure(p, esc(p.title), plots.indexOf(p)));
  return parts.join('\n');
}

/**
 * report.html: one self-contained file (styles, data, Vega and Vega-Lite inline; no request leaves
 * the page), so it opens from the results directory, from a CI artifact or from a mail attachment.
 * The summary plots are the SVGs of plots/ inlined; the per-cell time series are Vega-Lite specs
 * drawn in the browser when a cell is opened.
 */
export function renderHtmlReport(
  rows: readonly Row[],
  options: RenderOptions,
  input: HtmlReportInput,
): string {
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const ctx: FigureContext = {
    rows,
    options,
    run: { cells: input.cells, series: input.series, configs: input.configs ?? [] },
  };
  const sections = htmlSections(ctx);
  const specs = Object.fromEntries(
    [...input.series, ...figureSeries(ctx)].map((s) => [s.cellId, timeSeriesSpec(s)]),
  );
  const meta = metaLine(options.meta);
  const warnings = collapseWarnings(options.warnings);
  const gates = options.gates?.failures ?? [];
  const tool = options.meta?.tool;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(input.title)}: bench report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${esc(input.title)}</h1>
${meta ? `<p class="meta">${inlineMarkdown(meta)}</p>` : ''}
<nav><a href="#tldr">TL;DR</a> · <a href="#results">Results</a> · <a href="#plots">Plots</a> · ${sections.map((x) => `<a href="#${esc(x.id)}">${esc(x.title)}</a> · `).join('')}<a href="#cells">Cells over time</a> · <a href="#warnings">Warnings (${warnings.length})</a> · <a href="#method">Setup and method</a></nav>
</header>
<main>
<section id="tldr"><h2>TL;DR</h2>
${
  input.tldr.length > 0
    ? `<ul>${input.tldr.map((s) => `<li data-kind="${esc(s.kind)}">${esc(s.text)}</li>`).join('')}</ul>`
    : '<p>No headline could be computed from the data (see the tables and warnings).</p>'
}
${gates.length > 0 ? `<p class="gates"><strong>Gates failed:</strong></p><ul>${gates.map((f) => `<li>${esc(f.message)}</li>`).join('')}</ul>` : ''}
</section>
<section id="results"><h2>Results</h2>
<p class="hint">One row per config × workload × clients over its completed reps. Click a column header to sort. Latency percentiles: nearest rank over every transaction of every rep (merged histograms). Every number is summary.json's.</p>
${resultsTable(rows)}
</section>
${sections.map(sectionHtml).join('\n')}
${input.workersSection ?? ''}
<section id="plots"><h2>Plots</h2>
${plotsSection(input.plots, workloads)}
</section>
<section id="cells"><h2>Cells over time</h2>
<p class="hint">One row per cell (config × workload × clients × rep). <em>show</em> draws its seconds: throughput and p50/p99 latency per second from the per-transaction log (pgbench's own -P line beside it), failed transactions, server backends of the config's role, PgBouncer's pools, and CPU and PSS per component from the samplers. <button type="button" id="open-all">show all</button></p>
${cellsTable(rows, input.cells, input.series)}
</section>
<section id="warnings"><h2>Warnings</h2>
${
  warnings.length > 0
    ? `<ul>${warnings.map((w) => `<li><strong>${esc(w.kind)}</strong>: ${esc(w.message)}<br><span class="hint">${esc(w.hint)}</span></li>`).join('')}</ul>`
    : '<p>No warning was raised.</p>'
}
</section>
<section id="method"><h2>Setup</h2>
${markdownLines(input.setup)}
<h2>Method</h2>
${markdownLines(input.method)}
</section>
</main>
<footer>Generated by <code>bench summarize</code>${tool ? ` ${esc(tool.version)}${tool.gitSha ? ` (git ${esc(tool.gitSha)})` : ''}` : ''}. Plots drawn with Vega-Lite, inlined.</footer>
<script type="application/json" id="bench-series">${scriptJson(specs)}</script>
<script>${inlineScript(input.assets.vega)}</script>
<script>${inlineScript(input.assets.vegaLite)}</script>
<script>${inlineScript(CLIENT_JS)}</script>
</body>
</html>
`;
}
