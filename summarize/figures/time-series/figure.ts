import type { CellRecord } from '../../../src/results/types.js';
import { type CellSeries, MAX_GROUP_SERIES } from '../../model/cell-series.js';
import { fmtInt, fmtMs, fmtTps } from '../../model/format.js';
import type { RepSample, Row } from '../../model/row.js';
import { numberColumn } from '../columns.js';
import type { Column, Figure, FigureContext, Table } from '../figure.js';

/** A cell record with its rep's figures and where they are in summary.json (/rows/i/samples/j). */
interface CellRow {
  cell: CellRecord;
  series?: CellSeries;
  sample?: RepSample;
  pointer?: string;
}

function rows(ctx: FigureContext): CellRow[] {
  const at = new Map<string, { sample: RepSample; pointer: string }>();
  ctx.rows.forEach((r: Row, i) => {
    r.samples.forEach((s, j) => {
      // A mix's group rows share the cell's id: the cell's own figures are its total row's (first).
      if (!at.has(s.cellId)) at.set(s.cellId, { sample: s, pointer: `/rows/${i}/samples/${j}` });
    });
  });
  const series = new Map((ctx.run?.series ?? []).map((s) => [s.cellId, s]));
  return (ctx.run?.cells ?? []).map((cell) => {
    const s = series.get(cell.id);
    return { cell, ...at.get(cell.id), ...(s ? { series: s } : {}) };
  });
}

const sampleNumber = (
  header: string,
  key: 'tps' | 'p99Ms' | 'processed' | 'failedTransactions',
  format: (x: number | undefined) => string,
): Column<CellRow> =>
  numberColumn(
    header,
    (r) => r.sample?.[key],
    format,
    (r) => (r.pointer ? `${r.pointer}/${key}` : undefined),
  );

const failedReason = (r: CellRow) => (r.cell.state === 'completed' ? undefined : r.cell.reason);

const cellsTable: Table<CellRow> = {
  id: 'cells-table',
  in: ['html'],
  columns: () => [
    { header: 'cell', align: 'left', text: (r) => r.cell.id },
    { header: 'config', align: 'left', text: (r) => r.cell.config },
    { header: 'workload', align: 'left', text: (r) => r.cell.workload },
    numberColumn('clients', (r) => r.cell.concurrency, String),
    numberColumn('rep', (r) => r.cell.rep, String),
    {
      header: 'state',
      align: 'left',
      text: (r) => r.cell.state,
      title: failedReason,
      cssClass: (r) => `state-${r.cell.state}`,
    },
    sampleNumber('TPS', 'tps', fmtTps),
    sampleNumber('p99 ms', 'p99Ms', fmtMs),
    sampleNumber('transactions', 'processed', fmtInt),
    sampleNumber('failed tx', 'failedTransactions', fmtInt),
  ],
  caption: () =>
    `One row per cell (config × workload × clients × rep). **show** draws its seconds: throughput and p50/p99 latency per second from the per-transaction log (pgbench's own -P line beside it), failed transactions, server backends of the config's role, PgBouncer's pools, and CPU and PSS per component from the samplers. A cell of client groups (\`mix:\`) also draws each group's own throughput, p50/p99 and schedule lag per second, from its own per-transaction logs, labelled with its name (\`web tps\`, \`web p99\`) beside the cell's total; a cell of more than ${MAX_GROUP_SERIES} groups (a \`tenant: each\` group's copies) draws its total only.`,
  openAll: true,
  rowId: (r) => `cell-${r.cell.id}`,
  drill: (r) => r.series,
  drillNote: failedReason,
};

/** Every cell over time (report.html): one row per cell, opening its per-second series. */
export const timeSeriesFigure: Figure<CellRow> = {
  id: 'time-series',
  section: { id: 'cells', title: 'Cells over time', detail: true },
  applies: (ctx) => (ctx.run?.cells.length ?? 0) > 0,
  rows,
  tables: [cellsTable],
};
