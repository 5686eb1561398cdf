import { fixed, fmtCores, fmtInt, isNum, MISSING } from '../../model/format.js';
import type { ConnectionsPerCore, Row, RowTlsSide } from '../../model/row.js';
import type { Column, Figure, Table } from '../figure.js';

const PER_CORE_RULE =
  'Connections per pooler core: under -C every transaction opens a connection, so TPS is connections per second; ' +
  'it is divided by the mean CPU (in cores, sampled from /proc over the process tree) of the component that accepts ' +
  "pgbench's connections: PgBouncer for pgbouncer configs, the proxy for proxy configs, PostgreSQL for direct. " +
  'Both are means over completed reps. CPU per connection is the inverse (milliseconds of CPU per connection). ' +
  'pgbench runs on the same cores: when the machine is saturated the figure is what these cores allowed, not the ' +
  "pooler's ceiling.";

function tlsCell(s: RowTlsSide | undefined): string {
  if (!s) return MISSING;
  return s.mode === 'disable' && s.negotiated === 'none' ? 'off' : `${s.mode}: ${s.negotiated}`;
}

const per = (r: Row) => r.perCore as ConnectionsPerCore;

const num = (header: string, text: (p: ConnectionsPerCore) => string): Column<Row> => ({
  header,
  align: 'right',
  text: (r) => text(per(r)),
});

function columns(rows: readonly Row[]): Column<Row>[] {
  const hasTls = rows.some((r) => r.tls);
  return [
    { header: 'config', align: 'left', text: (r) => r.config },
    { header: 'clients', align: 'right', text: (r) => String(r.concurrency) },
    ...(hasTls
      ? ([
          { header: 'TLS client side', align: 'left', text: (r) => tlsCell(r.tls?.client) },
          { header: 'TLS server side', align: 'left', text: (r) => tlsCell(r.tls?.server) },
        ] satisfies Column<Row>[])
      : []),
    num('connections/s', (p) => fmtInt(p.connectionsPerS)),
    { header: 'first hop', align: 'left', text: (r) => per(r).role },
    num('its CPU (cores)', (p) => fmtCores(p.cpuCores)),
    num('connections/s per core', (p) => fmtInt(p.perCore)),
    num('its CPU ms per connection', (p) => fixed(p.cpuMsPerConnection, 3)),
    num('postgres CPU ms per connection', (p) =>
      isNum(p.postgresCpuMsPerConnection) ? fixed(p.postgresCpuMsPerConnection, 3) : MISSING,
    ),
  ];
}

const perCoreTable: Table<Row> = {
  id: 'per-core-table',
  in: ['summary', 'findings'],
  perWorkload: (r) => r.workload,
  columns,
  caption: () => PER_CORE_RULE,
};

/**
 * Connections per pooler core under -C (with the TLS each side negotiated): the model's
 * `perCore` figures, one table per workload.
 */
export const connectionsPerCoreFigure: Figure<Row> = {
  id: 'connections-per-core',
  applies: (ctx) => ctx.rows.some((r) => r.perCore),
  rows: (ctx) => ctx.rows.filter((r) => r.perCore),
  tables: [perCoreTable],
};
