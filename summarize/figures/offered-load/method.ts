import { RATE_MET_RULE } from '../../model/offered-load.js';
import type { Row } from '../../model/row.js';

/** The method lines for rate-limited workloads and profiles. */
export function offeredLoadMethod(lr: readonly Row[]): string[] {
  if (lr.length === 0) return [];
  const out = [
    '- Rate-limited workloads run pgbench -R (the total rate over all clients, with exponentially distributed gaps); -L skips a transaction that would start later than the limit, and such transactions are counted as skipped, never as latency. ' +
      `${RATE_MET_RULE}.`,
  ];
  if (lr.some((r) => r.load?.segment)) {
    out.push(
      "- Load profiles run as consecutive rate-limited pgbench segments on the same stack, each recorded as a cell (`<workload>.sNN`). Only the first segment is prepared (pool drain, vacuum, CHECKPOINT, settle, isolation check, warmup); the next starts as soon as the previous pgbench exits. pgbench restarts at every boundary, so **its clients disconnect and reconnect there**: a direct config opens new server backends, a pooler keeps its server connections. Each segment's percentiles come from its own seconds only.",
    );
  }
  return out;
}
