import { gatesFor } from '../../src/matrix/gates.js';
import type { MatrixSpec } from '../../src/matrix/schema.js';
import type { CostRow } from './cost-rows.js';
import type { GroupKey, Row } from './row.js';

/** The matrix `gates` that summarize can check from rows (the same names as in the matrix schema). */
export interface GateFailure {
  gate:
    | 'max_failed_transactions'
    | 'max_connection_errors'
    | 'max_aborted_clients'
    | 'min_tps'
    | 'max_p99_ms'
    | 'failed_cells'
    | 'max_instructions_per_tx'
    | 'max_syscalls_per_tx'
    | 'max_outage_ms';
  group: GroupKey;
  /** Event gates: the event (`events[i]`) and the cell whose outage broke the limit. */
  event?: string;
  cellId?: string;
  /** Cost gates: the component whose work per transaction broke the limit. */
  component?: string;
  limit: number;
  value: number;
  message: string;
}

export interface GateReport {
  /** Number of (gate, row) checks made. */
  checked: number;
  failures: GateFailure[];
}

function limitOf(gates: Record<string, unknown> | undefined, name: string): number | undefined {
  const v = gates?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The gates of one config × workload from run.json's effective matrix: matrix-wide ones overridden
 * by the config's, then the workload's (src/matrix/gates.ts). Read defensively: older runs may
 * have no per-config gates at all.
 */
export function scopedGates(
  effective: Record<string, unknown> | undefined,
  config: string,
  workload: string,
) {
  const e = effective ?? {};
  const spec = {
    gates: (e.gates ?? {}) as MatrixSpec['gates'],
    configs: (Array.isArray(e.configs) ? e.configs : []) as MatrixSpec['configs'],
    workloads: (Array.isArray(e.workloads) ? e.workloads : []) as MatrixSpec['workloads'],
  };
  return gatesFor(spec, config, workload) as Record<string, unknown>;
}

/**
 * Checks each row against the gates that apply to it (`effective` is run.json's matrix). Counts are per group (summed over its completed reps);
 * min_tps is checked against the mean TPS and max_p99_ms against the merged p99. A group with a
 * failed cell always fails: a gate passed by averaging the survivors would lie.
 */
export function evaluateGates(
  rows: readonly Row[],
  effective: Record<string, unknown> | undefined,
): GateReport {
  const failures: GateFailure[] = [];
  let checked = 0;
  // A mix's gates hold for its cell's total; its group rows are parts of that total, not checked twice.
  for (const r of rows.filter((x) => x.group === undefined)) {
    const gates = scopedGates(effective, r.config, r.workload);
    const maxFailed = limitOf(gates, 'max_failed_transactions');
    const maxConnErr = limitOf(gates, 'max_connection_errors');
    const minTps = limitOf(gates, 'min_tps');
    const maxP99 = limitOf(gates, 'max_p99_ms');
    const group: GroupKey = { config: r.config, workload: r.workload, concurrency: r.concurrency };
    const where = `${r.config} / ${r.workload} / ${r.concurrency} clients`;
    const check = (
      gate: GateFailure['gate'],
      limit: number | undefined,
      value: number | undefined,
      ok: (v: number, l: number) => boolean,
      what: string,
    ) => {
      if (limit === undefined || value === undefined || Number.isNaN(value)) return;
      checked++;
      if (!ok(value, limit))
        failures.push({
          gate,
          group,
          limit,
          value,
          message: `${where}: ${what} ${value} breaks ${gate} = ${limit}`,
        });
    };
    check(
      'max_failed_transactions',
      maxFailed,
      r.failedTransactions,
      (v, l) => v <= l,
      'failed transactions',
    );
    check('max_connection_errors', maxConnErr, r.connectionErrors, (v, l) => v <= l, 'connection errors');
    check(
      'max_aborted_clients',
      limitOf(gates, 'max_aborted_clients'),
      r.abortedClients ?? 0,
      (v, l) => v <= l,
      'aborted clients',
    );
    check('min_tps', minTps, r.repsCompleted > 0 ? r.tps.mean : undefined, (v, l) => v >= l, 'mean TPS');
    check('max_p99_ms', maxP99, r.latency?.p99Ms, (v, l) => v <= l, 'p99 latency (ms)');
    // A failed cell always fails the check, gates or not: `bench run` exits 1 for it too.
    check('failed_cells', 0, r.failedCells.length, (v, l) => v <= l, 'failed cells');
  }
  return { checked, failures };
}

/** The cost gates and the cost-row figure each one limits. */
const COST_GATES = [
  ['max_instructions_per_tx', 'instructions_per_tx', 'instructions per transaction'],
  ['max_syscalls_per_tx', 'syscalls_per_tx', 'syscalls per transaction'],
] as const;

/**
 * Checks each cost row (config, workload, component) against max_instructions_per_tx and
 * max_syscalls_per_tx, on the mean over repeats. A gated row whose figure is missing (its cost
 * cells failed) fails: a gate nobody could check has not passed.
 */
export function evaluateCostGates(
  rows: readonly CostRow[],
  effective: Record<string, unknown> | undefined,
): GateReport {
  const failures: GateFailure[] = [];
  let checked = 0;
  for (const r of rows) {
    const gates = scopedGates(effective, r.config, r.workload);
    const group: GroupKey = { config: r.config, workload: r.workload, concurrency: r.clients };
    for (const [gate, figure, what] of COST_GATES) {
      const limit = limitOf(gates, gate);
      if (limit === undefined) continue;
      checked++;
      const value = r.figures[figure]?.mean ?? Number.NaN;
      const where = `${r.config} / ${r.workload} / ${r.component}`;
      if (Number.isNaN(value))
        failures.push({
          gate,
          group,
          component: r.component,
          limit,
          value,
          message: `${where}: ${what} not measured (its cost cells failed or are missing), ${gate} = ${limit} cannot pass`,
        });
      else if (value > limit)
        failures.push({
          gate,
          group,
          component: r.component,
          limit,
          value,
          message: `${where}: ${Math.round(value * 100) / 100} ${what} breaks ${gate} = ${limit}`,
        });
    }
  }
  return { checked, failures };
}
