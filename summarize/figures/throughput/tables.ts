import {
  fixed,
  fmtCores,
  fmtInt,
  fmtMiB,
  fmtMs,
  fmtPct,
  fmtRatio,
  fmtTps,
  isNum,
  MISSING,
  meanPm,
  msDecimals,
  range,
  ratioDecimals,
  tpsDecimals,
} from '../../model/format.js';
import { type RoleFigures, roleFigures, sumNote } from '../../model/role-figures.js';
import type { Row } from '../../model/row.js';
import { RULES } from '../../model/rules.js';
import { numberColumn } from '../columns.js';
import type { Column, FigureContext, Table } from '../figure.js';
import { repsCell, rowNotes } from './notes.js';
import { templateGroupText, tenantColumns, tenantNote } from './tenant-columns.js';

const left = (header: string, text: (r: Row) => string): Column<Row> => ({ header, align: 'left', text });
const right = (header: string, text: (r: Row) => string): Column<Row> => ({ header, align: 'right', text });

function vsBaseline(r: Row): string {
  if (r.isBaseline) return 'baseline';
  const v = r.vsBaseline;
  if (!v || !isNum(v.tpsRatio)) return MISSING;
  const d = ratioDecimals(v.tpsRatio);
  return isNum(v.tpsRatioError)
    ? `${fixed(v.tpsRatio, d)} ± ${fixed(v.tpsRatioError, d)}`
    : fixed(v.tpsRatio, d);
}

const tpsPm = right('TPS (mean ± σ)', (r) => meanPm(r.tps.mean, r.tps.std, tpsDecimals));
const tpsRange = right('TPS (min … max)', (r) => range(r.tps.min, r.tps.max, tpsDecimals));
const notes = (ctx: FigureContext) => left('notes', (r) => rowNotes(r, ctx.options.warnings).join('; '));

/**
 * A mix's client groups (docs/tenants.md): in runs that have one, a `group` column (`total` on the
 * mix's own row, which sums its groups) and each group's clients; no column otherwise.
 */
function groupColumns(rows: readonly Row[]): Column<Row>[] {
  if (!rows.some((r) => r.group !== undefined)) return [];
  const mixes = new Set(rows.filter((r) => r.group !== undefined).map((r) => r.workload));
  return [
    left('group', (r) => templateGroupText(r) ?? r.group ?? (mixes.has(r.workload) ? 'total' : '')),
    right('group clients', (r) => (r.groupClients === undefined ? '' : String(r.groupClients))),
  ];
}

/** PgBouncer's waiting clients, in the main tables when a row has an admin console to ask. */
const waits = (rows: readonly Row[]) => rows.some((r) => r.sampling?.clWaitingPeak !== undefined);

function workloadColumns(rows: readonly Row[], ctx: FigureContext): Column<Row>[] {
  const baseline = ctx.options.baseline;
  const reconnect = rows.some((r) => r.reconnect);
  return [
    left('config', (r) => r.config),
    right('clients', (r) => String(r.concurrency)),
    ...groupColumns(rows),
    right('reps', repsCell),
    tpsPm,
    tpsRange,
    right('TPS 95% CI (±)', (r) => (isNum(r.tps.ci95) ? fmtTps(r.tps.ci95) : MISSING)),
    right('CV', (r) => fmtPct(r.tps.cv)),
    ...(baseline ? [right(`TPS × ${baseline}`, vsBaseline)] : []),
    right('p50 (ms)', (r) => fmtMs(r.latency?.p50Ms)),
    right('p90 (ms)', (r) => fmtMs(r.latency?.p90Ms)),
    right('p99 (ms)', (r) => fmtMs(r.latency?.p99Ms)),
    right('p99.9 (ms)', (r) => fmtMs(r.latency?.p999Ms)),
    right('max (ms)', (r) => fmtMs(r.latency?.maxMs)),
    ...(reconnect
      ? [
          right('connect (ms)', (r) =>
            r.connectionMs ? meanPm(r.connectionMs.mean, r.connectionMs.std, msDecimals) : MISSING,
          ),
        ]
      : []),
    ...(waits(rows)
      ? [
          right('cl_waiting (peak)', (r) => fmtInt(r.sampling?.clWaitingPeak)),
          right('maxwait (ms, peak)', (r) => fmtMs(r.sampling?.maxwaitMsPeak)),
        ]
      : []),
    right('failed tx', (r) => fmtInt(r.failedTransactions)),
    ...tenantColumns(rows),
    notes(ctx),
  ];
}

/** The main table of one workload: TPS over reps, latency from merged histograms, ratio to the baseline. */
export const workloadTable: Table<Row> = {
  id: 'workload-table',
  in: ['summary', 'findings'],
  perWorkload: (r) => r.workload,
  columns: workloadColumns,
  notes: (rows) => [
    ...(rows.some((r) => r.reconnect) ? [`Note: ${RULES.reconnect}`] : []),
    ...tenantNote(rows),
  ],
};

/** The pooler's (or proxy's) CPU, summed over its processes (PgBouncer `workers: N`). */
function poolerCpu(r: Row): RoleFigures | undefined {
  const role = r.sampling?.components.find((c) => c.role !== 'postgres' && isNum(c.cpuCoresMean))?.role;
  return role === undefined ? undefined : roleFigures(r, role);
}

