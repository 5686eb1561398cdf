/**
 * Cost cells (issue 18): the record contract shared by the runner (writes cost.jsonl) and summarize
 * (reads it). Cost cells live in their own file, never in cells.jsonl, so nothing measured under
 * valgrind or perf counting can reach a TPS or latency figure. See /work/brief/COST-CONTRACT.md.
 */
export const COST_SCHEMA = 1 as const;
export type CostMethod = 'valgrind' | 'perf';
export interface CostFunction {
  fn: string;
  file?: string;
  instructions: number;
}
export interface CostComponent {
  /** 'pgbouncer' | 'proxy' | 'postgres' (the component's role in the config). */
  component: string;
  /**
   * Processes counted (a forking proxy: every child; cachegrind writes one file per process). perf
   * cells: the number of processes bench wrapped (PgBouncer workers), each with its children inherited.
   */
  processes: number;
  /** valgrind: user-space instructions (cachegrind Ir, --cache-sim=no), summed over the processes. */
  instructions?: number;
  /** valgrind: the top functions by instructions (at most 40), summed over the processes. */
  functions?: CostFunction[];
  /** valgrind: false when the binary has no symbols (functions are then addresses or '???'). */
  symbolized?: boolean;
  /** perf software/tracepoint counters over the component's processes (children inherited). */
  syscalls?: number; // raw_syscalls:sys_enter
  contextSwitches?: number; // context-switches
  taskClockMs?: number; // task-clock, ms of CPU
  pageFaults?: number; // page-faults
  /** Why this component's counts are missing. */
  error?: string;
}
export interface CostCellRecord {
  schema: typeof COST_SCHEMA;
  kind: 'cost';
  /** e.g. cost__<config>__<workload>__t2000__r1__valgrind */
  id: string;
  index: number;
  config: string;
  workload: string;
  method: CostMethod;
  /** Total transactions asked of pgbench (clients x -t). */
  transactions: number;
  clients: number;
  /** 1-based repeat number. */
  repeat: number;
  /** The workload opens a connection per transaction (-C): per-transaction figures are also per connection. */
  reconnect: boolean;
  state: 'completed' | 'failed';
  reason?: string;
  startedAt: string;
  endedAt: string;
  /** pgbench argv without secrets. */
  argv: string[];
  /** What pgbench reported: transactions actually processed and failed. */
  processed: number;
  failed: number;
  components: CostComponent[];
}
