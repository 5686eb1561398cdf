import path from 'node:path';
import type { Cell } from '../matrix/expand.js';
import type { Matrix, MatrixOverrides } from '../matrix/load.js';
import type { CellRecord } from '../results/types.js';
import { ensureRunDir, writeRunInfo } from '../results/write.js';
import { chooseProvider } from '../stack/select.js';
import { execute } from './execute.js';
import { newRunInfo, openRun, preflight } from './open-run.js';
import { configOrder, planCells, remainingCells } from './plan.js';
import { planShard, resolveShard, type Shard, shardCells } from './shard.js';
import { pgbouncerPreflight } from './version-preflight.js';

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
  /** Run only this shard of the matrix (`--shard i/N`, src/runner/shard.ts). */
  shard?: Shard;
}

export type RunOutcome = 'completed' | 'failed' | 'interrupted';

export interface RunResult {
  runDir: string;
  runId: string;
  matrix: Matrix;
  /** Cells recorded by this invocation. */
  records: CellRecord[];
  /** Every cell of the run directory, latest record per cell (earlier sessions of a resumed run included). */
  allRecords: CellRecord[];
  outcome: RunOutcome;
}

/**
 * `bench run` in three steps: open (or resume) the run directory, plan the cells, execute them.
 * Everything that can refuse the run (matrix, flags, limits, ports, provider) does so before the
 * run directory is created.
 */
export async function runMatrix(opts: RunOptions): Promise<RunResult> {
  const { events } = opts;
  // Open.
  const opened = openRun({ ...opts, log: events.log });
  const { runDir, previous, resumed } = opened;
  await preflight(opened.matrix);

  // Plan.
  const { spec } = opened.matrix;
  const shard = resolveShard(opts.shard, resumed?.shard);
  const sharded = shard ? planShard(opened.matrix, shard, opts.overrides ?? {}) : undefined;
  const order =
    resumed?.order ??
    configOrder(
      spec.configs.map((c) => c.name),
      spec.reps,
      spec.config_order,
      spec.seed ?? sharded?.seed ?? Math.floor(Math.random() * 2 ** 31),
    );
  const planned = planCells(opened.matrix, order);
  const cells = sharded ? shardCells(planned, sharded.groups) : planned;
  const todo = remainingCells(cells, previous);
  const provider = await chooseProvider(spec.provider);
  events.log(`provider: ${provider.provider.name} (${provider.reason})`);
  provider.provider.preflight?.(opened.matrix);
  const matrix = await pgbouncerPreflight(opened.matrix, provider.provider);

  // Execute.
  ensureRunDir(runDir);
  const runId = path.basename(runDir);
  const info =
    resumed ??
    (await newRunInfo({
      ...(sharded ? { shard: sharded.info } : {}),
      matrix,
      runId,
      command: opts.command ?? [],
      overrides: opts.overrides ?? {},
      provider: { name: provider.provider.name, reason: provider.reason },
      cellsPlanned: cells.length,
      order,
    }));
  if (resumed) info.resumedAt = [...(info.resumedAt ?? []), new Date().toISOString()];
  writeRunInfo(runDir, info);
  const { records, outcome } = await execute({
    matrix,
    runDir,
    info,
    provider: provider.provider,
    todo,
    previous,
    opts: { ...opts, events },
  });

  const latest = new Map(previous.map((c) => [c.id, c]));
  for (const r of records) latest.set(r.id, r);
  const allRecords = [...latest.values()].sort((a, b) => a.index - b.index);
  return { runDir, runId, matrix, records, allRecords, outcome };
}
