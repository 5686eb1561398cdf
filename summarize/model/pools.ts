import type { CompletedCell } from '../../src/results/types.js';
import type { PoolSummary } from '../../src/sampling/types.js';
import { isNum } from './format.js';
import { num, obj } from './json-guards.js';

/**
 * Per-pool figures of a row (PgBouncer `SHOW POOLS` per (database, user), docs/tenants.md
 * "Per-pool sampling"), over its completed reps: from each cell's `sampling.pgbouncer.pools` (the
 * pools that waited most, POOLS_LISTED of them) and `sampling.pgbouncer.cost`. Pure.
 *
 * Over reps: peaks are the maximum of the reps' peaks, means the mean of the reps' means (over the
 * reps in which the pool was listed), costs the mean of the reps' costs.
 */
export interface PoolFigures {
  database: string;
  user: string;
  /**
   * The mix group whose own pool this is: `pool_per_group`'s database `<db>__<group>`, or
   * `pgbouncer_per_group`'s group process (the record's `group`).
   */
  group?: string;
  /** With `pgbouncer_per_group`: the PgBouncer process whose pool this is (its component key). */
  process?: string;
  /** Completed reps whose record listed this pool. */
  reps: number;
  clWaitingPeak: number;
  clWaitingMean: number;
  maxwaitMsPeak: number;
  clActivePeak: number;
  clActiveMean: number;
  svActivePeak: number;
  svIdlePeak: number;
}

/** PgBouncer's PSS and CPU against its pool count, the mean over completed reps of each rep's. */
export interface RowPoolCost {
  /** Reps with a cost record. */
  reps: number;
  /** The PgBouncer components (process trees) summed, e.g. several workers or per-group processes. */
  components: string[];
  /** How many: PgBouncer's fixed footprint is per process. */
  processes: number;
  /** Mean over reps of the pools each rep's cost was divided by (its poolsPeak). */
  pools: number;
  pssMeanBytes?: number;
  pssPerPoolBytes?: number;
  cpuCoresMean?: number;
  cpuCoresPerPool?: number;
  /** The same in the units the tables print (report.html's pointers name a value exactly as shown). */
  pssMeanMiB?: number;
  pssPerPoolKiB?: number;
  cpuMillicoresPerPool?: number;
}

/**
 * The marginal cost of one more pool: least-squares slopes of PgBouncer PSS and CPU against pools
 * over rows (one point per row: its peak pools, its mean cost over reps), with the fixed footprint
 * in the intercept. Stated only when the pool counts grow enough (POOL_SLOPE_RULE) and the slope is
 * positive; otherwise `pssRefused` / `cpuRefused` say why.
 */
export interface PoolSlope {
  /** `config`: the rows of one config; `version`: the rows of every config of one PgBouncer version. */
  scope: 'config' | 'version';
  /** The config's name or the PgBouncer version. */
  name: string;
  configs: string[];
  /** PgBouncer processes of every point (the fixed footprint is per process: points never mix counts). */
  processes: number;
  points: number;
  poolsMin: number;
  poolsMax: number;
  pssBytesPerPool?: number;
  cpuCoresPerPool?: number;
  /** The same in the units the tables print. */
  pssKiBPerPool?: number;
  cpuMillicoresPerPool?: number;
  pssRefused?: string;
  cpuRefused?: string;
}

export interface RowPools {
  /** Completed reps whose record has per-pool figures. */
  reps: number;
  /** Most pools listed at one tick, the maximum over reps. */
  poolsPeak: number;
  poolsSeen: number;
  /** Pools not listed by name in some rep's record (the most of any rep). */
  poolsOmitted: number;
  /** Pools with a client waiting at some tick (peak cl_waiting > 0) among those listed. */
  poolsWaited: number;
  /**
   * Whether `poolsWaited` counts every pool: in each rep, every pool was listed or the last one
   * listed had no client waiting (the list is ordered by waiting, so the omitted ones had none).
   */
  waitedComplete: boolean;
  /** The PgBouncer version of the cells (`versions.pgbouncer`), when recorded. */
  version?: string;
  /** The listed pools over reps, most waiting first (src/sampling/pool-summary.ts byWaiting). */
  pools: PoolFigures[];
  cost?: RowPoolCost;
  /** The marginal cost per pool of every scope this row is a point of (attachPoolSlopes). */
  slopes?: PoolSlope[];
}

