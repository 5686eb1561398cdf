import { concurrencyOf } from './concurrency.js';
import type { Matrix } from './load.js';

export interface Cell {
  /** Deterministic: `<config>__<workload>__c<clients>__r<rep>`. */
  id: string;
  /** Position in execution order, 0-based. */
  index: number;
  config: string;
  workload: string;
  concurrency: number;
  rep: number;
}

export function cellId(config: string, workload: string, concurrency: number, rep: number): string {
  return `${config}__${workload}__c${concurrency}__r${rep}`;
}

/**
 * Every cell of the matrix in execution order. Reps are the outer loop, so every cell of rep 1 runs
 * before any cell of rep 2 and slow drift of the machine spreads over all configs instead of
 * masquerading as a difference between them. Within a rep, configs change slowest: each config's
 * pooler/proxy is started once per rep rather than once per cell. This is the fixed order; the
 * runner's order (shuffled per rep) is src/runner/plan.ts.
 */
export function expandCells(m: Matrix): Cell[] {
  const cells: Cell[] = [];
  for (let rep = 1; rep <= m.spec.reps; rep++) {
    for (const c of m.spec.configs) {
      for (const w of m.workloads) {
        for (const n of concurrencyOf(m.spec, c.name)) {
          cells.push({
            id: cellId(c.name, w.name, n, rep),
            index: cells.length,
            config: c.name,
            workload: w.name,
            concurrency: n,
            rep,
          });
        }
      }
    }
  }
  return cells;
}
