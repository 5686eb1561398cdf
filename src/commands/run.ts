import type { MatrixOverrides } from '../matrix/load.js';
import type { CostCellRecord } from '../results/cost-types.js';
import type { CellRecord } from '../results/types.js';
import { type CostMode, type RunEvents, type RunOutcome, runMatrix } from '../runner/run.js';
import type { Shard } from '../runner/shard.js';

export interface RunCommandOptions {
  matrixFile: string;
  overrides: MatrixOverrides;
  resultsDir?: string;
  resume?: string;
  allowChangedMatrix?: boolean;
  failFast?: boolean;
  noSampling?: boolean;
  shard?: Shard;
  /** Cost cells: after the throughput cells (default), alone (--cost-only), or not (--no-cost). */
  cost?: CostMode;
  command: string[];
  events: RunEvents;
  signal: AbortSignal;
}

export interface RunCommandResult {
  runDir: string;
  outcome: RunOutcome;
  records: CellRecord[];
  allRecords: CellRecord[];
  /** Cells of the whole run (all sessions of a resumed run) that did not complete. */
  failedCells: CellRecord[];
  /** Cost cells this invocation recorded (cost.jsonl). */
  costRecords: CostCellRecord[];
}

/** `bench run`: the matrix, cell by cell, into a run directory. */
export async function run(opts: RunCommandOptions): Promise<RunCommandResult> {
  const res = await runMatrix({
    matrixFile: opts.matrixFile,
    overrides: opts.overrides,
    ...(opts.resultsDir ? { resultsDir: opts.resultsDir } : {}),
    ...(opts.resume ? { resume: opts.resume } : {}),
    ...(opts.allowChangedMatrix ? { allowChangedMatrix: true } : {}),
    ...(opts.failFast ? { failFast: true } : {}),
    ...(opts.noSampling ? { noSampling: true } : {}),
    ...(opts.shard ? { shard: opts.shard } : {}),
    ...(opts.cost ? { cost: opts.cost } : {}),
    command: opts.command,
    events: opts.events,
    signal: opts.signal,
  });
  return {
    runDir: res.runDir,
    outcome: res.outcome,
    records: res.records,
    allRecords: res.allRecords,
    failedCells: res.allRecords.filter((r) => r.state !== 'completed' && r.state !== 'interrupted'),
    costRecords: res.costRecords,
  };
}
