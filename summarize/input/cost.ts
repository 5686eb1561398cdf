import { readCostRecords } from '../../src/results/cost-read.js';
import type { CostCellRecord } from '../../src/results/cost-types.js';
import { buildCostRows, type CostRow } from '../model/cost-rows.js';

export interface LoadedCost {
  rows: CostRow[];
  records: CostCellRecord[];
  /** What the reader tolerated, file and line named. */
  warnings: string[];
}

/**
 * The I/O half of the cost figure: reads cost.jsonl of each run directory (only that file: the
 * throughput readers never open it, and this never opens cells.jsonl) and builds the cost rows.
 */
export function loadCost(runDirs: readonly string[], configOrder: readonly string[] = []): LoadedCost {
  const read = runDirs.map((d) => readCostRecords(d));
  const records = read.flatMap((r) => r.records);
  return { rows: buildCostRows(records, configOrder), records, warnings: read.flatMap((r) => r.warnings) };
}
