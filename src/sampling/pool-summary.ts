import type {
  ComponentSummary,
  PgbouncerPool,
  PgbouncerSample,
  PoolerCost,
  PoolSummary,
  PoolsSummary,
} from './types.js';

/** How many pools a cell's record lists by name; the rest are counted (samples.jsonl has them all). */
export const POOLS_LISTED = 20;

const round3 = (v: number) => Math.round(v * 1000) / 1000;
/** A pool's identity: (database, user), and its process when that process keeps its own pools. */
const key = (p: PgbouncerPool) => `${p.process ?? ''}\u0000${p.database}\u0000${p.user}`;

function summarizePool(list: PgbouncerPool[]): PoolSummary {
  const first = list[0] as PgbouncerPool;
  const peak = (f: (p: PgbouncerPool) => number) => Math.max(...list.map(f));
  const mean = (f: (p: PgbouncerPool) => number) => round3(list.reduce((a, p) => a + f(p), 0) / list.length);
  return {
    database: first.database,
    user: first.user,
    ...(first.process === undefined ? {} : { process: first.process }),
    ...(first.group === undefined ? {} : { group: first.group }),
    samples: list.length,
    clActivePeak: peak((p) => p.clActive),
    clActiveMean: mean((p) => p.clActive),
    clWaitingPeak: peak((p) => p.clWaiting),
    clWaitingMean: mean((p) => p.clWaiting),
    svActivePeak: peak((p) => p.svActive),
    svIdlePeak: peak((p) => p.svIdle),
    maxwaitMsPeak: round3(peak((p) => p.maxwaitMs)),
  };
}

/** Orders pools for a "who waited" list: most waiting first; ties by name so the order is stable. */
export function byWaiting(a: PoolSummary, b: PoolSummary): number {
  return (
    b.clWaitingPeak - a.clWaitingPeak ||
    b.maxwaitMsPeak - a.maxwaitMsPeak ||
    b.clActivePeak - a.clActivePeak ||
    a.database.localeCompare(b.database) ||
    a.user.localeCompare(b.user) ||
    (a.process ?? '').localeCompare(b.process ?? '')
  );
}

/**
 * Pure: a cell's PgBouncer samples -> per-pool figures. Several workers' pools of one name merge
 * (`workers: N` share each pool); pools tagged with a process (`pgbouncer_per_group`) stay apart.
 */
export function summarizePools(samples: PgbouncerSample[], listed = POOLS_LISTED): PoolsSummary {
  const byPool = new Map<string, PgbouncerPool[]>();
  let poolsPeak = 0;
  for (const s of samples) {
    const atTick = new Map<string, PgbouncerPool>();
    for (const p of s.pools) {
      // Workers (so_reuseport) each list the pool: one tick's figure is their sum, maxwait their max.
      // A per-group process's pool has its process in the key: no other process's pool merges into it.
      const prev = atTick.get(key(p));
      atTick.set(key(p), prev ? mergeShares(prev, p) : p);
    }
    poolsPeak = Math.max(poolsPeak, atTick.size);
    for (const [k, p] of atTick) {
      const list = byPool.get(k);
      if (list) list.push(p);
      else byPool.set(k, [p]);
    }
  }
  const all = [...byPool.values()].map(summarizePool).sort(byWaiting);
  return {
    poolsPeak,
    poolsSeen: all.length,
    pools: all.slice(0, listed),
    poolsOmitted: Math.max(0, all.length - listed),
  };
}

function mergeShares(a: PgbouncerPool, b: PgbouncerPool): PgbouncerPool {
  return {
    ...a,
    clActive: a.clActive + b.clActive,
    clWaiting: a.clWaiting + b.clWaiting,
    svActive: a.svActive + b.svActive,
    svIdle: a.svIdle + b.svIdle,
    svUsed: a.svUsed + b.svUsed,
    maxwaitMs: Math.max(a.maxwaitMs, b.maxwaitMs),
  };
}

/**
 * The pooler's memory and CPU against its pool count: PSS (mean over the cell) and mean CPU of the
 * PgBouncer process trees, summed over workers, divided by the peak pool count. It includes what
 * PgBouncer costs with no pool at all (its fixed footprint), so it is an upper bound on a pool's
 * own cost; the difference between two cells with different pool counts is the marginal cost.
 */
export function poolerCost(
  components: Record<string, ComponentSummary>,
  pools: number,
): PoolerCost | undefined {
  const keys = Object.keys(components)
    .filter((k) => k.startsWith('pgbouncer'))
    .sort();
  if (keys.length === 0 || pools <= 0) return undefined;
  const cs = keys.map((k) => components[k] as ComponentSummary);
  const out: PoolerCost = { components: keys, pools };
  if (cs.every((c) => c.pssMeanBytes !== undefined)) {
    out.pssMeanBytes = cs.reduce((a, c) => a + (c.pssMeanBytes ?? 0), 0);
    out.pssPerPoolBytes = Math.round(out.pssMeanBytes / pools);
  }
  if (cs.every((c) => c.cpuCoresMean !== undefined)) {
    out.cpuCoresMean = Math.round(cs.reduce((a, c) => a + (c.cpuCoresMean ?? 0), 0) * 1e4) / 1e4;
    out.cpuCoresPerPool = Math.round((out.cpuCoresMean / pools) * 1e6) / 1e6;
  }
  return out;
}
