import { stringify } from 'csv-stringify/sync';
import type { FigureContext } from '../figures/figure.js';
import { FIGURES } from '../figures/index.js';
import { csvNumber } from '../model/format.js';
import type { RenderOptions } from '../model/report-options.js';
import { maxProcesses, roleFigures } from '../model/role-figures.js';
import { groupId, type Row } from '../model/row.js';

/** Component roles that appear in any row, in a stable order, for the per-component columns. */
function roles(rows: readonly Row[]): string[] {
  const order = ['postgres', 'pgbouncer', 'proxy', 'pgbench'];
  const seen = new Set(rows.flatMap((r) => r.sampling?.components.map((c) => c.role) ?? []));
  return [...seen].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || a.localeCompare(b);
  });
}

const mib = (bytes: number | undefined): number | undefined =>
  bytes === undefined ? undefined : bytes / 1048576;

/**
 * summary.csv: one row per group, one unit per column, the unit in the column name (tps, _ms,
 * _pct, _mib, _cores). Plain numbers (no separators, no exponent); a missing figure is empty.
 */
export function csv(rows: readonly Row[], options: RenderOptions): string {
  const rs = roles(rows);
  // Roles some row runs as several processes (PgBouncer workers): their columns are sums, and a
  // `<role>_processes` column says over how many.
  const multi = new Set(rs.filter((r) => maxProcesses(rows, r) > 1));
  const kindsByGroup = new Map<string, Set<string>>();
  for (const w of options.warnings) {
    if (!w.group) continue;
    const id = groupId(w.group);
    kindsByGroup.set(id, (kindsByGroup.get(id) ?? new Set()).add(w.kind));
  }
  const ctx: FigureContext = { rows, options };
  const figureColumns = FIGURES.filter((f) => f.applies(ctx)).flatMap((f) => f.csv?.(ctx) ?? []);
  const header = [...csvHeader(rs, multi), ...figureColumns.map((c) => c.name), 'warnings'];
  const body = rows.map((r, i) => [
    ...csvRow(r, rs, multi),
    ...figureColumns.map((c) => c.value(r, i)),
    [...(kindsByGroup.get(groupId(r)) ?? [])].join(';'),
  ]);
  return stringify([header, ...body]);
}

/**
 * The column names; per-component columns for every role in `rs`, summed over the role's processes
 * (with `<role>_processes` for the roles in `multi`).
 */
function csvHeader(rs: readonly string[], multi: ReadonlySet<string>): string[] {
  return [
    'config',
    'config_kind',
    'pool_mode',
    'workload',
    'reconnect',
    'clients',
    'reps_planned',
    'reps_completed',
    'cells_failed',
    'tps_mean',
    'tps_std',
    'tps_min',
    'tps_max',
    'tps_ci95',
    'tps_cv_pct',
    'baseline',
    'tps_ratio_vs_baseline',
    'tps_ratio_vs_baseline_err',
    'p99_ratio_vs_baseline',
    'latency_mean_ms',
    'p50_ms',
    'p90_ms',
    'p95_ms',
    'p99_ms',
    'p999_ms',
    'max_ms',
    'conn_mean_ms',
    'conn_std_ms',
    'transactions',
    'failed_transactions',
    'connection_errors',
    'aborted_reps',
    'server_backends_peak',
    'cl_waiting_peak',
    'pooler_server_conns_peak',
    'foreign_backends_peak',
    // PSS is the memory a component really uses; the RSS sum counts shared pages once per process.
    ...rs.flatMap((r) => [
      `${r}_pss_peak_mib`,
      `${r}_pss_mean_mib`,
      `${r}_rss_peak_mib_shared_pages_counted_per_process`,
      `${r}_cpu_mean_cores`,
      ...(multi.has(r) ? [`${r}_processes`] : []),
    ]),
    'postgres_pss_per_server_backend_mib',
  ];
}

/** One group's values, in csvHeader's order (the figures' columns and the warnings follow). */
function csvRow(r: Row, rs: readonly string[], multi: ReadonlySet<string>): string[] {
  const n = csvNumber;
  return [
    r.config,
    r.configKind ?? '',
    r.poolMode ?? '',
    r.workload,
    r.reconnect ? 'true' : 'false',
    String(r.concurrency),
    n(r.repsPlanned, 0),
    String(r.repsCompleted),
    String(r.failedCells.length),
    n(r.tps.mean, 3),
    n(r.tps.std, 3),
    n(r.tps.min, 3),
    n(r.tps.max, 3),
    n(r.tps.ci95, 3),
    n(r.tps.cv * 100, 2),
    r.vsBaseline?.config ?? '',
    n(r.vsBaseline?.tpsRatio, 4),
    n(r.vsBaseline?.tpsRatioError, 4),
    n(r.vsBaseline?.p99Ratio, 4),
    n(r.latency?.meanMs, 3),
    n(r.latency?.p50Ms, 3),
    n(r.latency?.p90Ms, 3),
    n(r.latency?.p95Ms, 3),
    n(r.latency?.p99Ms, 3),
    n(r.latency?.p999Ms, 3),
    n(r.latency?.maxMs, 3),
    n(r.connectionMs?.mean, 3),
    n(r.connectionMs?.std, 3),
    String(r.processed),
    String(r.failedTransactions),
    String(r.connectionErrors),
    String(r.abortedReps),
    n(r.sampling?.serverBackendsPeak, 0),
    n(r.sampling?.clWaitingPeak, 0),
    n(r.sampling?.poolerServerConnectionsPeak, 0),
    n(r.sampling?.foreignBackendsPeak, 0),
    ...rs.flatMap((role) => {
      const c = roleFigures(r, role);
      return [
        n(mib(c?.pssPeakBytes), 1),
        n(mib(c?.pssMeanBytes), 1),
        n(mib(c?.rssPeakBytes), 1),
        n(c?.cpuCoresMean, 3),
        ...(multi.has(role) ? [c ? String(c.processes) : ''] : []),
      ];
    }),
    n(mib(r.sampling?.pssPerBackendBytes), 2),
  ];
}
