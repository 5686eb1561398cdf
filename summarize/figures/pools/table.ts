import { POOLS_LISTED } from '../../../src/sampling/pool-summary.js';
import { fmtCores, fmtMs } from '../../model/format.js';
import { POOL_SLOPE_RULE } from '../../model/pools.js';
import { numberColumn } from '../columns.js';
import type { Column, Table } from '../figure.js';
import { fmtCount, fmtOneDecimal, fmtThreeDecimals, fmtWhole } from './format.js';
import {
  POOLS_SHOWN,
  type PoolsRow,
  perGroupProcessConfigs,
  type SlopeRow,
  slopeRows,
  type WaitingRow,
  waitingRows,
} from './rows.js';

const OUTPUTS = ['summary', 'findings', 'html'] as const;
const at = (i: number, path: string) => `/rows/${i}/pools/${path}`;

const costColumns: readonly Column<PoolsRow>[] = [
  { header: 'config', align: 'left', text: (p) => p.row.config },
  { header: 'workload', align: 'left', text: (p) => p.row.workload },
  numberColumn(
    'clients',
    (p) => p.row.concurrency,
    String,
    (p) => `/rows/${p.rowIndex}/concurrency`,
  ),
  numberColumn(
    'reps',
    (p) => p.row.pools.reps,
    String,
    (p) => at(p.rowIndex, 'reps'),
  ),
  numberColumn(
    'pools (peak)',
    (p) => p.row.pools.poolsPeak,
    fmtCount,
    (p) => at(p.rowIndex, 'poolsPeak'),
  ),
  {
    header: 'pools with a client waiting',
    align: 'right',
    // Only the listed pools are known by name: when the list was full of waiting pools, more may have waited.
    text: (p) => `${p.row.pools.waitedComplete ? '' : '≥ '}${fmtCount(p.row.pools.poolsWaited)}`,
    value: (p) => p.row.pools.poolsWaited,
    pointer: (p) => at(p.rowIndex, 'poolsWaited'),
  },
  numberColumn(
    'PgBouncer processes',
    (p) => p.row.pools.cost?.processes,
    fmtCount,
    (p) => at(p.rowIndex, 'cost/processes'),
  ),
  numberColumn(
    'PgBouncer PSS MiB (mean)',
    (p) => p.row.pools.cost?.pssMeanMiB,
    fmtOneDecimal,
    (p) => at(p.rowIndex, 'cost/pssMeanMiB'),
  ),
  numberColumn(
    'PSS per pool KiB',
    (p) => p.row.pools.cost?.pssPerPoolKiB,
    fmtWhole,
    (p) => at(p.rowIndex, 'cost/pssPerPoolKiB'),
  ),
  numberColumn(
    'PgBouncer CPU cores (mean)',
    (p) => p.row.pools.cost?.cpuCoresMean,
    fmtCores,
    (p) => at(p.rowIndex, 'cost/cpuCoresMean'),
  ),
  numberColumn(
    'CPU per pool (millicores)',
    (p) => p.row.pools.cost?.cpuMillicoresPerPool,
    fmtThreeDecimals,
    (p) => at(p.rowIndex, 'cost/cpuMillicoresPerPool'),
  ),
];

const COST_CAPTION =
  "PgBouncer's pools (SHOW POOLS per database and user, every sampler tick) and what they cost it: the peak " +
  'pool count (the most pools listed at one tick, maximum over reps), the pools in which a client waited for a ' +
  "server connection, and PgBouncer's PSS and CPU over the cell (summed over its processes, mean over reps), " +
  "divided by the cell's peak pool count. The per-pool figures include PgBouncer's fixed footprint: an upper " +
  'bound on what one pool costs, not the cost of one more (the marginal cost is below, when the run has two pool counts).';

function costNotes(rows: readonly PoolsRow[]): string[] {
  const notes: string[] = [];
  if (rows.every(({ row }) => row.pools.poolsWaited === 0 && row.pools.waitedComplete))
    notes.push('No pool had a client waiting for a server connection at any sampled tick, in any cell.');
  for (const config of perGroupProcessConfigs(rows))
    notes.push(
      `${config} runs a PgBouncer per mix group (\`pgbouncer_per_group\`): each process lists a pool of the same ` +
        'database and user, and the cell record (written before bench kept each process’s pools apart) sums them into one pool, so its pools cannot be told apart by group ' +
        'here and its per-pool figures divide every process by that count; the resources table has each process (`/group-<name>`).',
    );
  return notes;
}

export const costTable: Table<PoolsRow> = {
  id: 'pools-cost-table',
  in: OUTPUTS,
  title: 'Pools and what they cost PgBouncer',
  columns: () => [...costColumns],
  caption: () => COST_CAPTION,
  notes: costNotes,
  rowIndex: (p) => p.rowIndex,
};

const pool = (i: number, j: number, field: string) => `/rows/${i}/pools/pools/${j}/${field}`;
const poolColumn = (
  header: string,
  field: keyof WaitingRow['pool'] & string,
  format: (x?: number) => string,
) =>
  numberColumn<WaitingRow>(
    header,
    (w) => w.pool[field] as number,
    format,
    (w) => pool(w.rowIndex, w.poolIndex, field),
  );

