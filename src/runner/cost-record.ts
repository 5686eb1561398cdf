import type { CostCellRecord, CostComponent } from '../results/cost-types.js';
import { COST_SCHEMA } from '../results/cost-types.js';
import { type CachegrindFile, sumCachegrind } from './cost-cachegrind.js';
import type { PerfParse } from './cost-perf-stat.js';
import type { CostCell, CountedRole } from './cost-plan.js';

/** What one counted process left behind, read from its output directory. */
export type ProcessOutput =
  | { method: 'valgrind'; files: CachegrindFile[]; error?: string }
  | { method: 'perf'; perf: PerfParse };

/**
 * One component's counts from the outputs of its processes (several with PgBouncer `workers: N`,
 * all summed). valgrind: one out file per process (a forking proxy's children included), so
 * `processes` is the number of files. perf: the counts of each wrapped process and its inherited
 * children in one line each; `processes` is then the number of wrapped processes.
 */
export function costComponent(role: CountedRole, outputs: readonly ProcessOutput[]): CostComponent {
  if (outputs.length === 0) return { component: role, processes: 0, error: `no ${role} process was counted` };
  const valgrind = outputs.filter((o) => o.method === 'valgrind');
  if (valgrind.length > 0) {
    const errors = valgrind.flatMap((o) => (o.error ? [o.error] : []));
    const files = valgrind.flatMap((o) => o.files);
    if (errors.length > 0 || files.length === 0) {
      return {
        component: role,
        processes: files.length,
        error: errors[0] ?? 'valgrind wrote no cachegrind out file',
      };
    }
    const t = sumCachegrind(files);
    return {
      component: role,
      processes: t.processes,
      instructions: t.instructions,
      functions: t.functions,
      symbolized: t.symbolized,
    };
  }
  const counts = { syscalls: 0, contextSwitches: 0, taskClockMs: 0, pageFaults: 0 };
  for (const o of outputs) {
    if (o.method !== 'perf') continue;
    if (!o.perf.ok) return { component: role, processes: outputs.length, error: o.perf.error };
    counts.syscalls += o.perf.counts.syscalls;
    counts.contextSwitches += o.perf.counts.contextSwitches;
    counts.taskClockMs += o.perf.counts.taskClockMs;
    counts.pageFaults += o.perf.counts.pageFaults;
  }
  return { component: role, processes: outputs.length, ...counts };
}

/** What pgbench did in a cost cell. */
export interface CostPgbench {
  exitCode: number | null;
  processed: number;
  failed: number;
  /** Its error lines, when it failed. */
  errorLines: string[];
}

/**
 * Why a cost cell failed, or undefined when it completed: pgbench must have exited 0 and processed
 * exactly the transactions asked (a count that falls short would bend the slope), and every
 * counted component must have its counts.
 */
export function costFailure(
  cell: Pick<CostCell, 'transactions'>,
  pgbench: CostPgbench | undefined,
  components: readonly CostComponent[],
): string | undefined {
  if (pgbench === undefined) return undefined;
  if (pgbench.exitCode !== 0) {
    const first = pgbench.errorLines[0];
    return `pgbench exited ${pgbench.exitCode}${first ? `: ${first}` : ''}`;
  }
  if (pgbench.processed !== cell.transactions || pgbench.failed > 0) {
    return `pgbench processed ${pgbench.processed} of ${cell.transactions} transactions (${pgbench.failed} failed)`;
  }
  const missing = components.find((c) => c.error !== undefined);
  return missing ? `${missing.component}: ${missing.error}` : undefined;
}

/** The cost.jsonl line of one cell. `failure` (a start that failed, say) wins over what was measured. */
export function costRecord(
  cell: CostCell,
  r: {
    startedAt: string;
    endedAt: string;
    argv: string[];
    pgbench?: CostPgbench;
    components: CostComponent[];
    failure?: string;
  },
): CostCellRecord {
  const reason = r.failure ?? costFailure(cell, r.pgbench, r.components);
  return {
    schema: COST_SCHEMA,
    kind: 'cost',
    id: cell.id,
    index: cell.index,
    config: cell.config,
    workload: cell.workload,
    method: cell.method,
    transactions: cell.transactions,
    clients: cell.clients,
    repeat: cell.repeat,
    reconnect: cell.reconnect,
    state: reason === undefined ? 'completed' : 'failed',
    ...(reason === undefined ? {} : { reason }),
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    argv: r.argv,
    processed: r.pgbench?.processed ?? 0,
    failed: r.pgbench?.failed ?? 0,
    components: r.components,
  };
}
