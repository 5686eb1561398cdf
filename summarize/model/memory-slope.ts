import { isNum } from './format.js';
import { roleFigures } from './role-figures.js';
import type { Row } from './row.js';

/** Least-squares slope of y against x; undefined unless x takes at least two values. */
export function slope(points: readonly { x: number; y: number }[]): number | undefined {
  if (new Set(points.map((p) => p.x)).size < 2) return undefined;
  const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxy / sxx;
}

/**
 * A slope over peak backends this close together (19 vs 20, or 1 vs 2, at two client counts) is the
 * noise of two peaks taken at different ticks, not the memory of a backend: the largest count must
 * be at least MIN_BACKEND_FACTOR times the smallest and MIN_BACKEND_SPAN more.
 */
const MIN_BACKEND_FACTOR = 2;
const MIN_BACKEND_SPAN = 3;

/**
 * Sets `sampling.pssPerBackendSlope` on every row of a config and workload whose rows (one per
 * client count, completed reps only) give postgres peak PSS at peak server-backend counts that
 * grow enough (MIN_BACKEND_FACTOR, MIN_BACKEND_SPAN): the memory one more backend costs, the fixed memory left out.
 * A slope that is not positive is no per-backend figure and is left out. Mutates.
 */
export function attachPssSlopes(rows: readonly Row[]): void {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.repsCompleted === 0 || !r.sampling) continue;
    const key = `${r.config}\u0000${r.workload}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    const points = group.flatMap((r) => {
      const x = r.sampling?.serverBackendsPeak;
      const y = roleFigures(r, 'postgres')?.pssPeakBytes;
      return isNum(x) && isNum(y) ? [{ x, y }] : [];
    });
    const xs = points.map((p) => p.x);
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    if (hi < MIN_BACKEND_FACTOR * Math.max(1, lo) || hi - lo < MIN_BACKEND_SPAN) continue;
    const bytes = slope(points);
    if (bytes === undefined || !(bytes > 0)) continue;
    for (const r of group) if (r.sampling) r.sampling.pssPerBackendSlope = { bytes, points: points.length };
  }
}
