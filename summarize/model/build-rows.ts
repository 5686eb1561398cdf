import type { LatencyHistogram } from '../../src/pgbench/histogram.js';
import type { CellRecord, CompletedCell, FailedCell } from '../../src/results/types.js';
import { attachAlone } from './alone.js';
import { clientRowFigures } from './clients.js';
import { notComparable } from './comparable.js';
import { tlsFigures, withPerCore } from './connections-per-core.js';
import { attachContrasts } from './contrasts.js';
import { groupClientsOf, rowCells } from './group-cells.js';
import { percentilesMs, us2ms } from './histogram-ms.js';
import type { MatrixInfo } from './matrix-info.js';
import { attachPssSlopes } from './memory-slope.js';
import { loadFigures } from './offered-load.js';
import { pairedRatioCi } from './paired-ratio.js';
import { attachPoolSlopes } from './pool-slope.js';
import { aggregatePools } from './pools.js';
import { profiledWarnings } from './profiled.js';
import {
  type CellOutcome,
  DEFAULT_THRESHOLDS,
  type GroupKey,
  groupId,
  type IsolationFigures,
  type LatencyFigures,
  pairKey,
  type RepSample,
  type Row,
  type SpectrumPoint,
  type Thresholds,
  type Warning,
} from './row.js';
import { aggregateSampling } from './sampling.js';
import { describe, madOutliers, ratio } from './stats.js';
import { latencySummaryOf, tenantCopyOf, tenantSpread } from './tenant-template.js';
import { type FigureWarnings, rowWarnings } from './warnings.js';

export interface AggregateInput {
  /** Every cell record of the run(s), the latest record per cell id. */
  cells: readonly CellRecord[];
  matrix: MatrixInfo;
  /**
   * The latency histogram of a completed cell, or undefined when it has none. Called once per cell,
   * one group at a time, so only one group's histograms are alive at once: memory is bounded by
   * the largest group, not the run. The returned object may be mutated (merged into).
   */
  histogramOf?: (cell: CompletedCell) => LatencyHistogram | undefined;
  thresholds?: Partial<Thresholds>;
  /** Cores of the machine the cells ran on (run.json host.cpus), for the whole-machine CPU warning. */
  hostCpus?: number;
  /** The warnings the report's figures raise per row (passed in: the model does not know the figures). */
  figureWarnings?: FigureWarnings;
}

export interface Aggregate {
  rows: Row[];
  warnings: Warning[];
  /** The config ratios are taken against, when the matrix names one (or has exactly one direct config). */
  baseline?: string;
}

/**
 * Builds one row per (config, workload, concurrency) over reps. Only `completed` cells feed the
 * numbers; failed, timed-out and interrupted cells are counted and listed, never averaged.
 */
export function buildRows(input: AggregateInput): Aggregate {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  const groups = new Map<
    string,
    { key: GroupKey; cells: CellRecord[]; copies?: Map<string, CellRecord[]> }
  >();
  const tenantGroups = (w: string) => input.matrix.workloads.find((x) => x.name === w)?.tenantGroups;
  // A mix cell is also one cell per client group, each keyed by its group (model/group-cells.ts).
  for (const { key, cell, copies } of input.cells.flatMap((c) => rowCells(c, tenantGroups(c.workload)))) {
    const id = groupId(key);
    const g = groups.get(id) ?? { key, cells: [] };
    g.cells.push(cell);
    if (copies) g.copies = (g.copies ?? new Map()).set(cell.id, copies);
    groups.set(id, g);
  }
  const baseline = chooseBaseline(input.matrix, input.cells);
  const ordered = [...groups.values()].sort((a, b) => compareKeys(a.key, b.key, input.matrix));
  const rows = ordered.map((g) =>
    g.copies
      ? templateRow(g.key, g.cells, g.copies, input, baseline)
      : buildRow(g.key, g.cells, input, baseline),
  );
  markTenants(rows, tenantGroups);
  attachBaseline(rows, baseline);
  attachContrasts(rows, baseline, input.matrix.compare);
  attachAlone(rows, baseline);
  attachPssSlopes(rows);
  attachPoolSlopes(rows);
  const profiled = profiledWarnings(input.cells);
  markProfiled(rows, profiled);
  const warnings = [
    ...rows.flatMap((r) => copyWarnings(r, rowWarnings(r, thresholds, input.hostCpus, input.figureWarnings))),
    ...profiled,
  ];
  return baseline === undefined ? { rows, warnings } : { rows, warnings, baseline };
}

/**
 * A template's copies keep the warnings that say something went wrong in that tenant (failures,
 * errors, starved clients); their noise and rep-count warnings are their template row's to say,
 * once, rather than a thousand times.
 */
