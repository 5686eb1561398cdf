import type { CostFigureName } from '../../model/cost-rows.js';
import { fixed, grouped, isNum, MISSING } from '../../model/format.js';

/** How each figure reads in a table header: what it counts, and under which tool. */
export const FIGURE_LABEL: Record<CostFigureName, string> = {
  instructions_per_tx: 'instructions / tx (valgrind)',
  syscalls_per_tx: 'syscalls / tx (perf)',
  context_switches_per_tx: 'context switches / tx (perf)',
  cpu_us_per_tx: 'CPU µs / tx (perf)',
  page_faults_per_tx: 'page faults / tx (perf)',
};

/** A per-transaction count: 4,775 / 321.0 / 5.013; the digits a 1 % change needs stay visible. */
export function fmtPerTx(x: number | undefined | null): string {
  if (!isNum(x ?? undefined)) return MISSING;
  const v = x as number;
  const a = Math.abs(v);
  return grouped(fixed(v, a >= 1000 ? 0 : a >= 10 ? 1 : 3));
}

/** A signed per-transaction change: +4.0, −12. */
export function fmtDelta(x: number | undefined | null): string {
  if (!isNum(x ?? undefined)) return MISSING;
  const v = x as number;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmtPerTx(Math.abs(v))}`;
}

/** A spread in percent (already ×100): 0.004%; "–" with one repeat. */
export function fmtSpread(pct: number | undefined): string {
  return isNum(pct) ? `${fixed(pct, pct < 0.1 ? 3 : 2)}%` : MISSING;
}

/** A relative change: +1.25% / −0.010%. */
export function fmtChange(fraction: number | undefined): string {
  if (!isNum(fraction)) return MISSING;
  const p = fraction * 100;
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${fixed(Math.abs(p), Math.abs(p) < 0.1 ? 3 : 2)}%`;
}

/**
 * What the cost figures count and what they do not, in one place: FINDINGS.md, report.html and
 * bench compare quote it.
 */
export const COST_METHOD =
  'Cost cells run pgbench with a fixed transaction count (-t) at two or more counts; each figure is the slope of the count over the transactions processed, so start-up, connection set-up and shutdown cancel out, and it is the mean over repeats with the spread (max − min) / mean of the repeats beside it. ' +
  'instructions_per_tx counts the user-space instructions of the component’s own processes under valgrind (cachegrind, --cache-sim=no; children traced and summed, threads included). ' +
  'The kernel’s work for the component shows only in syscalls_per_tx, context_switches_per_tx, cpu_us_per_tx and page_faults_per_tx: perf software and tracepoint counters on the component’s processes, measured without valgrind in separate fixed-count cells. ' +
  'Not counted: time spent waiting, lock contention, the work of the other components (pgbench, PostgreSQL unless listed, other hops), and anything of the -T throughput cells; no cost figure enters a TPS or latency figure, and no throughput cell enters a cost figure.';