/** When a slope over pool counts is stated (the pool counts must grow enough to outgrow the noise). */
export const POOL_SLOPE_RULE = {
  /** The largest pool count at least this many times the smallest. */
  minFactor: 2,
  /** And at least this many pools more. */
  minSpan: 10,
} as const;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const KIB = 1024;
export const MIB = 1024 * 1024;
const opt = (v: number | undefined, f: (x: number) => number) => (v === undefined ? undefined : f(v));
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** A pool as a cell's record holds it (src/sampling/pool-summary.ts); `samples` may be absent in older records. */
type RawPool = Omit<PoolSummary, 'samples'> & { samples?: number };

const POOL_NUMBERS = [
  'clActivePeak',
  'clActiveMean',
  'clWaitingPeak',
  'clWaitingMean',
  'svActivePeak',
  'svIdlePeak',
  'maxwaitMsPeak',
] as const;

/** One listed pool of a record, or undefined when a field is not what the writer writes. */
function rawPool(v: unknown): RawPool | undefined {
  const o = obj(v);
  if (!o || typeof o.database !== 'string' || typeof o.user !== 'string') return undefined;
  const out: Record<string, unknown> = { database: o.database, user: o.user };
  for (const k of ['process', 'group'] as const) if (typeof o[k] === 'string') out[k] = o[k];
  for (const k of POOL_NUMBERS) {
    const n = num(o[k]);
    if (n === undefined) return undefined;
    out[k] = n;
  }
  return out as unknown as RawPool;
}

/** `bench__batch` with a group `batch` in the cell's mix -> `batch` (pool_per_group's database entry). */
export function poolGroup(database: string, groups: readonly string[]): string | undefined {
  return groups.find((g) => database.endsWith(`__${g}`));
}

function byWaiting(a: PoolFigures, b: PoolFigures): number {
  return (
    b.clWaitingPeak - a.clWaitingPeak ||
    b.maxwaitMsPeak - a.maxwaitMsPeak ||
    b.clActivePeak - a.clActivePeak ||
    a.database.localeCompare(b.database) ||
    a.user.localeCompare(b.user) ||
    (a.process ?? '').localeCompare(b.process ?? '')
  );
}

function mergePools(lists: readonly RawPool[][], groups: readonly string[]): PoolFigures[] {
  const byKey = new Map<string, RawPool[]>();
  for (const list of lists)
    for (const p of list) {
      const k = `${p.process ?? ''}\u0000${p.database}\u0000${p.user}`;
      byKey.set(k, [...(byKey.get(k) ?? []), p]);
    }
  return [...byKey.values()]
    .map((ps): PoolFigures => {
      const first = ps[0] as RawPool;
      const peak = (f: (p: RawPool) => number) => Math.max(...ps.map(f));
      const avg = (f: (p: RawPool) => number) => round3(mean(ps.map(f)));
      const group = first.group ?? poolGroup(first.database, groups);
      return {
        database: first.database,
        user: first.user,
        ...(group === undefined ? {} : { group }),
        ...(first.process === undefined ? {} : { process: first.process }),
        reps: ps.length,
        clWaitingPeak: peak((p) => p.clWaitingPeak),
        clWaitingMean: avg((p) => p.clWaitingMean),
        maxwaitMsPeak: peak((p) => p.maxwaitMsPeak),
        clActivePeak: peak((p) => p.clActivePeak),
        clActiveMean: avg((p) => p.clActiveMean),
        svActivePeak: peak((p) => p.svActivePeak),
        svIdlePeak: peak((p) => p.svIdlePeak),
      };
    })
    .sort(byWaiting);
}

