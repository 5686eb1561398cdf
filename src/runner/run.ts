import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Matrix } from '../matrix/load.js';
import { checkServers } from '../matrix/servers.js';
import { planShard, resolveShard, type Shard, shardCells } from '../matrix/shard.js';
import type { CostCellRecord } from '../results/cost-types.js';
import type { CellRecord } from '../results/types.js';
import { ensureRunDir, writeRunInfo } from '../results/write.js';
import { chooseProvider } from '../stack/select.js';
import { recordedCostIds } from './cost-execute.js';
import { type CostCell, planCostCells, uncountedConfigs } from './cost-plan.js';
import { costPreflight } from './cost-preflight.js';
import { execute } from './execute.js';
import { newRunInfo, openRun, preflight } from './open-run.js';
import { configOrder, planCells, remainingCells } from './plan.js';
import { checkProfiling } from './profile-hooks.js';
import type { CostMode, RunOptions, RunOutcome } from './types.js';
import { pgbouncerPreflight } from './version-preflight.js';

export interface RunResult {
  runDir: string;
  runId: string;
  matrix: Matrix;
  /** Cells recorded by this invocation. */
  records: CellRecord[];
  /** Cost cells recorded by this invocation (cost.jsonl). */
  costRecords: CostCellRecord[];
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
  const mode = costMode(opened.matrix, opts.cost ?? 'run');
  const todo = mode === 'only' ? [] : remainingCells(cells, previous);
  const cost = costTodo(
    opened.matrix,
    mode,
    order.seed,
    shard,
    resumed ? recordedCostIds(runDir) : new Set(),
  );
  const provider = await chooseProvider(spec.provider);
  events.log(`provider: ${provider.provider.name} (${provider.reason})`);
  await provider.provider.preflight?.(opened.matrix);
  checkServers(opened.matrix, provider.provider.name, provider.provider.defaultServer?.(opened.matrix));
  const matrix = await pgbouncerPreflight(opened.matrix, provider.provider);
  await costPreflight(matrix, cost, provider.provider.name);
  logCostPlan(matrix, cost, events.log);
  checkProfiling(matrix, provider.provider.name, opts.overrides?.profile === true);

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
  const { records, costRecords, outcome } = await execute({
    matrix,
    runDir,
    info,
    provider: provider.provider,
    todo,
    previous,
    cost,
    opts: { ...opts, events },
  });

  const latest = new Map(previous.map((c) => [c.id, c]));
  for (const r of records) latest.set(r.id, r);
  const allRecords = [...latest.values()].sort((a, b) => a.index - b.index);
  return { runDir, runId, matrix, records, costRecords, allRecords, outcome };
}

/** `--cost-only` needs a cost block to run; without one there is nothing to do, which is bad input. */
function costMode(m: Matrix, mode: CostMode): CostMode {
  if (mode === 'only' && !m.spec.cost) {
    throw new ConfigurationError(`--cost-only: expected a matrix with a cost: block, ${m.file} has none`);
  }
  return m.spec.cost ? mode : 'skip';
}

/**
 * The cost cells still to run: none with --no-cost; with --shard only in shard 1 (cost cells are
 * few and count work, not time, so one machine holds them all); none already recorded.
 */
function costTodo(
  m: Matrix,
  mode: CostMode,
  seed: number,
  shard: Shard | undefined,
  done: Set<string>,
): CostCell[] {
  if (mode === 'skip' || (shard !== undefined && shard.index !== 1)) return [];
  return planCostCells(m, seed).filter((c) => !done.has(c.id));
}

function logCostPlan(m: Matrix, cost: readonly CostCell[], log: (msg: string) => void): void {
  if (cost.length === 0) return;
  const none = uncountedConfigs(m);
  log(
    `cost cells: ${cost.length} (after the throughput cells)${none.length > 0 ? `; nothing to count in ${none.join(', ')}` : ''}`,
  );
}
