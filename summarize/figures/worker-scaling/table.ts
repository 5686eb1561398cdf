import { fmtCores, fmtMiB, fmtRatio, fmtTps } from '../../model/format.js';
import { fixedTable, numberColumn } from '../columns.js';
import type { Column } from '../figure.js';
import type { ScalingRow } from './scaling.js';

/** The busiest worker's own CPU in summary.json. */
const busiestPointer = (s: ScalingRow) =>
  s.busiestIndex === undefined
    ? undefined
    : `/rows/${s.rowIndex}/sampling/components/${s.busiestIndex}/cpuCoresMean`;

/** The worker-scaling columns: throughput and pooler CPU per worker count. */
export const scalingColumns: readonly Column<ScalingRow>[] = [
  { header: 'config', align: 'left', text: (s) => s.config },
  { header: 'workload', align: 'left', text: (s) => s.workload },
  numberColumn('clients', (s) => s.concurrency, String),
  numberColumn('workers', (s) => s.workers, String),
  numberColumn(
    'TPS',
    (s) => s.tps,
    fmtTps,
    (s) => `/rows/${s.rowIndex}/tps/mean`,
  ),
  numberColumn('TPS per worker', (s) => s.tpsPerWorker, fmtTps),
  numberColumn('pooler CPU (cores, all workers)', (s) => s.poolerCpu, fmtCores),
  numberColumn('CPU per worker', (s) => s.cpuPerWorker, fmtCores),
  numberColumn('busiest worker CPU', (s) => s.busiestWorkerCpu, fmtCores, busiestPointer),
  numberColumn('TPS per pooler core', (s) => s.tpsPerPoolerCore, fmtTps),
  numberColumn(
    'TPS vs fewest workers',
    (s) => s.vsFewest,
    (x) => (x === undefined ? '—' : `${fmtRatio(x)}x`),
  ),
  numberColumn('pooler PSS MiB (all workers)', (s) => s.poolerPssBytes, fmtMiB),
];

const SCALING_CAPTION =
  'Throughput and pooler CPU per PgBouncer worker count (mean over completed reps; CPU is the mean of each ' +
  "worker's process tree over the measured window, summed over workers). pgbench, PostgreSQL and every worker " +
  'share the same cores: when the host is saturated, more workers cannot add throughput.';

export const scalingTable = fixedTable(
  'scaling-table',
  ['findings', 'html'],
  scalingColumns,
  SCALING_CAPTION,
);
