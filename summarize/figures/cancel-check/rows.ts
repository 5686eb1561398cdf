import type { CellRecord } from '../../../src/results/types.js';

/**
 * The cancel check of one config (`cancel_check: true`, docs/workers.md), summed over its cells:
 * how many cancel requests sent through the pooler's shared port reached their query. Pure.
 */
export interface CancelRow {
  config: string;
  /** PgBouncer as the cells recorded it (asked of the running process). */
  version?: string;
  workers: number;
  /** Whether the workers were peered; undefined with one process (nothing to peer). */
  peered?: boolean;
  cells: number;
  probes: number;
  landed: number;
  missed: number;
  failed: number;
  /** landed / (landed + missed): the share of cancels that reached their query, failed probes left out. */
  landedShare?: number;
  /** The slowest landed cancel, ms (request sent to the statement's error). */
  landedMaxMs?: number;
  promptMs: number;
}

/** One row per config whose cells ran the cancel check, in the order the configs first ran. */
export function cancelRows(cells: readonly CellRecord[]): CancelRow[] {
  const out = new Map<string, CancelRow>();
  for (const c of cells) {
    const k = c.cancelCheck;
    if (!k) continue;
    const workers = c.pgbouncerWorkers?.workers.length ?? 1;
    const peered = c.pgbouncerWorkers?.peered;
    const row = out.get(c.config) ?? {
      config: c.config,
      ...(c.versions?.pgbouncer ? { version: c.versions.pgbouncer } : {}),
      workers,
      ...(workers > 1 && peered !== undefined ? { peered } : {}),
      cells: 0,
      probes: 0,
      landed: 0,
      missed: 0,
      failed: 0,
      promptMs: k.promptMs,
    };
    row.cells += 1;
    row.probes += k.probes;
    row.landed += k.landed;
    row.missed += k.missed;
    row.failed += k.failed;
    if (k.landedMs) row.landedMaxMs = Math.max(row.landedMaxMs ?? 0, k.landedMs.max);
    out.set(c.config, row);
  }
  return [...out.values()].map((r) => {
    const tried = r.landed + r.missed;
    return tried > 0 ? { ...r, landedShare: r.landed / tried } : r;
  });
}
