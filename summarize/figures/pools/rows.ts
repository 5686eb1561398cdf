import type { PoolFigures, PoolSlope, RowPools } from '../../model/pools.js';
import type { Row } from '../../model/row.js';

/** How many pools of a row the waiting table lists (summary.json keeps every listed one). */
export const POOLS_SHOWN = 10;

/** A model row with per-pool figures (a cell's row, never a mix group's: the samplers watch the whole cell). */
export interface PoolsRow {
  rowIndex: number;
  row: Row & { pools: RowPools };
}

/** One pool of a row that had a client waiting (or a maxwait above 0) at some tick. */
export interface WaitingRow {
  rowIndex: number;
  poolIndex: number;
  config: string;
  workload: string;
  concurrency: number;
  pool: PoolFigures;
}

/** One scope of the marginal cost per pool, pointed at in the first row that is one of its points. */
export interface SlopeRow {
  rowIndex: number;
  slopeIndex: number;
  slope: PoolSlope;
}

/** Every row with per-pool figures, in summary.json's order. Pure. */
export function poolRows(rows: readonly Row[]): PoolsRow[] {
  return rows.flatMap((r, rowIndex) =>
    r.pools && r.group === undefined ? [{ rowIndex, row: r as PoolsRow['row'] }] : [],
  );
}

const waited = (p: PoolFigures) => p.clWaitingPeak > 0 || p.maxwaitMsPeak > 0;

/** The pools that waited, POOLS_SHOWN per row at most, most waiting first (their order in summary.json). */
export function waitingRows(rows: readonly PoolsRow[]): WaitingRow[] {
  return rows.flatMap(({ rowIndex, row }) =>
    row.pools.pools
      .map((pool, poolIndex) => ({ pool, poolIndex }))
      .filter(({ pool }) => waited(pool))
      .slice(0, POOLS_SHOWN)
      .map(({ pool, poolIndex }) => ({
        rowIndex,
        poolIndex,
        config: row.config,
        workload: row.workload,
        concurrency: row.concurrency,
        pool,
      })),
  );
}

const scopeKey = (s: PoolSlope) => `${s.scope}\u0000${s.name}\u0000${s.processes}`;

/** Each scope of a slope once, at the first row that holds it. */
export function slopeRows(rows: readonly PoolsRow[]): SlopeRow[] {
  const seen = new Set<string>();
  const out: SlopeRow[] = [];
  for (const { rowIndex, row } of rows)
    (row.pools.slopes ?? []).forEach((slope, slopeIndex) => {
      if (seen.has(scopeKey(slope))) return;
      seen.add(scopeKey(slope));
      out.push({ rowIndex, slopeIndex, slope });
    });
  return out;
}

/**
 * Configs that ran one PgBouncer per group (pgbouncer_per_group) in a record that merged their
 * processes' pools by name (no pool names its process: written before bench kept them apart).
 */
export function perGroupProcessConfigs(rows: readonly PoolsRow[]): string[] {
  return [
    ...new Set(
      rows
        .filter(({ row }) => (row.pools.cost?.components ?? []).some((c) => c.includes('/group-')))
        .filter(({ row }) => row.pools.pools.every((p) => p.process === undefined))
        .map(({ row }) => row.config),
    ),
  ];
}

/** Distinct pool counts of rows with a PSS figure: the PSS plot needs two. */
export function poolCounts(rows: readonly PoolsRow[]): number[] {
  return [
    ...new Set(
      rows
        .filter(({ row }) => row.pools.cost?.pssMeanBytes !== undefined)
        .map(({ row }) => row.pools.poolsPeak),
    ),
  ].sort((a, b) => a - b);
}
