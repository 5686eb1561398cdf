import { csvNumber as n } from '../../model/format.js';
import type { Row } from '../../model/row.js';
import type { CsvColumn } from '../figure.js';

const col = (name: string, value: (r: Row) => string): CsvColumn => ({ name, value });

/** A mix's client group (docs/tenants.md): a column only in runs that have a mix, empty on its total row. */
const GROUP_CSV = col('group', (r) => r.group ?? '');

/** The throughput columns of summary.csv, with `group` after `workload` when a row has one. */
export function throughputCsv(rows: readonly Row[]): CsvColumn[] {
  if (!rows.some((r) => r.group !== undefined)) return [...THROUGHPUT_CSV];
  const at = THROUGHPUT_CSV.findIndex((c) => c.name === 'workload') + 1;
  return [
    ...THROUGHPUT_CSV.slice(0, at),
    GROUP_CSV,
    col('group_clients', (r) => n(r.groupClients, 0)),
    ...(rows.some((r) => r.tenants) ? TENANT_CSV : []),
    ...THROUGHPUT_CSV.slice(at),
  ];
}

/**
 * A `tenant: each` template (model/tenant-template.ts): `tenant_template` names it on each copy's
 * row, `tenant_copies` counts them on the template's own row, which sums them: a reader adding up
 * group rows takes one or the other.
 */
const TENANT_CSV: readonly CsvColumn[] = [
  col('tenant_template', (r) => r.tenantCopyOf ?? ''),
  col('tenant_copies', (r) => n(r.tenants?.copies, 0)),
];

/** summary.csv's columns of the group, its TPS, latency and failures (units in the names). */
const THROUGHPUT_CSV: readonly CsvColumn[] = [
  col('config', (r) => r.config),
  col('config_kind', (r) => r.configKind ?? ''),
  col('pool_mode', (r) => r.poolMode ?? ''),
  col('workload', (r) => r.workload),
  col('reconnect', (r) => (r.reconnect ? 'true' : 'false')),
  col('clients', (r) => String(r.concurrency)),
  col('reps_planned', (r) => n(r.repsPlanned, 0)),
  col('reps_completed', (r) => String(r.repsCompleted)),
  col('cells_failed', (r) => String(r.failedCells.length)),
  col('tps_mean', (r) => n(r.tps.mean, 3)),
  col('tps_std', (r) => n(r.tps.std, 3)),
  col('tps_min', (r) => n(r.tps.min, 3)),
  col('tps_max', (r) => n(r.tps.max, 3)),
  col('tps_ci95', (r) => n(r.tps.ci95, 3)),
  col('tps_cv_pct', (r) => n(r.tps.cv * 100, 2)),
  col('baseline', (r) => r.vsBaseline?.config ?? ''),
  col('tps_ratio_vs_baseline', (r) => n(r.vsBaseline?.tpsRatio, 4)),
  col('tps_ratio_vs_baseline_err', (r) => n(r.vsBaseline?.tpsRatioError, 4)),
  col('p99_ratio_vs_baseline', (r) => n(r.vsBaseline?.p99Ratio, 4)),
  col('latency_mean_ms', (r) => n(r.latency?.meanMs, 3)),
  col('p50_ms', (r) => n(r.latency?.p50Ms, 3)),
  col('p90_ms', (r) => n(r.latency?.p90Ms, 3)),
  col('p95_ms', (r) => n(r.latency?.p95Ms, 3)),
  col('p99_ms', (r) => n(r.latency?.p99Ms, 3)),
  col('p999_ms', (r) => n(r.latency?.p999Ms, 3)),
  col('max_ms', (r) => n(r.latency?.maxMs, 3)),
  col('conn_mean_ms', (r) => n(r.connectionMs?.mean, 3)),
  col('conn_std_ms', (r) => n(r.connectionMs?.std, 3)),
  col('transactions', (r) => String(r.processed)),
  col('failed_transactions', (r) => String(r.failedTransactions)),
  col('connection_errors', (r) => String(r.connectionErrors)),
  col('aborted_reps', (r) => String(r.abortedReps)),
];
