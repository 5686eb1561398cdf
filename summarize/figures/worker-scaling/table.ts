import { fmtCores, fmtMiB, fmtRatio, fmtTps } from '../../model/format.js';
import type { Column, Table } from '../figure.js';
import type { ScalingRow } from './scaling.js';

const num = (
  header: string,
  get: (s: ScalingRow) => number | undefined,
  format: (x: number | undefined) => string,
  pointer?: (s: ScalingRow) => string | undefined,
): Column<ScalingRow> => ({
  header,
  align: 'right',
  text: (s) => format(get(s)),
  value: get,
  ...(pointer ? { pointer } : {}),
});

/** The worker-scaling columns: throughput and pooler CPU per worker count. */
export const scalingColumns: readonly Column<ScalingRow>[] = [
  { header: 'config', align: 'left', text: (s) => s.config },
  { header: 'workload', align: 'left', text: (s) => s.workload },
  num('clients', (s) => s.concurrency, String),
  num('workers', (s) => s.workers, String),
  num(
    'TPS',
    (s) => s.tps,
    fmtTps,
    (s) => `/rows/${s.rowIndex}/tps/mean`,
  ),
  num('TPS per worker', (s) => s.tpsPerWorker, fmtTps),
  num('pooler CPU (cores, all workers)', (s) => s.poolerCpu, fmtCores),
  num('CPU per worker', (s) => s.cpuPerWorker, fmtCores),
  num(
    'busiest worker CPU',
    (s) => s.busiestWorkerCpu,
    fmtCores,
    (s) =>
      s.busiestIndex === undefined
        ? undefined
        : `/rows/${s.rowIndex}/sampling/components/${s.busiestIndex}/cpuCoresMean`,
  ),
  num('TPS per pooler core', (s) => s.tpsPerPoolerCore, fmtTps),
  num(
    'TPS vs fewest workers',
    (s) => s.vsFewest,
    (x) => (x === undefined ? '—' : `${fmtRatio(x)}x`),
  ),
  num('pooler PSS MiB (all workers)', (s) => s.poolerPssBytes, fmtMiB),
];

const SCALING_CAPTION =
  'Throughput and pooler CPU per PgBouncer worker count (mean over completed reps; CPU is the mean of each ' +
  "worker's process tree over the measured window, summed over workers). pgbench, PostgreSQL and every worker " +
  'share the same cores: when the host is saturated, more workers cannot add throughput.';

export const scalingTable: Table<ScalingRow> = {
  id: 'scaling-table',
  in: ['findings', 'html'],
  columns: () => [...scalingColumns],
  caption: () => SCALING_CAPTION,
};