const COPY_NOISE = new Set<Warning['kind']>(['high-cv', 'few-reps', 'outlier-rep', 'latency-incomplete']);
function copyWarnings(r: Row, ws: Warning[]): Warning[] {
  return r.tenantCopyOf === undefined ? ws : ws.filter((w) => !COPY_NOISE.has(w.kind));
}

/** Marks a template's copies, and gives the template's row the spread across them. */
function markTenants(rows: Row[], tenantGroups: (workload: string) => readonly string[] | undefined): void {
  const copies = new Map<string, Row[]>();
  for (const r of rows) {
    const t = r.group === undefined ? undefined : tenantCopyOf(r.group, tenantGroups(r.workload));
    if (!t) continue;
    r.tenantCopyOf = t.template;
    const k = groupId({ ...r, group: t.template });
    copies.set(k, [...(copies.get(k) ?? []), r]);
  }
  for (const r of rows) {
    const spread = copies.has(groupId(r)) ? tenantSpread(copies.get(groupId(r)) ?? []) : undefined;
    if (spread && r.tenantCopyOf === undefined) r.tenants = spread;
  }
}

/**
 * A template's row (model/tenant-template.ts): each completed cell's histogram is its copies'
 * histograms in that cell merged (each read once, here), and gives the cell its latency summary, so
 * the row's per-rep p99 (paired comparisons) and its merged percentiles come from the copies' own.
 */
function templateRow(
  key: GroupKey,
  cells: readonly CellRecord[],
  copies: ReadonlyMap<string, readonly CellRecord[]>,
  input: AggregateInput,
  baseline: string | undefined,
): Row {
  const merged = new Map<string, LatencyHistogram>();
  const withLatency = cells.map((c): CellRecord => {
    const parts = copies.get(c.id) ?? [];
    const h = c.state === 'completed' ? mergedHistogram(parts, input.histogramOf) : undefined;
    if (c.state !== 'completed' || !h) return c;
    merged.set(c.id, h);
    return { ...c, latency: latencySummaryOf(h, parts) };
  });
  return buildRow(key, withLatency, { ...input, histogramOf: (c) => merged.get(c.id) }, baseline);
}

function mergedHistogram(
  cells: readonly CellRecord[],
  histogramOf: AggregateInput['histogramOf'],
): LatencyHistogram | undefined {
  let merged: LatencyHistogram | undefined;
  for (const c of cells) {
    const h = c.state === 'completed' ? histogramOf?.(c) : undefined;
    if (!h || h.count === 0) continue;
    merged = merged ? merged.merge(h) : h;
  }
  return merged;
}

/** Rows whose cells ran under perf record (a `profiled` warning names their group). */
function markProfiled(rows: Row[], profiled: readonly { group?: GroupKey }[]): void {
  const ids = new Set(profiled.flatMap((w) => (w.group ? [groupId(w.group)] : [])));
  for (const r of rows) if (ids.has(groupId(r))) r.profiled = true;
}

function chooseBaseline(m: MatrixInfo, cells: readonly CellRecord[]): string | undefined {
  if (m.baseline !== undefined) return m.baseline;
  // A matrix without a baseline but with exactly one direct path: that path is the obvious reference.
  const direct = m.configs.filter((c) => c.kind === 'direct');
  if (direct.length === 1 && cells.some((c) => c.config === direct[0]?.name)) return direct[0]?.name;
  return undefined;
}

function orderIndex(list: readonly { name: string }[], name: string): number {
  const i = list.findIndex((x) => x.name === name);
  return i === -1 ? Number.MAX_SAFE_INTEGER : i;
}

/** Matrix order for configs and workloads (names not in the matrix last, by name), clients ascending. */
function compareKeys(a: GroupKey, b: GroupKey, m: MatrixInfo): number {
  return (
    orderIndex(m.workloads, a.workload) - orderIndex(m.workloads, b.workload) ||
    a.workload.localeCompare(b.workload) ||
    orderIndex(m.configs, a.config) - orderIndex(m.configs, b.config) ||
    a.config.localeCompare(b.config) ||
    a.concurrency - b.concurrency ||
    // A mix's total first, then its groups in the order the matrix lists them.
    groupIndex(m, a) - groupIndex(m, b)
  );
}

/**
 * -1 for a row without a group (a mix's total), else the group's position in the mix; a template's
 * copies follow its row, by database, then role.
 */
function groupIndex(m: MatrixInfo, k: GroupKey): number {
  if (k.group === undefined) return -1;
  const w = m.workloads.find((x) => x.name === k.workload);
  const copy = tenantCopyOf(k.group, w?.tenantGroups);
  const i = w?.groups?.indexOf(copy?.template ?? k.group) ?? -1;
  if (i === -1) return Number.MAX_SAFE_INTEGER;
  return copy ? i + (copy.database * 100_000 + copy.role) / 1e11 : i;
}

