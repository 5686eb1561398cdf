import type { TopLevelSpec } from 'vega-lite';
import type { CellRecord } from '../../src/results/types.js';
import type { CellSeries } from '../model/cell-series.js';
import type { RenderOptions } from '../model/report-options.js';
import type { Row, Thresholds, WarningDraft } from '../model/row.js';
import type { Candidate, RuleContext } from '../tldr/candidate.js';

/**
 * A report figure: one module (one folder under summarize/figures/) that says everything a report
 * shows about one concern, and the reporters (summary.md, FINDINGS.md, report.html, summary.csv,
 * summary.json, the terminal) render whatever figures apply, each in its own format. No reporter
 * knows a figure by name: they walk FIGURES (figures/index.ts), whose order is the report's order.
 *
 * Writing a new figure (see figures/README.md):
 * 1. `summarize/figures/<name>/figure.ts` exports `const <name>Figure: Figure<YourRow>`:
 *    - `rows(ctx)`: pure, from the model (`ctx.rows`, and `ctx.run` when the figure needs the cell
 *      records or their time series); `[]` when there is nothing to show.
 *    - `applies(ctx)`: whether the run has this figure at all (usually `rows(ctx).length > 0`).
 *    - `tables`: each declared ONCE as columns (header, alignment, text, exact value, summary.json
 *      pointer) and rendered by every output listed in its `in`.
 *    - optional `csv`, `plots`, `warnings`, `tldr`, `method`.
 * 2. Add it to FIGURES in figures/index.ts, where it should stand in the report.
 * Keep the figure pure: no file or process I/O; what it needs from disk arrives in `ctx.run`.
 */
export interface Figure<R = unknown> {
  /** Stable name, e.g. `offered-load`; also the folder's name. */
  id: string;
  /**
   * The heading of the figure's run-level tables (markdown `## title`, HTML `<section id>`).
   * Consecutive figures with the same section id share one heading.
   */
  section?: Section;
  /** Whether the run has this figure at all; reporters skip it otherwise. */
  applies(ctx: FigureContext): boolean;
  /** The figure's rows, pure, from the model. */
  rows(ctx: FigureContext): R[];
  /** The tables, each declared once; `in` says which outputs show it. */
  tables: readonly Table<R, unknown>[];
  /** The figure's columns of summary.csv (one CSV row per model row, all rows of the run). */
  csv?(ctx: FigureContext): CsvColumn[];
  /** The figure's plots, rendered to plots/<name> and inlined in report.html. */
  plots?(ctx: FigureContext, rows: readonly R[]): PlotJob[];
  /** Warnings a model row earns from this figure (appended to the row's own warnings). */
  warnings?(row: Row, thresholds: Thresholds): WarningDraft[];
  /** TL;DR candidates; `tldr/index.ts` ranks all figures' candidates together (TIER). */
  tldr?(ctx: TldrContext, rows: readonly R[]): Candidate[];
  /** FINDINGS.md's (and report.html's) method lines about this figure, markdown bullets. */
  method?(ctx: FigureContext, rows: readonly R[]): string[];
}

export interface Section {
  /** HTML id of the section and of its link. */
  id: string;
  title: string;
}

/** The outputs a table can be shown in. */
export type Output = 'summary' | 'findings' | 'html' | 'terminal';

export type Align = 'left' | 'right';

/** One column of a table: everything every output needs, declared once. */
export interface Column<R> {
  /** The header as printed, its unit included, e.g. `p99 (ms)`. */
  header: string;
  /** Right-aligned columns are numbers: report.html sorts them by `value` and checks `pointer`. */
  align: Align;
  /** The cell's text (markdown reporters escape `|`). */
  text(r: R): string;
  /** The exact value behind the text (report.html's data-value, for sorting and checking). */
  value?(r: R): number | string | undefined;
  /**
   * Where `value` is in summary.json (RFC 6901, e.g. `/rows/3/tps/mean`); only for a number that
   * is exactly there (the browser test resolves every pointer and compares).
   */
  pointer?(r: R): string | undefined;
  /** Show the text emphasised (markdown `**text**`, HTML `<strong>`), e.g. a rate not met. */
  strong?(r: R): boolean;
}

/**
 * A table of a figure. `R` is the figure's row; `T` the table's own row when it shows something
 * else (e.g. one row per profile run), produced by `select`.
 */
export interface Table<R, T = R> {
  /** HTML id of the table, e.g. `load-table`. */
  id: string;
  in: readonly Output[];
  /** A heading of its own inside the figure's section (HTML `<h3>`, markdown `###`). */
  title?: string;
  /**
   * Rendered inside each workload's section of summary.md and FINDINGS.md, with the rows of that
   * workload (`perWorkload(r)` is the row's workload); otherwise once, in the figure's section.
   */
  perWorkload?(r: T): string;
  /** The rows this table shows, from the figure's (default: all); an empty table is not rendered. */
  select?(rows: readonly R[], ctx: FigureContext): T[];
  columns(rows: readonly T[], ctx: FigureContext): Column<T>[];
  /** A paragraph above the table (inline markdown), or none. */
  caption?(rows: readonly T[], ctx: FigureContext): string | undefined;
  /** Paragraphs under the table (inline markdown). */
  notes?(rows: readonly T[], ctx: FigureContext): string[];
  /** report.html: the row's summary.json index (`data-row`) and CSS class. */
  rowIndex?(r: T, ctx: FigureContext): number | undefined;
  rowClass?(r: T): string | undefined;
  /** report.html: the time series a row opens ("show"), drawn in the browser. */
  drill?(r: T): CellSeries | undefined;
}

/** One column of summary.csv: its name (unit in the name) and the plain text of a model row's value. */
export interface CsvColumn {
  name: string;
  value(r: Row, index: number): string;
}

/** A plot to render: its file name inside plots/ (plotFile()), its title and its Vega-Lite spec. */
export interface PlotJob {
  name: string;
  title: string;
  spec: TopLevelSpec;
  /** The workload the plot belongs to: FINDINGS.md shows it in that workload's section. */
  workload?: string;
}

/** What a figure reads: the model rows and the render options, and the run's records when read. */
export interface FigureContext {
  rows: readonly Row[];
  options: RenderOptions;
  /** The cell records and their time series (FINDINGS.md, report.html); absent for summary.* and the terminal. */
  run?: RunRecords;
}

export interface RunRecords {
  /** Every cell record, completed or not, in execution order. */
  cells: readonly CellRecord[];
  series: readonly CellSeries[];
  /** run.json's effective configs (e.g. PgBouncer `workers`). */
  configs: ReadonlyArray<Record<string, unknown>>;
}

/** What a TL;DR rule reads: the rule context (refs, completed rows, baseline) and the figure context. */
export interface TldrContext extends RuleContext {
  figure: FigureContext;
}
