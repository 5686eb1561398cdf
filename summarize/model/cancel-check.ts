import type { CellRecord } from '../../src/results/types.js';
import { proportionInterval } from './binomial.js';

/**
 * The cancel check of one config (`cancel_check: true`, docs/workers.md), summed over its cells:
 * how many cancel requests sent through the pooler's shared port reached their query. These rows
 * are summary.json's `cancelChecks.rows`, which the cancel table's and notes' pointers name. Pure.
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
  /** Cancel requests sent: landed + missed + unknown. */
  sent: number;
  landed: number;
  missed: number;
  /** Sent, but with no known result (the request failed after it was written, or another error). */
  unknown: number;
  /** Probes that sent no cancel. */
  failed: number;
  /** landed / sent: the share of cancels sent that reached their query in time. */
  landedShare?: number;
  /** missed / sent, and its exact 95 % interval (Clopper-Pearson; unknown results count as not missed). */
  missedShare?: number;
  missedLow?: number;
  missedHigh?: number;
  /** The slowest landed cancel, ms (request sent to the statement's error). */
  landedMaxMs?: number;
  /** The prompt a cancel had to land within, ms, as the cells recorded it. */
  promptMs: number;
  /** How long the probe's statement would have slept, s (absent in records of an older bench). */
  sleepS?: number;
}

function emptyRow(c: CellRecord, promptMs: number, sleepS: number | undefined): CancelRow {
  const workers = c.pgbouncerWorkers?.workers.length ?? 1;
  const peered = c.pgbouncerWorkers?.peered;
  return {
    config: c.config,
    ...(c.versions?.pgbouncer ? { version: c.versions.pgbouncer } : {}),
    workers,
    ...(workers > 1 && peered !== undefined ? { peered } : {}),
    cells: 0,
    probes: 0,
    sent: 0,
    landed: 0,
    missed: 0,
    unknown: 0,
    failed: 0,
    promptMs,
    ...(sleepS !== undefined ? { sleepS } : {}),
  };
}

function withShares(r: CancelRow): CancelRow {
  if (r.sent === 0) return r;
  const ci = proportionInterval(r.missed, r.sent);
  return {
    ...r,
    landedShare: r.landed / r.sent,
    missedShare: r.missed / r.sent,
    missedLow: ci.low,
    missedHigh: ci.high,
  };
}

/** One row per config whose cells ran the cancel check, in the order the configs first ran. */
export function cancelRows(cells: readonly CellRecord[]): CancelRow[] {
  const out = new Map<string, CancelRow>();
  for (const c of cells) {
    const k = c.cancelCheck;
    if (!k) continue;
    const row = out.get(c.config) ?? emptyRow(c, k.promptMs, k.sleepS);
    const unknown = k.unknown ?? 0;
    row.cells += 1;
    row.probes += k.probes;
    row.sent += k.landed + k.missed + unknown;
    row.landed += k.landed;
    row.missed += k.missed;
    row.unknown += unknown;
    row.failed += k.failed;
    if (k.landedMs) row.landedMaxMs = Math.max(row.landedMaxMs ?? 0, k.landedMs.max);
    out.set(c.config, row);
  }
  return [...out.values()].map(withShares);
}
