import type { CompletedCell } from '../../src/results/types.js';
import type { TlsSide } from '../../src/sampling/tls-observe.js';
import { fixed, fmtCores, fmtInt, isNum, MISSING } from './format.js';
import { roleFigures } from './role-figures.js';
import type { ConnectionsPerCore, Row, RowTls, RowTlsSide } from './row.js';

export const PER_CORE_RULE =
  'Connections per pooler core: under -C every transaction opens a connection, so TPS is connections per second; ' +
  'it is divided by the mean CPU (in cores, sampled from /proc over the process tree) of the component that accepts ' +
  "pgbench's connections: PgBouncer for pgbouncer configs, the proxy for proxy configs, PostgreSQL for direct. " +
  'Both are means over completed reps. CPU per connection is the inverse (milliseconds of CPU per connection). ' +
  'pgbench runs on the same cores: when the machine is saturated the figure is what these cores allowed, not the ' +
  "pooler's ceiling.";

/** The component whose CPU is the denominator, by config kind. */
function firstHop(kind: string | undefined): string | undefined {
  if (kind === 'direct') return 'postgres';
  if (kind === 'pgbouncer' || kind === 'proxy') return kind;
  return undefined;
}

/** Sum of the mean CPU of the row's components of `role` (several PgBouncer processes add up). */
function coresOf(row: Row, role: string): number | undefined {
  return roleFigures(row, role)?.cpuCoresMean;
}

/** The row with `perCore` when it is a reconnect workload whose first hop's CPU was sampled. */
export function withPerCore(row: Row): Row {
  const role = firstHop(row.configKind);
  const tps = row.tps.mean;
  if (!row.reconnect || role === undefined || !isNum(tps) || tps <= 0) return row;
  const cores = coresOf(row, role);
  if (cores === undefined || cores <= 0) return row;
  const pg = coresOf(row, 'postgres');
  const perCore: ConnectionsPerCore = {
    role,
    connectionsPerS: tps,
    cpuCores: cores,
    perCore: tps / cores,
    cpuMsPerConnection: (1000 * cores) / tps,
    ...(pg !== undefined ? { postgresCpuMsPerConnection: (1000 * pg) / tps } : {}),
  };
  return { ...row, perCore };
}

function side(sides: TlsSide[]): RowTlsSide | undefined {
  const first = sides[0];
  if (!first) return undefined;
  const counts = new Map<string, number>();
  for (const s of sides)
    for (const n of s.negotiated ?? [])
      counts.set(`${n.version} ${n.cipher}`, (counts.get(`${n.version} ${n.cipher}`) ?? 0) + n.observations);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return {
    mode: first.mode,
    negotiated: top ? top[0] : 'none',
    tlsObservations: sides.reduce((a, s) => a + (s.tlsObservations ?? 0), 0),
    plainObservations: sides.reduce((a, s) => a + (s.plainObservations ?? 0), 0),
  };
}

/** `tls` for a row from its completed cells' records (absent in runs without TLS). */
export function tlsFigures(cells: readonly CompletedCell[]): { tls?: RowTls } {
  const obs = cells.flatMap((c) => (c.tls ? [c.tls] : []));
  if (obs.length === 0) return {};
  const client = side(obs.flatMap((o) => (o.client ? [o.client] : [])));
  const server = side(obs.flatMap((o) => (o.server ? [o.server] : [])));
  return { tls: { ...(client ? { client } : {}), ...(server ? { server } : {}) } };
}

function tlsCell(s: RowTlsSide | undefined): string {
  if (!s) return MISSING;
  return s.mode === 'disable' && s.negotiated === 'none' ? 'off' : `${s.mode}: ${s.negotiated}`;
}

/** The per-core table of one workload (markdown), or undefined when no row has the figure. */
export function perCoreTable(rows: readonly Row[], workload: string): string | undefined {
  const rs = rows.filter((r) => r.workload === workload && r.perCore);
  if (rs.length === 0) return undefined;
  const hasTls = rs.some((r) => r.tls);
  const header = [
    'config',
    'clients',
    ...(hasTls ? ['TLS client side', 'TLS server side'] : []),
    'connections/s',
    'first hop',
    'its CPU (cores)',
    'connections/s per core',
    'its CPU ms per connection',
    'postgres CPU ms per connection',
  ];
  const body = rs.map((r) => {
    const p = r.perCore as ConnectionsPerCore;
    return [
      r.config,
      String(r.concurrency),
      ...(hasTls ? [tlsCell(r.tls?.client), tlsCell(r.tls?.server)] : []),
      fmtInt(p.connectionsPerS),
      p.role,
      fmtCores(p.cpuCores),
      fmtInt(p.perCore),
      fixed(p.cpuMsPerConnection, 3),
      isNum(p.postgresCpuMsPerConnection) ? fixed(p.postgresCpuMsPerConnection, 3) : MISSING,
    ];
  });
  const sep = header.map((h, i) => (i === 0 || h.startsWith('TLS') || h === 'first hop' ? ':--' : '--:'));
  return [header, sep, ...body].map((row) => `| ${row.join(' | ')} |`).join('\n');
}
