import type { CellSeries } from '../../model/cell-series.js';
import type { Row } from '../../model/row.js';
import type { Table } from '../figure.js';
import { profileSeries } from './profile-series.js';

const count = (header: string, get: (p: CellSeries) => number) => ({
  header,
  align: 'right' as const,
  text: (p: CellSeries) => String(get(p)),
  value: get,
});

/** report.html: one row per profile run (config × workload × clients × rep), each opening its whole profile. */
export const profilesTable: Table<Row, CellSeries> = {
  id: 'profiles-table',
  in: ['html'],
  title: 'Profiles over time',
  select: (_rows, ctx) => (ctx.run ? profileSeries(ctx.run.series, ctx.run.cells) : []),
  columns: () => [
    { header: 'config', align: 'left', text: (p) => p.config },
    { header: 'workload', align: 'left', text: (p) => p.workload },
    count('clients', (p) => p.concurrency),
    count('rep', (p) => p.rep),
    count('segments', (p) => p.events.length),
  ],
  caption: () =>
    "Each profile's segments on one time axis: offered rate (pgbench -R) against achieved throughput, p50/p99 per second, schedule lag and PgBouncer's maxwait, cl_waiting and server connections active vs idle, server backends. Dashed red rules: segment boundaries, where pgbench restarted and its clients reconnected.",
  drill: (p) => p,
};
