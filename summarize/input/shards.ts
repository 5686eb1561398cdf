import { loadVariants } from '../../src/matrix/load-variants.js';
import type { MatrixSpec } from '../../src/matrix/schema.js';
import type { RunInfo } from '../../src/results/types.js';
import { assignedGroups, groupKey, type ShardSource } from '../../src/runner/shard.js';
import type { Warning } from '../model/row.js';

/** Which shards of a sharded matrix the merged runs hold (`bench run --shard i/N`). */
export interface ShardCoverage {
  count: number;
  present: number[];
  missing: number[];
  /** `<workload> c<clients>` groups no present shard ran: the missing shards' cells. */
  missingGroups: string[];
}

type Sharded = RunInfo & { shard: NonNullable<RunInfo['shard']> };

function sharded(runs: readonly RunInfo[]): Sharded[] {
  return runs.filter((r): r is Sharded => r.shard !== undefined);
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const nums = (v: unknown) =>
  Array.isArray(v) && v.every((n) => typeof n === 'number') ? (v as number[]) : undefined;

/**
 * The matrix a shard planned from, read back from run.json's `effective` (durations in ms there):
 * the same source `bench run --shard` assigns from (src/runner/shard.ts). Undefined when it cannot
 * be read (a run of another bench version).
 */
function shardSourceOf(e: RunInfo['effective']): ShardSource | undefined {
  const concurrency = nums(e.concurrency);
  const [reps, warmup, duration, settle] = [e.reps, e.warmup, e.duration, e.settle].map(num);
  if (!concurrency || !Array.isArray(e.configs) || !Array.isArray(e.workloads)) return undefined;
  if (reps === undefined || warmup === undefined || duration === undefined || settle === undefined)
    return undefined;
  try {
    const workloads = e.workloads.flatMap((w) =>
      loadVariants({ name: typeof w === 'string' ? w : w.name }, w as MatrixSpec['workloads'][number]),
    );
    const configs = e.configs.map((c) => ({ name: c.name, concurrency: nums(c.concurrency) }));
    return { spec: { configs, concurrency, reps, warmup, duration, settle }, workloads };
  } catch {
    return undefined;
  }
}

/** The groups the missing shards would have run, assigned as the runner assigns them. */
function groupsOfShards(e: RunInfo['effective'], count: number, shards: readonly number[]): string[] {
  const src = shardSourceOf(e);
  const assigned = src && assignedGroups(src, count);
  if (!assigned) return [];
  return assigned.groups
    .filter((_, i) => shards.includes(assigned.shardOf[i] ?? 0))
    .map((g) => groupKey(g.workload, g.concurrency));
}

/** Undefined when no run is a shard. Shards with another count than the first are left to shardDifferences. */
export function shardCoverage(runs: readonly RunInfo[]): ShardCoverage | undefined {
  const shards = sharded(runs);
  const first = shards[0];
  if (!first) return undefined;
  const { count } = first.shard;
  const present = [...new Set(shards.map((r) => r.shard.index))].sort((a, b) => a - b);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.includes(i));
  return {
    count,
    present,
    missing,
    missingGroups: missing.length === 0 ? [] : groupsOfShards(first.effective, count, missing),
  };
}

/** Why two shards cannot be one matrix: another shard count, seed or override flags. */
export function shardDifferences(a: RunInfo, b: RunInfo): string[] {
  if (!a.shard || !b.shard) return [];
  const diffs: string[] = [];
  if (a.shard.count !== b.shard.count) diffs.push(`shard count ${a.shard.count} vs ${b.shard.count}`);
  if (a.order?.seed !== b.order?.seed)
    diffs.push(`config-order seed ${String(a.order?.seed)} vs ${String(b.order?.seed)}`);
  const oa = JSON.stringify(a.effective?.overrides ?? {});
  const ob = JSON.stringify(b.effective?.overrides ?? {});
  if (oa !== ob) diffs.push(`override flags ${oa} vs ${ob}`);
  return diffs;
}

/** Cells planned over the merged runs: summed over distinct shards, else the largest run's plan. */
export function plannedCells(runs: readonly RunInfo[]): number {
  const perShard = new Map<number, number>();
  for (const r of sharded(runs))
    perShard.set(r.shard.index, Math.max(perShard.get(r.shard.index) ?? 0, r.cellsPlanned ?? 0));
  const unsharded = runs.filter((r) => r.shard === undefined).map((r) => r.cellsPlanned ?? 0);
  return Math.max(
    ...unsharded,
    [...perShard.values()].reduce((a, b) => a + b, 0),
  );
}

/** The warning that names the missing shards; none when every shard is there. */
export function shardWarnings(c: ShardCoverage | undefined): Warning[] {
  if (!c || c.missing.length === 0) return [];
  const names = c.missing.map((i) => `${i}/${c.count}`).join(', ');
  const groups = c.missingGroups.length > 0 ? ` (their groups: ${c.missingGroups.join(', ')})` : '';
  return [
    {
      kind: 'missing-shards',
      message: `missing shard${c.missing.length === 1 ? '' : 's'} ${names}${groups}: this summary holds ${c.present.length} of ${c.count} shards, so its tables cover part of the matrix`,
      hint: `Run the missing shards (bench run <matrix> --shard i/${c.count} with the same matrix and flags) and summarize every shard's run directory together.`,
    },
  ];
}
