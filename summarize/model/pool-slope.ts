import { slope } from './memory-slope.js';
import { KIB, POOL_SLOPE_RULE, type PoolSlope } from './pools.js';
import type { Row } from './row.js';

/** A row that is a point of a pool-cost slope: completed reps, a cost record, a pool count. */
type CostRow = Row & {
  pools: NonNullable<Row['pools']> & { cost: NonNullable<NonNullable<Row['pools']>['cost']> };
};

function isCostRow(r: Row): r is CostRow {
  return r.group === undefined && r.repsCompleted > 0 && r.pools?.cost !== undefined && r.pools.poolsPeak > 0;
}

/** Why pool counts this close give no slope, or undefined when they grow enough (POOL_SLOPE_RULE). */
export function poolSpanRefusal(lo: number, hi: number): string | undefined {
  const { minFactor, minSpan } = POOL_SLOPE_RULE;
  if (hi >= minFactor * lo && hi - lo >= minSpan) return undefined;
  return `pool counts ${lo} to ${hi} are too close (the largest must be at least ${minFactor} times the smallest and ${minSpan} more)`;
}

/** The slope of one figure, or why it is not stated. */
function oneSlope(
  points: readonly { x: number; y: number | undefined }[],
  what: string,
  round: (v: number) => number,
): { value: number } | { refused: string } {
  const xy = points.flatMap((p) => (p.y === undefined ? [] : [{ x: p.x, y: p.y }]));
  if (xy.length < points.length) return { refused: `${what} was not measured in every cell` };
  const s = slope(xy);
  if (s === undefined) return { refused: 'fewer than two pool counts' };
  if (!(s > 0))
    return {
      refused: `${what} did not grow with the pools (slope not positive): the noise is larger than a pool's cost`,
    };
  return { value: round(s) };
}

function scopeSlope(
  scope: PoolSlope['scope'],
  name: string,
  rows: readonly CostRow[],
): PoolSlope | undefined {
  const xs = rows.map((r) => r.pools.poolsPeak);
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  if (lo === hi) return undefined;
  const base = {
    scope,
    name,
    configs: [...new Set(rows.map((r) => r.config))],
    processes: rows[0]?.pools.cost.processes ?? 0,
    points: rows.length,
    poolsMin: lo,
    poolsMax: hi,
  };
  const span = poolSpanRefusal(lo, hi);
  if (span) return { ...base, pssRefused: span, cpuRefused: span };
  const pss = oneSlope(
    rows.map((r) => ({ x: r.pools.poolsPeak, y: r.pools.cost.pssMeanBytes })),
    'PSS',
    Math.round,
  );
  const cpu = oneSlope(
    rows.map((r) => ({ x: r.pools.poolsPeak, y: r.pools.cost.cpuCoresMean })),
    'CPU',
    (v) => Math.round(v * 1e9) / 1e9,
  );
  return {
    ...base,
    ...('value' in pss
      ? { pssBytesPerPool: pss.value, pssKiBPerPool: pss.value / KIB }
      : { pssRefused: pss.refused }),
    ...('value' in cpu
      ? { cpuCoresPerPool: cpu.value, cpuMillicoresPerPool: cpu.value * 1000 }
      : { cpuRefused: cpu.refused }),
  };
}

function groupBy(rows: readonly CostRow[], key: (r: CostRow) => string | undefined): Map<string, CostRow[]> {
  const out = new Map<string, CostRow[]>();
  for (const r of rows) {
    const k = key(r);
    if (k !== undefined) out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

/**
 * Sets `pools.slopes` on every row that is a point of a scope with two or more pool counts: the
 * rows of one config, and the rows of every config of one PgBouncer version when they are two
 * configs or more. A scope's points all have the same number of PgBouncer processes (each has its
 * own fixed footprint). One pool count: no scope, no slope (the per-pool figure of the cost table
 * is all there is). Mutates.
 */
export function attachPoolSlopes(rows: readonly Row[]): void {
  const points = rows.filter(isCostRow);
  const procs = (r: CostRow) => r.pools.cost.processes;
  const scopes: Array<[PoolSlope['scope'], string, CostRow[]]> = [];
  for (const rs of groupBy(points, (r) => `${r.config}\u0000${procs(r)}`).values())
    scopes.push(['config', rs[0]?.config ?? '', rs]);
  const byVersion = groupBy(points, (r) =>
    r.pools.version === undefined ? undefined : `${r.pools.version}\u0000${procs(r)}`,
  );
  for (const rs of byVersion.values())
    if (new Set(rs.map((r) => r.config)).size >= 2) scopes.push(['version', rs[0]?.pools.version ?? '', rs]);
  for (const [scope, name, rs] of scopes) {
    const s = scopeSlope(scope, name, rs);
    if (!s) continue;
    for (const r of rs) r.pools.slopes = [...(r.pools.slopes ?? []), s];
  }
}
