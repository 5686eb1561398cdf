import { existsSync, readFileSync } from 'node:fs';
import { workloadWrites } from '../matrix/workload.js';
import type { CostCellRecord } from '../results/cost-types.js';
import { runPaths } from '../results/paths.js';
import { appendCost } from '../results/write.js';
import { type CostCellContext, runCostCell } from './cost-cell.js';
import type { CostCell } from './cost-plan.js';
import { prepareCell } from './prepare.js';

/** Ids of the cost cells an earlier session of a resumed run recorded (they are not run again). */
export function recordedCostIds(runDir: string): Set<string> {
  const file = runPaths(runDir).costJsonl;
  if (!existsSync(file)) return new Set();
  const ids = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') ids.add(id);
    } catch {
      // a line cut by a crash: that cell runs again
    }
  }
  return ids;
}

export interface CostOutcome {
  records: CostCellRecord[];
  interrupted: boolean;
}

/**
 * The cost cells, one after the other, each on a fresh start of its config's components under
 * counting (only that config is up). Each record is appended to cost.jsonl as the cell ends; a cell
 * cut short by Ctrl-C is not recorded (a resumed run runs it again).
 */
export async function executeCost(
  ctx: CostCellContext,
  cells: readonly CostCell[],
  events: { log(msg: string): void },
  failFast = false,
): Promise<CostOutcome> {
  const records: CostCellRecord[] = [];
  let lastWrote = true;
  for (const [i, cell] of cells.entries()) {
    if (ctx.signal?.aborted) return { records, interrupted: true };
    const workload = ctx.matrix.workloads.find((w) => w.name === cell.workload);
    if (lastWrote) {
      // Tables grown by a writing workload are vacuumed, as between throughput cells; only PostgreSQL is up.
      const direct = { config: cell.config, endpoint: ctx.stack.postgres, components: [] };
      await prepareCell(ctx.stack, direct, { vacuum: true, settleMs: 0 });
    }
    lastWrote = workload !== undefined && workloadWrites(workload);
    events.log(`cost ${i + 1}/${cells.length}: ${cell.id}`);
    const rec = await runCostCell(ctx, cell);
    if (ctx.signal?.aborted) return { records, interrupted: true };
    appendCost(ctx.runDir, rec);
    records.push(rec);
    events.log(costLine(rec));
    if (failFast && rec.state !== 'completed') {
      events.log(`--fail-fast: stopping after failed cost cell ${rec.id}`);
      break;
    }
  }
  return { records, interrupted: false };
}

function costLine(r: CostCellRecord): string {
  if (r.state === 'failed') return `  failed: ${r.reason}`;
  const parts = r.components.map((c) =>
    c.instructions !== undefined
      ? `${c.component} ${c.instructions.toLocaleString('en-US')} instructions (${c.processes} processes)`
      : `${c.component} ${c.syscalls?.toLocaleString('en-US')} syscalls, ${c.taskClockMs} ms CPU`,
  );
  return `  ${r.processed} transactions: ${parts.join('; ')}`;
}
