import Table from 'cli-table3';
import type { GateFailure } from '../../summarize/model/gates.js';

/** The gate violations as a table, for stderr after a run or `summarize --check`. */
export function renderGateFailures(failures: GateFailure[]): string {
  const t = new Table({
    head: ['gate', 'config', 'workload', 'clients', 'limit', 'actual'],
    style: { head: [], border: [] },
  });
  for (const f of failures) {
    t.push([
      f.gate,
      f.group.config,
      f.group.workload,
      String(f.group.concurrency),
      String(f.limit),
      String(f.value),
    ]);
  }
  // An event gate's row cannot say which event and cell: its message does.
  const events = failures
    .filter((f) => f.event !== undefined || f.cellId !== undefined)
    .map((f) => `  ${f.message}`);
  return `${failures.length} gate violation(s):\n${t.toString()}${events.length > 0 ? `\n${events.join('\n')}` : ''}`;
}
