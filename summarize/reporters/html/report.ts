import type { CellRecord } from '../../../src/results/types.js';
import type { FigureContext, RunRecords } from '../../figures/figure.js';
import { timeSeriesSpec } from '../../figures/time-series/spec.js';
import type { CellSeries } from '../../model/cell-series.js';
import type { RenderOptions } from '../../model/report-options.js';
import type { Row } from '../../model/row.js';
import { collapseWarnings } from '../../model/warnings.js';
import type { Plot } from '../../plots/render.js';
import type { Sentence } from '../findings/findings.js';
import { metaLine } from '../markdown.js';
import { figureSeries, htmlSections, sectionHtml } from '../tables/html-figures.js';
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
  /** The profiled components' folded stacks (flame graphs), when configs were profiled. */
  flames?: RunRecords['flames'];
  assets: ReportAssets;
}

/**
 * An SVG from summarize/plots/render.ts made fit to inline: no XML prolog (invalid inside HTML), and its
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
    run: {
      cells: input.cells,
      series: input.series,
      configs: input.configs ?? [],
      ...(input.flames ? { flames: input.flames } : {}),
    },
  };
  const sections = htmlSections(ctx);
  // The figures' summaries before the plots, the per-cell drill-down after them.
  const summary = sections.filter((x) => !x.detail);
  const detail = sections.filter((x) => x.detail);
  const specs = Object.fromEntries(figureSeries(ctx).map((s) => [s.cellId, timeSeriesSpec(s)]));
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
<nav><a href="#tldr">TL;DR</a> · ${[...summary, { id: 'plots', title: 'Plots' }, ...detail].map((x) => `<a href="#${esc(x.id)}">${esc(x.title)}</a> · `).join('')}<a href="#warnings">Warnings (${warnings.length})</a> · <a href="#method">Setup and method</a></nav>
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
${summary.map(sectionHtml).join('\n')}
<section id="plots"><h2>Plots</h2>
${plotsSection(input.plots, workloads)}
</section>
${detail.map(sectionHtml).join('\n')}
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
