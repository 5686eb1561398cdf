import type { Cell } from '../matrix/expand.js';
import type { MatrixOverrides } from '../matrix/load.js';
import type { Shard } from '../matrix/shard.js';
import type { CellRecord } from '../results/types.js';

/** What `bench run` is asked to do and whom it tells (run.ts opens and plans, execute.ts runs). */
export interface RunEvents {
  log(msg: string): void;
  cellStart?(cell: Cell, position: number, total: number, etaMs: number | undefined, durationS: number): void;
  cellProgress?(cell: Cell, tps: number, elapsedS: number): void;
  cellEnd?(cell: Cell, rec: CellRecord, position: number, total: number): void;
}

export interface RunOptions {
  matrixFile: string;
  overrides?: MatrixOverrides;
  resultsDir?: string;
  /** Continue this run directory: cells already finished are skipped. */
  resume?: string;
  /** Resume even though the matrix file changed since the run started. */
  allowChangedMatrix?: boolean;
  failFast?: boolean;
  command?: string[];
  events: RunEvents;
  signal?: AbortSignal;
  /** Turn the per-cell samplers off (they are on by default). */
  noSampling?: boolean;
  /** Run only this shard of the matrix (`--shard i/N`, src/matrix/shard.ts). */
  shard?: Shard;
  /**
   * The matrix's cost cells (src/runner/cost-plan.ts): after the throughput cells (`run`, the default),
   * alone (`only`, `--cost-only`) or not at all (`skip`, `--no-cost`).
   */
  cost?: CostMode;
}

export type CostMode = 'run' | 'only' | 'skip';

export type RunOutcome = 'completed' | 'failed' | 'interrupted';