function isReconnect(key: GroupKey, cells: readonly CellRecord[], m: MatrixInfo): boolean {
  // A group's own argv says it; the mix's workload has no reconnect of its own.
  const declared =
    key.group === undefined ? m.workloads.find((w) => w.name === key.workload)?.reconnect : undefined;
  if (declared !== undefined) return declared;
  return cells.some(
    (c) =>
      c.argv.includes('-C') ||
      c.argv.includes('--connect') ||
      c.summary?.tpsBasis === 'including-reconnection',
  );
}

function buildRow(
  key: GroupKey,
  cells: CellRecord[],
  input: AggregateInput,
  baseline: string | undefined,
): Row {
  const m = input.matrix;
  const completed = cells
    .filter((c): c is CompletedCell => c.state === 'completed')
    .sort((a, b) => a.rep - b.rep);
  const notDone = cells.filter((c): c is FailedCell => c.state !== 'completed').sort((a, b) => a.rep - b.rep);
  const outcome = (c: FailedCell): CellOutcome => ({
    cellId: c.id,
    rep: c.rep,
    state: c.state,
    reason: c.reason,
  });
  const samples: RepSample[] = completed.map((c) => ({
    cellId: c.id,
    rep: c.rep,
    tps: c.summary.tps ?? Number.NaN,
    ...(c.latency ? { p99Ms: c.latency.p99Ms, latencyMeanMs: c.latency.meanMs } : {}),
    ...(c.summary.averageConnectionMs !== undefined ? { connectionMs: c.summary.averageConnectionMs } : {}),
    processed: c.summary.processed,
    failedTransactions: c.summary.failed,
    outlier: false,
  }));
  const tpsValues = samples.map((s) => s.tps).filter((t) => Number.isFinite(t));
  for (const i of madOutliers(samples.map((s) => s.tps))) {
    const s = samples[i];
    if (s) s.outlier = true;
  }
  const conn = samples.flatMap((s) => (s.connectionMs === undefined ? [] : [s.connectionMs]));
  const reconnect = isReconnect(key, cells, m);
  const cfg = m.configs.find((c) => c.name === key.config);
  const latency = mergeLatency(completed, input.histogramOf);
  const sampling = aggregateSampling(completed.map((c) => c.sampling));
  const isolation = isolationOf(cells);
  const pools = aggregatePools(completed);
  const load = loadFigures(completed);
  const clients = clientRowFigures(completed, {
    maxwaitMsPeak: sampling?.maxwaitMsPeak,
    rateLimited: load !== undefined || completed.some((c) => c.argv.some((a) => /^(-R|--rate)/.test(a))),
  });
  const groupClients = groupClientsOf(cells, key.group);
  const row: Row = {
    ...key,
    ...(groupClients === undefined ? {} : { groupClients }),
    ...(cfg?.kind !== undefined ? { configKind: cfg.kind } : {}),
    ...(cfg?.poolMode !== undefined ? { poolMode: cfg.poolMode } : {}),
    reconnect,
    isBaseline: key.config === baseline,
    ...(m.reps !== undefined ? { repsPlanned: m.reps } : {}),
    repsCompleted: completed.length,
    tps: describe(tpsValues),
    ...(latency ? { latency } : {}),
    ...(reconnect && conn.length > 0 ? { connectionMs: describe(conn) } : {}),
    processed: sum(completed.map((c) => c.summary.processed)),
    failedTransactions: sum(completed.map((c) => c.summary.failed)),
    connectionErrors: sum(completed.map((c) => c.connectionErrors ?? 0)),
    ...(completed.some((c) => c.abortedClients)
      ? { abortedClients: sum(completed.map((c) => c.abortedClients ?? 0)) }
      : {}),
    abortedReps: completed.filter((c) => c.summary.aborted).length,
    failedCells: notDone.filter((c) => c.state !== 'skipped').map(outcome),
    skippedCells: notDone.filter((c) => c.state === 'skipped').map(outcome),
    ...(sampling ? { sampling } : {}),
    ...(pools ? { pools } : {}),
    ...(isolation ? { isolation } : {}),
    ...tlsFigures(completed),
    samples,
    ...(load ? { load } : {}),
    ...(clients ? { clients } : {}),
  };
  return withPerCore(row);
}

/** `isolation: 3 foreign client backends (...)`, as src/runner/isolation.ts writes it. */
const ISOLATION_LINE = /^isolation: (\d+) foreign client backends?\b/;

