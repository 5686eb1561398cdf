import { fmtInt, fmtMs, fmtPct, fmtTps, MISSING } from '../../model/format.js';
import { RATE_MET_RULE } from '../../model/offered-load.js';
import type { LoadFigures, Row } from '../../model/row.js';
import { numberColumn } from '../columns.js';
import type { Column, FigureContext, Table } from '../figure.js';

const load = (r: Row) => r.load as LoadFigures;

function segmentText(l: LoadFigures): string {
  const s = l.segment;
  if (!s) return MISSING;
  return `${s.index}/${s.count} (${s.startS}-${s.startS + s.durationS} s${s.burst ? ', burst' : ''})`;
}

function columns(_rows: readonly Row[], ctx: FigureContext): Column<Row>[] {
  const n = (header: string, path: string, get: (r: Row) => number | undefined, f: (x?: number) => string) =>
    numberColumn(header, get, f, (r) => `/rows/${ctx.rows.indexOf(r)}/${path}`);
  return [
    // A mix's group (docs/tenants.md) is named with its mix: its rate is the group's own.
    {
      header: 'workload',
      align: 'left',
      text: (r) => (r.group === undefined ? load(r).workload : `${load(r).workload} / ${r.group}`),
    },
    { header: 'config', align: 'left', text: (r) => r.config },
    n(
      'clients',
      'concurrency',
      (r) => r.concurrency,
      (x) => String(x),
    ),
    {
      header: 'segment',
      align: 'left',
      text: (r) => segmentText(load(r)),
      value: (r) => load(r).segment?.index ?? 0,
    },
    n('offered tps', 'load/offeredTps', (r) => load(r).offeredTps, fmtTps),
    n('achieved tps', 'load/achievedTps', (r) => load(r).achievedTps, fmtTps),
    n('achieved/offered', 'load/achievedRatio', (r) => load(r).achievedRatio, fmtPct),
    { header: 'met', align: 'left', text: (r) => (load(r).met ? 'yes' : 'no'), strong: (r) => !load(r).met },
    n('connect ms', 'load/connectMs', (r) => load(r).connectMs, fmtMs),
    n('skipped', 'load/skipped', (r) => load(r).skipped, fmtInt),
    n('lag mean ms', 'load/lagMeanMs', (r) => load(r).lagMeanMs, fmtMs),
    n('lag p99 ms', 'load/lagP99Ms', (r) => load(r).lagP99Ms, fmtMs),
    n('p50 ms', 'latency/p50Ms', (r) => r.latency?.p50Ms, fmtMs),
    n('p99 ms', 'latency/p99Ms', (r) => r.latency?.p99Ms, fmtMs),
    n('cl_waiting peak', 'sampling/clWaitingPeak', (r) => r.sampling?.clWaitingPeak, fmtInt),
    n('maxwait ms peak', 'sampling/maxwaitMsPeak', (r) => r.sampling?.maxwaitMsPeak, fmtMs),
    n(
      'server conns peak',
      'sampling/poolerServerConnectionsPeak',
      (r) => r.sampling?.poolerServerConnectionsPeak,
      fmtInt,
    ),
    n('backends peak', 'sampling/serverBackendsPeak', (r) => r.sampling?.serverBackendsPeak, fmtInt),
  ];
}

const CAPTION =
  `Rate-limited workloads (pgbench -R, the total rate over all clients): offered against achieved, one line per rate or profile segment. ${RATE_MET_RULE}. ` +
  'Where "met" is **no**, the TPS in the tables above is what the config could serve, not the offered load. ' +
  `Achieved tps is pgbench's, over the window after its clients connected ("connect ms": pgbench's initial connection time, paid again at every segment boundary, when no load is offered). ` +
  "Latency is measured from each transaction's start; schedule lag (how late it started against its schedule) is apart, from the per-transaction log. PgBouncer figures are peaks of the samples.";

/** The offered-load table: one line per rate axis value or profile segment, in every report. */
export const loadTable: Table<Row> = {
  id: 'load-table',
  in: ['summary', 'findings', 'html'],
  columns,
  caption: () => CAPTION,
  rowIndex: (r, ctx) => ctx.rows.indexOf(r),
  rowClass: (r) => (load(r).met ? 'met' : 'not-met'),
};