function resultColumns(rows: readonly Row[], ctx: FigureContext): Column<Row>[] {
  const at = (r: Row, p: string) => `/rows/${ctx.rows.indexOf(r)}/${p}`;
  const n = (header: string, path: string, get: (r: Row) => number | undefined, f: (x?: number) => string) =>
    numberColumn(header, get, f, (r) => at(r, path));
  const summed = rows.some((r) => (poolerCpu(r)?.processes ?? 1) > 1);
  return [
    left('workload', (r) => r.workload),
    left('config', (r) => r.config),
    n('clients', 'concurrency', (r) => r.concurrency, String),
    ...groupColumns(rows),
    n('reps', 'repsCompleted', (r) => r.repsCompleted, String),
    n('TPS (mean)', 'tps/mean', (r) => r.tps.mean, fmtTps),
    n('± 95% CI', 'tps/ci95', (r) => r.tps.ci95, fmtTps),
    n('CV', 'tps/cv', (r) => r.tps.cv, fmtPct),
    n('p50 ms', 'latency/p50Ms', (r) => r.latency?.p50Ms, fmtMs),
    n('p99 ms', 'latency/p99Ms', (r) => r.latency?.p99Ms, fmtMs),
    n('p99.9 ms', 'latency/p999Ms', (r) => r.latency?.p999Ms, fmtMs),
    n('max ms', 'latency/maxMs', (r) => r.latency?.maxMs, fmtMs),
    n('TPS vs baseline', 'vsBaseline/tpsRatio', (r) => r.vsBaseline?.tpsRatio, fmtRatio),
    n('server backends (peak)', 'sampling/serverBackendsPeak', (r) => r.sampling?.serverBackendsPeak, fmtInt),
    {
      header: summed
        ? 'pooler/proxy CPU (cores; sum over its N processes where marked)'
        : 'pooler/proxy CPU (cores)',
      align: 'right',
      text: (r) => {
        const pg = poolerCpu(r);
        return fmtCores(pg?.cpuCoresMean) + sumNote(pg);
      },
      value: (r) => poolerCpu(r)?.cpuCoresMean,
      // A sum has no one place in summary.json: only a single process's figure carries a pointer.
      pointer: (r) => {
        const i = poolerCpu(r)?.index;
        return i === undefined ? undefined : at(r, `sampling/components/${i}/cpuCoresMean`);
      },
    },
    ...(waits(rows)
      ? [
          n('cl_waiting (peak)', 'sampling/clWaitingPeak', (r) => r.sampling?.clWaitingPeak, fmtInt),
          n('maxwait ms (peak)', 'sampling/maxwaitMsPeak', (r) => r.sampling?.maxwaitMsPeak, fmtMs),
        ]
      : []),
    n('failed tx', 'failedTransactions', (r) => r.failedTransactions, fmtInt),
    ...tenantColumns(rows, at),
  ];
}

/** report.html's results: one row per group, every number from summary.json, sortable. */
export const resultsTable: Table<Row> = {
  id: 'results-table',
  in: ['html'],
  columns: resultColumns,
  caption: () =>
    "One row per config × workload × clients over its completed reps. Click a column header to sort. Latency percentiles: nearest rank over every transaction of every rep (merged histograms). Every number is summary.json's.",
  notes: tenantNote,
  rowIndex: (r, ctx) => ctx.rows.indexOf(r),
};

/**
 * Peak PSS of every sampled component, postgres first ("212.0 / 6.3"); "n/r" where PSS was not
 * read (the warnings say why), "–" without sampling.
 */
function pssColumn(r: Row): string {
  const cs = [...(r.sampling?.components ?? [])].sort(
    (a, b) => Number(b.role === 'postgres') - Number(a.role === 'postgres') || a.name.localeCompare(b.name),
  );
  if (cs.length === 0) return MISSING;
  return cs
    .map((c) => (isNum(c.pssPeakBytes) ? fmtMiB(c.pssPeakBytes) : c.pssMissing ? 'n/r' : MISSING))
    .join(' / ');
}

/** The terminal table the CLI prints: one row per group, the workload as the first column. */
export const terminalTable: Table<Row> = {
  id: 'terminal-table',
  in: ['terminal'],
  columns: (rows, ctx) => {
    const baseline = ctx.options.baseline;
    return [
      left('workload', (r) => r.workload),
      left('config', (r) => r.config),
      right('clients', (r) => String(r.concurrency)),
      ...groupColumns(rows),
      right('reps', repsCell),
      { ...tpsPm, header: 'TPS mean ± σ' },
      { ...tpsRange, header: 'TPS min … max' },
      ...(baseline ? [right(`× ${baseline}`, vsBaseline)] : []),
      right('p50 ms', (r) => fmtMs(r.latency?.p50Ms)),
      right('p99 ms', (r) => fmtMs(r.latency?.p99Ms)),
      right('max ms', (r) => fmtMs(r.latency?.maxMs)),
      right('failed tx', (r) => fmtInt(r.failedTransactions)),
      right('PSS MiB (pg / others)', pssColumn),
      ...tenantColumns(rows),
      notes(ctx),
    ];
  },
};
