import { csvNumber as n } from '../../model/format.js';
import { maxProcesses, roleFigures } from '../../model/role-figures.js';
import type { Row } from '../../model/row.js';
import type { CsvColumn } from '../figure.js';

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

const col = (name: string, value: (r: Row) => string): CsvColumn => ({ name, value });

/**
 * summary.csv's sampled columns: per-component columns for every role, summed over the role's
 * processes; roles some row runs as several processes (PgBouncer workers) add `<role>_processes`.
 * PSS is the memory a component really uses; the RSS sum counts shared pages once per process.
 */
export function resourceCsv(rows: readonly Row[]): CsvColumn[] {
  const rs = roles(rows);
  const multi = new Set(rs.filter((r) => maxProcesses(rows, r) > 1));
  return [
    col('server_backends_peak', (r) => n(r.sampling?.serverBackendsPeak, 0)),
    col('cl_waiting_peak', (r) => n(r.sampling?.clWaitingPeak, 0)),
    col('pooler_server_conns_peak', (r) => n(r.sampling?.poolerServerConnectionsPeak, 0)),
    col('foreign_backends_peak', (r) => n(r.sampling?.foreignBackendsPeak, 0)),
    ...rs.flatMap((role) => {
      const c = (r: Row) => roleFigures(r, role);
      return [
        col(`${role}_pss_peak_mib`, (r) => n(mib(c(r)?.pssPeakBytes), 1)),
        col(`${role}_pss_mean_mib`, (r) => n(mib(c(r)?.pssMeanBytes), 1)),
        col(`${role}_rss_peak_mib_shared_pages_counted_per_process`, (r) => n(mib(c(r)?.rssPeakBytes), 1)),
        col(`${role}_cpu_mean_cores`, (r) => n(c(r)?.cpuCoresMean, 3)),
        ...(multi.has(role) ? [col(`${role}_processes`, (r) => String(c(r)?.processes ?? ''))] : []),
      ];
    }),
    col('postgres_pss_per_server_backend_mib', (r) => n(mib(r.sampling?.pssPerBackendBytes), 2)),
  ];
}