/**
 * The runner's isolation check over every cell of a group, completed or not (a cell that found
 * foreign backends and did not run is part of the record). Undefined when no cell has the line.
 */
export function isolationOf(cells: readonly CellRecord[]): IsolationFigures | undefined {
  const found = cells.flatMap((c) => {
    for (const line of c.prepared ?? []) {
      const m = ISOLATION_LINE.exec(line);
      if (m) return [Number(m[1])];
    }
    return [];
  });
  if (found.length === 0) return undefined;
  return {
    cellsChecked: found.length,
    cellsWithForeign: found.filter((n) => n > 0).length,
    foreignMax: Math.max(...found),
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/**
 * Latency percentiles of a group: every completed rep's exact per-µs histogram merged, then the
 * nearest-rank percentile of the merged counts. Averaging per-rep percentiles would be wrong (the
 * mean of p99s is not the p99 of the union). Without histograms, a single rep's own summary is
 * exact too; several reps without histograms have no percentiles to offer.
 */
function mergeLatency(
  completed: CompletedCell[],
  histogramOf: AggregateInput['histogramOf'],
): LatencyFigures | undefined {
  let merged: LatencyHistogram | undefined;
  let reps = 0;
  for (const c of completed) {
    const h = histogramOf?.(c);
    if (!h || h.count === 0) continue;
    if (merged) merged.merge(h);
    else merged = h;
    reps++;
  }
  if (merged) {
    return {
      source: 'merged-histograms',
      reps,
      count: merged.count,
      meanMs: us2ms(merged.mean),
      ...percentilesMs(merged),
      maxMs: us2ms(merged.max),
      spectrum: spectrumOf(merged),
    };
  }
  const only = completed.length === 1 ? completed[0]?.latency : undefined;
  if (only) {
    return {
      source: 'single-rep',
      reps: 1,
      count: only.count,
      meanMs: only.meanMs,
      p50Ms: only.p50Ms,
      p90Ms: only.p90Ms,
      p95Ms: only.p95Ms,
      p99Ms: only.p99Ms,
      p999Ms: only.p999Ms,
      maxMs: only.maxMs,
    };
  }
  return undefined;
}

/** The percentiles the spectrum plot may show, when the count supports them (SPECTRUM_RULE). */
export const SPECTRUM_PERCENTILES = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999] as const;

/**
 * A percentile p is shown only when at least SPECTRUM_MIN_TAIL transactions lie above it, i.e.
 * count · (1 − p/100) >= 10: p99.99 needs 100 000 transactions. With fewer, the "percentile" is one
 * of the few largest values, and plotting it as a tail estimate would overstate what was measured.
 */
export const SPECTRUM_MIN_TAIL = 10;
export const SPECTRUM_RULE = `a percentile p is shown only when at least ${SPECTRUM_MIN_TAIL} transactions lie above it (count × (1 − p/100) ≥ ${SPECTRUM_MIN_TAIL}; p99.99 needs 100 000)`;

export function spectrumSupported(p: number, count: number): boolean {
  // Rounded: binary floating point must not turn 100 000 · 0.0001 into 9.999999.
  return Math.round(count * (100 - p) * 1e6) / 1e8 >= SPECTRUM_MIN_TAIL;
}

function spectrumOf(h: LatencyHistogram): SpectrumPoint[] {
  const ps = SPECTRUM_PERCENTILES.filter((p) => spectrumSupported(p, h.count));
  const values = h.percentiles(ps);
  return ps.map((p, i) => ({ p, ms: us2ms(values[i] as number) }));
}

/** Ratios to the baseline config at the same workload and concurrency, uncertainty from both sides. */
function attachBaseline(rows: Row[], baseline: string | undefined): void {
  if (baseline === undefined) return;
  const byKey = new Map(rows.filter((r) => r.config === baseline).map((r) => [pairKey(r), r]));
  for (const r of rows) {
    if (r.config === baseline) continue;
    const b = byKey.get(pairKey(r));
    if (!b || b.tps.n === 0 || r.tps.n === 0) continue;
    const why = notComparable(r, b);
    if (why) {
      r.unpaired = `${why} than ${baseline}`;
      continue;
    }
    const { ratio: tpsRatio, error } = ratio(r.tps.mean, r.tps.std, b.tps.mean, b.tps.std);
    const ci = pairedRatioCi(r, b);
    r.vsBaseline = {
      config: baseline,
      tpsRatio,
      tpsRatioError: error,
      ...(ci ? { tpsRatioCi95: ci } : {}),
      ...(r.latency && b.latency && b.latency.p99Ms > 0
        ? { p99Ratio: r.latency.p99Ms / b.latency.p99Ms }
        : {}),
    };
  }
}
