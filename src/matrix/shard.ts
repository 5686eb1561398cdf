import { ConfigurationError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { concurrencyOf } from './concurrency.js';
import type { Cell } from './expand.js';
import type { Matrix, MatrixOverrides } from './load.js';
import { workloadBlocks } from './load-variants.js';
import type { MatrixSpec } from './schema.js';
import type { Workload } from './workload.js';

/** `--shard i/N`: this process runs shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** What run.json records about the shard a run holds (see docs/ci.md). */
export interface ShardInfo extends Shard {
  /** The shard's groups as `<workload> c<clients>`, each with every config and every rep. */
  groups: string[];
  /** Where the config-order seed came from: the matrix's `seed`, or derived from the matrix. */
  seedFrom: 'matrix' | 'derived';
}

/**
 * The unit of sharding: one workload at one concurrency, with every config and every rep. Keeping
 * the configs together keeps each paired comparison (configs of one rep) on one machine; keeping
 * the reps together keeps a row's spread over reps free of machine-to-machine differences. A load
 * profile is one workload here (all its segments: a segment runs right after the one before it, on
 * the same stack); each value of a rate list is a workload of its own, as it is in the tables.
 */
export interface ShardGroup {
  /** The matrix's workload, or one rate of a rate list (`web.r100`); a profile's base name (`web`). */
  workload: string;
  concurrency: number;
  /** The workloads of the group's cells: the profile's segments (`web.s01`, ...), else `workload`. */
  cellWorkloads: string[];
  /** Expected wall time of the group's cells, for balancing. */
  costMs: number;
}

/** Time a cell costs besides warmup, duration and settle (CHECKPOINT, vacuum, pool drain): a guess. */
const CELL_OVERHEAD_MS = 1_000;

/** Parses `i/N` (1 <= i <= N); anything else is bad input. */
export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !(count >= 1) || !(index >= 1) || index > count) {
    throw new ConfigurationError(`--shard: expected i/N with 1 <= i <= N (e.g. 1/4), got "${value}"`);
  }
  return { index, count };
}

export function groupKey(workload: string, concurrency: number): string {
  return `${workload} c${concurrency}`;
}

/**
 * What the groups follow from: the validated matrix (run.json's `effective` holds the same fields,
 * durations in ms) and its cell workloads in file order, rate values and profile segments each one
 * (src/matrix/load-variants.ts). The runner and summarize both assign shards from this, alike.
 */
export interface ShardSource {
  spec: Parameters<typeof concurrencyOf>[0] & Pick<MatrixSpec, 'reps' | 'warmup' | 'duration' | 'settle'>;
  workloads: readonly Pick<Workload, 'name' | 'durationMs' | 'load'>[];
}

/** The client counts of the matrix: every config's (its own list, else the matrix's), first seen first. */
function concurrencies(spec: ShardSource['spec']): number[] {
  return [...new Set(spec.configs.flatMap((c) => concurrencyOf(spec, c.name)))];
}

/**
 * The matrix's groups in file order (workloads, then concurrency), each with its expected cost:
 * configs that run the concurrency x reps x one cell's time (a profile: one warmup and settle, then
 * its segments back to back, as src/runner/segment.ts runs them).
 */
export function shardGroupsOf(src: ShardSource): ShardGroup[] {
  const { spec } = src;
  const prepMs = spec.warmup + spec.settle + CELL_OVERHEAD_MS;
  return workloadBlocks(src.workloads).flatMap((block) => {
    const first = block[0] as ShardSource['workloads'][number];
    const workload = first.load?.segment ? first.load.workload : first.name;
    const runMs = block.reduce((sum, w) => sum + (w.durationMs ?? spec.duration), 0);
    return concurrencies(spec).map((n) => ({
      workload,
      concurrency: n,
      cellWorkloads: block.map((w) => w.name),
      costMs:
        (prepMs + runMs) *
        spec.reps *
        spec.configs.filter((c) => concurrencyOf(spec, c.name).includes(n)).length,
    }));
  });
}