const waitingColumns: readonly Column<WaitingRow>[] = [
  { header: 'config', align: 'left', text: (w) => w.config },
  { header: 'workload', align: 'left', text: (w) => w.workload },
  numberColumn(
    'clients',
    (w) => w.concurrency,
    String,
    (w) => `/rows/${w.rowIndex}/concurrency`,
  ),
  { header: 'group', align: 'left', text: (w) => w.pool.group ?? '—' },
  { header: 'pool (database / user)', align: 'left', text: (w) => `${w.pool.database} / ${w.pool.user}` },
  poolColumn('reps listed', 'reps', String),
  poolColumn('cl_waiting peak', 'clWaitingPeak', fmtCount),
  poolColumn('cl_waiting mean', 'clWaitingMean', fmtCount),
  poolColumn('maxwait ms peak', 'maxwaitMsPeak', fmtMs),
  poolColumn('cl_active mean', 'clActiveMean', fmtCount),
  poolColumn('cl_active peak', 'clActivePeak', fmtCount),
  poolColumn('sv_active peak', 'svActivePeak', fmtCount),
  poolColumn('sv_idle peak', 'svIdlePeak', fmtCount),
];

const WAITING_CAPTION =
  'The pools in which a client waited for a server connection (cl_waiting above 0, or a maxwait, at some tick), ' +
  `most waiting first, at most ${POOLS_SHOWN} per cell row. Over reps: peaks are the maximum of the reps’ peaks, means the mean ` +
  `of the reps’ means over the reps whose record listed the pool (each record lists the ${POOLS_LISTED} pools that waited most). ` +
  'With `pool_per_group` each group has its own pool (database `<db>__<group>`), with `pgbouncer_per_group` its own ' +
  'process’s pool: its waiting is the group’s.';

export const waitingTable: Table<PoolsRow, WaitingRow> = {
  id: 'pools-waiting-table',
  in: OUTPUTS,
  title: 'Pools in which clients waited',
  select: (rows) => waitingRows(rows),
  columns: () => [...waitingColumns],
  caption: () => WAITING_CAPTION,
  rowIndex: (w) => w.rowIndex,
};

const slope = (s: SlopeRow, field: string) => `/rows/${s.rowIndex}/pools/slopes/${s.slopeIndex}/${field}`;

const slopeColumns: readonly Column<SlopeRow>[] = [
  {
    header: 'over',
    align: 'left',
    text: (s) =>
      s.slope.scope === 'config'
        ? `config ${s.slope.name}`
        : `PgBouncer ${s.slope.name} (${s.slope.configs.join(', ')})`,
  },
  numberColumn(
    'PgBouncer processes',
    (s) => s.slope.processes,
    String,
    (s) => slope(s, 'processes'),
  ),
  numberColumn(
    'cell rows',
    (s) => s.slope.points,
    String,
    (s) => slope(s, 'points'),
  ),
  numberColumn(
    'pools from',
    (s) => s.slope.poolsMin,
    fmtCount,
    (s) => slope(s, 'poolsMin'),
  ),
  numberColumn(
    'pools to',
    (s) => s.slope.poolsMax,
    fmtCount,
    (s) => slope(s, 'poolsMax'),
  ),
  numberColumn(
    'PSS per additional pool KiB',
    (s) => s.slope.pssKiBPerPool,
    fmtWhole,
    (s) => slope(s, 'pssKiBPerPool'),
  ),
  numberColumn(
    'CPU per additional pool (millicores)',
    (s) => s.slope.cpuMillicoresPerPool,
    fmtThreeDecimals,
    (s) => slope(s, 'cpuMillicoresPerPool'),
  ),
  {
    header: 'not stated because',
    align: 'left',
    text: (s) =>
      [s.slope.pssRefused && `PSS: ${s.slope.pssRefused}`, s.slope.cpuRefused && `CPU: ${s.slope.cpuRefused}`]
        .filter(Boolean)
        .join('; ') || '—',
  },
];

const SLOPE_CAPTION =
  'The marginal cost of one more pool: the least-squares slope of PgBouncer’s PSS and CPU (means over reps) ' +
  'against the peak pool count, one point per cell row, over the rows of one config, and over the configs of one ' +
  'PgBouncer version (same process count). PgBouncer’s fixed footprint is the intercept, not in the slope. Stated ' +
  `only when the largest pool count is at least ${POOL_SLOPE_RULE.minFactor} times the smallest and ${POOL_SLOPE_RULE.minSpan} more, and the slope is positive. CPU ` +
  'grows with the transactions through the pools as much as with their number: its slope is the cost of a pool ' +
  'under these workloads, not of an idle one.';

export const slopeTable: Table<PoolsRow, SlopeRow> = {
  id: 'pools-slope-table',
  in: OUTPUTS,
  title: 'Marginal cost of a pool',
  select: (rows) => slopeRows(rows),
  columns: () => [...slopeColumns],
  caption: () => SLOPE_CAPTION,
  rowIndex: (s) => s.rowIndex,
};
