import type { Cell } from '../matrix/expand.js';
import type { Matrix } from '../matrix/load.js';
import { continuesProfile } from '../matrix/load-variants.js';

/**
 * Load profiles run as consecutive rate-limited pgbench segments on the same stack. A segment that
 * continues the one before it (same config, clients and rep, next segment of the same profile) is
 * not prepared like a cell: no pool drain, vacuum, CHECKPOINT, settle or isolation wait, so the
 * profile runs without a gap beyond pgbench's own restart. pgbench does restart, so its clients
 * disconnect and connect again at every boundary; a pooler keeps its server connections.
 */
export function continuesSegment(m: Matrix, cells: readonly Cell[], i: number): boolean {
  const cell = cells[i];
  const prev = cells[i - 1];
  if (!cell || !prev) return false;
  if (prev.config !== cell.config || prev.concurrency !== cell.concurrency || prev.rep !== cell.rep)
    return false;
  const w = m.workloads.find((x) => x.name === cell.workload);
  const p = m.workloads.find((x) => x.name === prev.workload);
  return w !== undefined && continuesProfile(p, w);
}

/** The `prepared` line of a segment that continues its profile. */
export function segmentPrepared(index: number, count: number): string {
  return (
    `profile segment ${index} of ${count}: continues the previous segment at once (no pool drain, ` +
    'vacuum, CHECKPOINT, settle or isolation wait); pgbench restarted, so its clients reconnected'
  );
}
