import type { LatencyHistogram } from '../../src/pgbench/histogram.js';

/** pgbench logs microseconds; the reports speak milliseconds. */
export const us2ms = (us: number) => us / 1000;

/** The percentiles every latency figure reports, in ms, from a histogram (merged or not); NaN when empty. */
export function percentilesMs(h: LatencyHistogram): {
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
} {
  const [p50, p90, p95, p99, p999] = h.percentiles([50, 90, 95, 99, 99.9]).map(us2ms);
  return {
    p50Ms: p50 ?? Number.NaN,
    p90Ms: p90 ?? Number.NaN,
    p95Ms: p95 ?? Number.NaN,
    p99Ms: p99 ?? Number.NaN,
    p999Ms: p999 ?? Number.NaN,
  };
}
