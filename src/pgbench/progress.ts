import type { ProgressPoint } from './types.js';

/*
 * pgbench -P prints one line per interval on stderr. pgbench 15.20, as recorded in
 * test/fixtures/pgbench15:
 *   progress: 1.0 s, 44384.9 tps, lat 0.077 ms stddev 0.036, 0 failed
 *   progress: 1.0 s, 4034.5 tps, lat 0.227 ms stddev 0.112, 0 failed, lag 0.084 ms, 11 skipped
 *   progress: 1.0 s, 1501.9 tps, lat 0.835 ms stddev 0.528, 965 failed, 1186 retried, 2228 retries
 * "lag"/"skipped" appear with -R (skipped only with -L too), "retried"/"retries" when
 * --max-tries is not 1. pgbench <= 14 printed no "failed" field. An interval without transactions
 * prints "lat 0.000 ms stddev 0.000" (pgbench sets both to 0); stddev is sqrt(E[x^2] - E[x]^2),
 * which rounding can make sqrt(<0), printed by glibc as "-nan": such a stddev is left out.
 * --progress-timestamp puts a Unix epoch where the elapsed seconds are; `t` is whatever was printed.
 * ProgressPoint has no fields for lag, skipped, retried or retries; they are not returned.
 */
const PROGRESS =
  /^progress: ([\d.]+) s, ([\d.]+) tps, lat ([\d.]+|-?nan|inf) ms(?: stddev ([\d.]+|-?nan|inf))?(?:, (\d+) failed)?/i;

/** One `progress:` line as a ProgressPoint, or undefined when the line is not one. */
export function parseProgressLine(line: string): ProgressPoint | undefined {
  const m = PROGRESS.exec(line.trim());
  if (!m) return undefined;
  const t = Number(m[1]);
  const tps = Number(m[2]);
  if (!Number.isFinite(t) || !Number.isFinite(tps)) return undefined;
  const lat = Number(m[3]);
  // Defensive: a non-numeric mean latency is read as 0, what pgbench reports for an empty interval.
  const point: ProgressPoint = { t, tps, latMs: Number.isFinite(lat) ? lat : 0 };
  const stddev = Number(m[4]);
  if (m[4] !== undefined && Number.isFinite(stddev)) point.stddevMs = stddev;
  if (m[5] !== undefined) point.failed = Number(m[5]);
  return point;
}

/** Every `progress:` line in pgbench's stderr, in order; other lines are ignored. */
export function parseProgress(stderr: string): ProgressPoint[] {
  const points: ProgressPoint[] = [];
  for (const line of stderr.split('\n')) {
    const point = parseProgressLine(line);
    if (point) points.push(point);
  }
  return points;
}
