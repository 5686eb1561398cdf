import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { figureGraphics } from '../../summarize/figures/index.js';
import { loadCellSeries } from '../../summarize/input/cell-series-files.js';
import { loadCost } from '../../summarize/input/cost.js';
import { loadFlameGroups } from '../../summarize/input/flame-files.js';
import { loadSummary } from '../../summarize/input/load.js';
import { loadOutages, loadUnsentEvents } from '../../summarize/input/outage-files.js';
import { reportMeta } from '../../summarize/input/report-meta.js';
import { cancelRows } from '../../summarize/model/cancel-check.js';
import type { CellSeries } from '../../summarize/model/cell-series.js';
import { evaluateEventGates } from '../../summarize/model/event-gates.js';
import { evaluateCostGates, evaluateGates, type GateReport } from '../../summarize/model/gates.js';
import type { RenderOptions } from '../../summarize/model/report-options.js';
import { DEFAULT_THRESHOLDS, type Row, type Thresholds, type Warning } from '../../summarize/model/row.js';
import { sweepSeries } from '../../summarize/model/sweep.js';
import { readerWarnings } from '../../summarize/model/warnings.js';
import { renderPlots } from '../../summarize/plots/render.js';
import { findings, type Sentence } from '../../summarize/reporters/findings/findings.js';
import { githubBenchmark } from '../../summarize/reporters/github-benchmark.js';
import { readReportAssets } from '../../summarize/reporters/html/assets.js';
import { renderHtmlReport } from '../../summarize/reporters/html/report.js';
import { reporters } from '../../summarize/reporters/index.js';
import { totals } from '../../summarize/reporters/json.js';
import { ensureResultsDir } from '../results/dir.js';
import { runPaths } from '../results/paths.js';

export interface SummarizeOptions {
  /** Run directories; several merge into one summary when their matrices agree. */
  dirs: string[];
  /** Where the outputs go; default: the first run directory. */
  out?: string;
  /** Merge runs whose matrix hash or versions differ (with a warning) instead of refusing. */
  allowMixed?: boolean;
  thresholds?: Partial<Thresholds>;
}

export interface SummarizeResult {
  outDir: string;
  rows: Row[];
  /** Absolute paths of every file written. */
  files: string[];
  /** The table the CLI prints. */
  terminal: string;
  warnings: Warning[];
  gates: GateReport;
  /** The FINDINGS.md headline sentences with the summary.json pointer of each number. */
  tldr: Sentence[];
  /** The text of summary.json, for `summarize --json`. */
  summaryJson: string;
  /** Shards of the matrix absent from the runs (`i/N`); the CLI exits 1 when there are any. */
  missingShards: string[];
}

function reportTitle(o: RenderOptions): string {
  return o.meta?.matrix?.name ?? o.meta?.runIds[0] ?? 'benchmark';
}

/** A cost-only run (`bench run --cost-only`) has no cells.jsonl by design: not worth a warning. */
function withoutCellsOfCostOnly(warnings: readonly Warning[], costRecords: number): Warning[] {
  return costRecords > 0 ? warnings.filter((w) => !w.message.endsWith(': no cells recorded')) : [...warnings];
}

function joinGates(a: GateReport, b: GateReport): GateReport {
  return { checked: a.checked + b.checked, failures: [...a.failures, ...b.failures] };
}

/** The gates (throughput and cost) and everything the reporters take besides the rows. */
function renderOptionsOf(
  loaded: ReturnType<typeof loadSummary>,
  thresholds: RenderOptions['thresholds'],
  series: readonly CellSeries[],
): { gates: ReturnType<typeof joinGates>; options: RenderOptions } {
  const cost = loadCost(
    loaded.merged.runs.map((r) => r.dir),
    loaded.merged.matrix.configs.map((c) => c.name),
  );
  const effective = loaded.merged.primary.effective;
  const outages = loadOutages(loaded.merged.cells, series, effective.events, effective.configs);
  const unsent = loadUnsentEvents(loaded.merged.cells, effective.events);
  const gates = [
    evaluateCostGates(cost.rows, effective),
    evaluateEventGates(outages, effective, unsent),
  ].reduce(joinGates, evaluateGates(loaded.rows, effective));
  const sweeps = sweepSeries(loaded.rows, loaded.merged.primary.effective.configs);
  const cancelChecks = cancelRows(loaded.merged.cells.map((c) => c.cell));
  const options: RenderOptions = {
    warnings: [
      ...withoutCellsOfCostOnly(loaded.warnings, cost.records.length),
      ...readerWarnings(cost.warnings),
    ],
    ...(cost.rows.length > 0 ? { cost: cost.rows } : {}),
    meta: reportMeta(loaded.merged),
    ...(loaded.baseline ? { baseline: loaded.baseline } : {}),
    thresholds,
    gates,
    ...(sweeps.length > 0 ? { sweeps } : {}),
    ...(outages.length > 0 ? { outages } : {}),
    ...(cancelChecks.length > 0 ? { cancelChecks } : {}),
  };
  return { gates, options };
}