/**
 * Shard number (1-based) of every group: longest expected time first, each to the shard with the
 * least time so far (ties: the lower shard; equal costs: file order). Pure and deterministic, so
 * every shard process computes the same assignment and the shards are disjoint and complete.
 */
export function assignShards(groups: readonly { costMs: number }[], count: number): number[] {
  const load = new Array<number>(count).fill(0);
  const out = new Array<number>(groups.length).fill(0);
  const byCost = groups.map((g, i) => ({ g, i })).sort((a, b) => b.g.costMs - a.g.costMs || a.i - b.i);
  for (const { g, i } of byCost) {
    let best = 0;
    for (let s = 1; s < count; s++) if ((load[s] ?? 0) < (load[best] ?? 0)) best = s;
    load[best] = (load[best] ?? 0) + g.costMs;
    out[i] = best + 1;
  }
  return out;
}

/**
 * Every group with the shard (1-based) that runs it, for `count` shards: what `bench run --shard`
 * runs and what summarize names for a missing shard. Undefined when there are more shards than
 * groups (a shard would be empty).
 */
export function assignedGroups(
  src: ShardSource,
  count: number,
): { groups: ShardGroup[]; shardOf: number[] } | undefined {
  const groups = shardGroupsOf(src);
  return count > groups.length ? undefined : { groups, shardOf: assignShards(groups, count) };
}

/** The groups of one shard; refuses a shard count above the number of groups (a shard would be empty). */
export function groupsOfShard(m: Matrix, shard: Shard): ShardGroup[] {
  const assigned = assignedGroups(m, shard.count);
  if (!assigned) {
    const n = shardGroupsOf(m).length;
    throw new ConfigurationError(
      `${m.file}: --shard ${shard.index}/${shard.count}: expected at most ${n} shards, the matrix has ${n} workload x concurrency groups (a shard holds whole groups: every config and rep of one workload at one concurrency)`,
    );
  }
  return assigned.groups.filter((_, i) => assigned.shardOf[i] === shard.index);
}

/** The planned cells of the shard, in the planned order, keeping their whole-matrix index. */
export function shardCells(cells: readonly Cell[], groups: readonly ShardGroup[]): Cell[] {
  const keys = new Set(groups.flatMap((g) => g.cellWorkloads.map((w) => groupKey(w, g.concurrency))));
  return cells.filter((c) => keys.has(groupKey(c.workload, c.concurrency)));
}

/**
 * The config-order seed of a sharded run without `seed` in the matrix: derived from the matrix text
 * and the overrides, so every shard of the same matrix and flags shuffles alike and the shards'
 * cell indexes agree.
 */
export function derivedSeed(matrixHash: string, overrides: MatrixOverrides): number {
  return Number.parseInt(sha256(`${matrixHash}\n${JSON.stringify(overrides)}`).slice(0, 8), 16) >>> 1;
}

/** What planning a sharded run needs: its groups, the seed when the matrix has none, run.json's record. */
export function planShard(
  m: Matrix,
  shard: Shard,
  overrides: MatrixOverrides,
): { groups: ShardGroup[]; seed: number; info: ShardInfo } {
  const groups = groupsOfShard(m, shard);
  return {
    groups,
    seed: m.spec.seed ?? derivedSeed(m.hash, overrides),
    info: {
      ...shard,
      groups: groups.map((g) => groupKey(g.workload, g.concurrency)),
      seedFrom: m.spec.seed === undefined ? 'derived' : 'matrix',
    },
  };
}

/**
 * The shard a run holds: the one it recorded (a resumed run), or the one asked for. A resumed shard
 * asked to become another shard is bad input.
 */
export function resolveShard(asked: Shard | undefined, recorded: Shard | undefined): Shard | undefined {
  if (recorded && asked && (asked.index !== recorded.index || asked.count !== recorded.count)) {
    throw new ConfigurationError(
      `--shard ${asked.index}/${asked.count}: expected the shard the run started as (${recorded.index}/${recorded.count}) or no --shard`,
    );
  }
  return recorded ?? asked;
}