function costOf(records: readonly Record<string, unknown>[]): RowPoolCost | undefined {
  const cs = records.flatMap((r) => {
    const c = obj(r.cost);
    const pools = num(c?.pools);
    return c && pools !== undefined && pools > 0 ? [{ c, pools }] : [];
  });
  if (cs.length === 0) return undefined;
  const all = (k: string) => {
    const xs = cs.map(({ c }) => num(c[k]));
    return xs.every(isNum) ? mean(xs) : undefined;
  };
  const components = [
    ...new Set(cs.flatMap(({ c }) => (Array.isArray(c.components) ? c.components.map(String) : []))),
  ].sort();
  const pss = opt(all('pssMeanBytes'), Math.round);
  const pssPer = opt(all('pssPerPoolBytes'), Math.round);
  const cpu = opt(all('cpuCoresMean'), (v) => Math.round(v * 1e4) / 1e4);
  const cpuPer = opt(all('cpuCoresPerPool'), (v) => Math.round(v * 1e6) / 1e6);
  return {
    reps: cs.length,
    components,
    processes: components.length,
    pools: mean(cs.map((x) => x.pools)),
    ...(pss === undefined ? {} : { pssMeanBytes: pss, pssMeanMiB: pss / MIB }),
    ...(pssPer === undefined ? {} : { pssPerPoolBytes: pssPer, pssPerPoolKiB: pssPer / KIB }),
    ...(cpu === undefined ? {} : { cpuCoresMean: cpu }),
    ...(cpuPer === undefined ? {} : { cpuCoresPerPool: cpuPer, cpuMillicoresPerPool: cpuPer * 1000 }),
  };
}

/** The most common PgBouncer version of the cells, when they recorded one. */
function versionOf(cells: readonly CompletedCell[]): string | undefined {
  const n = new Map<string, number>();
  for (const c of cells) {
    const v = c.versions?.pgbouncer;
    if (typeof v === 'string') n.set(v, (n.get(v) ?? 0) + 1);
  }
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/**
 * A row's per-pool figures from its completed cells (a mix's total row: a group row's cells have no
 * sampling), or undefined when no cell recorded per-pool figures (a run of an older bench, or no
 * PgBouncer on the path).
 */
export function aggregatePools(cells: readonly CompletedCell[]): RowPools | undefined {
  const recs = cells.flatMap((c) => {
    const pb = obj(obj(c.sampling)?.pgbouncer);
    const pools = obj(pb?.pools);
    return pb && pools && Array.isArray(pools.pools) ? [{ c, pb, pools }] : [];
  });
  if (recs.length === 0) return undefined;
  const groups = [...new Set(cells.flatMap((c) => (c.groups ?? []).map((g) => g.name)))];
  const lists = recs.map(({ pools }) =>
    (pools.pools as unknown[]).map(rawPool).filter((p): p is RawPool => p !== undefined),
  );
  const pools = mergePools(lists, groups);
  const omitted = recs.map(({ pools: p }) => num(p.poolsOmitted) ?? 0);
  const waitedComplete = recs.every(
    ({ pools: p }, i) => (num(p.poolsOmitted) ?? 0) === 0 || (lists[i]?.at(-1)?.clWaitingPeak ?? 0) === 0,
  );
  const cost = costOf(recs.map((r) => r.pb));
  const version = versionOf(recs.map((r) => r.c));
  return {
    reps: recs.length,
    poolsPeak: Math.max(...recs.map(({ pools: p }) => num(p.poolsPeak) ?? 0)),
    poolsSeen: Math.max(...recs.map(({ pools: p }) => num(p.poolsSeen) ?? 0)),
    poolsOmitted: Math.max(...omitted),
    poolsWaited: pools.filter((p) => p.clWaitingPeak > 0).length,
    waitedComplete,
    ...(version === undefined ? {} : { version }),
    pools,
    ...(cost ? { cost } : {}),
  };
}