/**
 * `bench summarize <run-dir>...`: reads, aggregates and writes summary.csv, summary.json,
 * summary.md, FINDINGS.md, report.html and plots/*.svg. No console output: the CLI prints `terminal`.
 */
export async function summarize(opts: SummarizeOptions): Promise<SummarizeResult> {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  const loaded = loadSummary(opts.dirs, { ...(opts.allowMixed ? { allowMixed: true } : {}), thresholds });
  // Checked before any mkdir: Node's recursive mkdir spins forever under /proc and the like.
  // One directory holding several runs (a CI job's downloaded shards) is where their summary goes.
  const holder = opts.dirs.length === 1 && loaded.merged.runs.length > 1 ? opts.dirs[0] : undefined;
  const outDir = ensureResultsDir(opts.out ?? holder ?? loaded.merged.runs[0]?.dir ?? opts.dirs[0] ?? '.');
  const p = runPaths(outDir);
  const series = loadCellSeries(loaded.merged.cells);
  const { gates, options } = renderOptionsOf(loaded, thresholds, series);
  mkdirSync(p.plotsDir, { recursive: true });
  const files: string[] = [];
  const write = (file: string, text: string) => {
    writeFileSync(file, text);
    files.push(file);
  };
  write(p.summaryCsv, reporters.csv(loaded.rows, options));
  const summaryJson = reporters.json(loaded.rows, options);
  write(p.summaryJson, summaryJson);
  write(p.summaryMd, reporters.markdown(loaded.rows, options));
  for (const g of githubBenchmark(loaded.rows))
    write(path.join(outDir, g.file), `${JSON.stringify(g.entries, null, 2)}\n`);
  const plots = await renderPlots(loaded.rows, options);
  for (const plot of plots) write(path.join(p.plotsDir, plot.name), plot.svg);
  const flames = loadFlameGroups(loaded.merged.cells);
  const cells = loaded.merged.cells.map((c) => c.cell);
  const f = findings(loaded.rows, {
    ...options,
    matrix: loaded.merged.matrix,
    cells,
    plots: plots.map((pl) => ({
      file: `plots/${pl.name}`,
      figure: pl.figure,
      ...(pl.workload !== undefined ? { workload: pl.workload } : {}),
    })),
    series,
    configs: loaded.merged.primary.effective.configs,
    dirs: opts.dirs,
    cwd: process.cwd(),
    totals: totals(loaded.rows, options),
    flames,
  });
  write(p.findings, f.markdown);
  const graphicsCtx = {
    rows: loaded.rows,
    options,
    run: { cells, series, configs: loaded.merged.primary.effective.configs, flames },
  };
  for (const g of figureGraphics(graphicsCtx)) write(path.join(p.plotsDir, g.name), g.svg);
  write(
    p.reportHtml,
    renderHtmlReport(loaded.rows, options, {
      title: reportTitle(options),
      tldr: f.tldr,
      setup: f.setup,
      method: f.method,
      plots,
      cells: loaded.merged.cells.map((c) => c.cell),
      series,
      configs: loaded.merged.primary.effective.configs,
      flames,
      assets: readReportAssets(),
    }),
  );
  return {
    outDir,
    rows: loaded.rows,
    files,
    terminal: reporters.terminal(loaded.rows, options),
    warnings: loaded.warnings,
    gates,
    tldr: f.tldr,
    summaryJson,
    missingShards: (loaded.shards?.missing ?? []).map((i) => `${i}/${loaded.shards?.count}`),
  };
}
