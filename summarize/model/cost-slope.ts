/**
 * The arithmetic of per-transaction cost, pure. A cost cell counts everything the component did
 * between start and stop: start-up, connection set-up, N transactions, shutdown. Two (or more) cells
 * with different N differ only by the transactions, so the slope of count over transactions is the
 * cost of one transaction with the fixed part cancelled.
 */

/**
 * Least-squares slope of y over x: Σ(x−x̄)(y−ȳ) / Σ(x−x̄)². With two points it is
 * (y₂ − y₁) / (x₂ − x₁) exactly. NaN with fewer than two distinct x.
 */
export function slope(points: readonly (readonly [x: number, y: number])[]): number {
  if (points.length < 2) return Number.NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : Number.NaN;
}

/** One figure over repeats: the mean of the per-repeat slopes and how far the repeats disagree. */
export interface CostStat {
  /** Mean over repeats of the per-transaction slope. */
  mean: number;
  /**
   * (max − min) / |mean| over the repeats, in percent: how far the repeats disagree. NaN with
   * fewer than two repeats (one repeat cannot show its own spread).
   */
  spreadPct: number;
  /** The slope of each repeat, in repeat order. */
  perRepeat: number[];
}

export function costStat(perRepeat: readonly number[]): CostStat {
  const xs = perRepeat.filter((x) => Number.isFinite(x));
  if (xs.length === 0) return { mean: Number.NaN, spreadPct: Number.NaN, perRepeat: [] };
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const spreadPct =
    xs.length < 2 || mean === 0 ? Number.NaN : ((Math.max(...xs) - Math.min(...xs)) / Math.abs(mean)) * 100;
  return { mean, spreadPct, perRepeat: xs };
}
