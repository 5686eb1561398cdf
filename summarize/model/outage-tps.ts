import type { Timeline } from '../../src/pgbench/timeline.js';

/**
 * Throughput around an event from the ms timeline (src/pgbench/timeline.ts): 1 s windows that
 * slide in 250 ms steps, counted in the timeline's 50 ms bins (each window is 20 bins, so its
 * edges are the bins' edges, at most 50 ms from the exact instant). Pure.
 */
export const WINDOW_MS = 1000;
export const STEP_MS = 250;
/** "Back": a 1 s window at or above this share of the TPS before the event. */
export const BACK_SHARE = 0.9;
/** Seconds before the event its baseline is taken from (fewer when the cell or the previous event is nearer). */
export const BEFORE_MS = 3000;
/** A baseline shorter than this is not one. */
export const MIN_BEFORE_MS = 1000;
/** A dip must begin in a window starting this soon after the event to be the event's. */
export const DIP_SEARCH_MS = 2000;

/** Completed transactions in [fromMs, toMs) (epoch ms), by whole bins; outside the timeline: 0. */
export function completedIn(t: Timeline, fromMs: number, toMs: number): number {
  const a = Math.max(0, Math.round((fromMs - t.startMs) / t.binMs));
  const b = Math.min(t.count.length, Math.round((toMs - t.startMs) / t.binMs));
  let n = 0;
  for (let i = a; i < b; i++) n += t.count[i] as number;
  return n;
}

/** The longest latency (ms) of a transaction completed in [fromMs, toMs), by whole bins. */
export function maxLatencyIn(t: Timeline, fromMs: number, toMs: number): number | undefined {
  const a = Math.max(0, Math.floor((fromMs - t.startMs) / t.binMs));
  const b = Math.min(t.count.length, Math.ceil((toMs - t.startMs) / t.binMs));
  let max: number | undefined;
  for (let i = a; i < b; i++) {
    const v = t.maxMs[i];
    if (v !== null && v !== undefined && (max === undefined || v > max)) max = v;
  }
  return max;
}

export interface Recovery {
  /** Mean TPS over the baseline before the event (absent: no baseline of MIN_BEFORE_MS). */
  tpsBefore?: number;
  /** How long the baseline was, ms. */
  beforeMs: number;
  /** The lowest 1 s window from the event until TPS was back (or the cell's end). */
  tpsLowest?: number;
  /**
   * `no-dip`: no window starting within DIP_SEARCH_MS of the event fell below BACK_SHARE;
   * `back`: one did, and `backMs` after the event a window was back at or above it;
   * `not-back`: none was by the end of the cell; `not-measurable`: see `why`.
   */
  state: 'no-dip' | 'back' | 'not-back' | 'not-measurable';
  /**
   * ms from the event to the start of the first 1 s window back at >= 90 % of before that starts
   * at or after the event's gap ended (a window overlapping the gap is not "back"); 0 when no dip.
   */
  backMs?: number;
  why?: string;
}

/** Window starts from the event (epoch ms) for which a whole window fits in the cell. */
function windowStarts(eventMs: number, endMs: number): number[] {
  const out: number[] = [];
  for (let s = eventMs; s + WINDOW_MS <= endMs + 1e-9; s += STEP_MS) out.push(s);
  return out;
}

/**
 * Time until TPS is back within 10 % of the seconds before the event (at least BACK_SHARE of it):
 * the baseline is the mean over up to BEFORE_MS before the event, not reaching before the first
 * completed transaction or the previous event. `lowerMs`: the earliest instant the baseline may use;
 * `gapEndMs`: when the event's gap ended (a window back at 90 % must start at or after it).
 */
export function recovery(
  t: Timeline,
  eventMs: number,
  lowerMs: number,
  endMs: number,
  gapEndMs = eventMs,
): Recovery {
  const from = Math.max(eventMs - BEFORE_MS, lowerMs, t.firstMs ?? eventMs);
  const beforeMs = Math.max(0, eventMs - from);
  const secsLeft = (endMs - eventMs) / 1000;
  if (secsLeft * 1000 < WINDOW_MS)
    return {
      beforeMs,
      state: 'not-measurable',
      why: `the cell ended ${secsLeft.toFixed(1)} s after the event`,
    };
  if (beforeMs < MIN_BEFORE_MS)
    return {
      beforeMs,
      state: 'not-measurable',
      why: `only ${(beforeMs / 1000).toFixed(1)} s of transactions before the event`,
    };
  const tpsBefore = (completedIn(t, from, eventMs) * 1000) / beforeMs;
  if (tpsBefore <= 0)
    return {
      beforeMs,
      tpsBefore,
      state: 'not-measurable',
      why: 'no transaction completed in the seconds before',
    };
  const tps = (s: number) => completedIn(t, s, s + WINDOW_MS) / (WINDOW_MS / 1000);
  const starts = windowStarts(eventMs, endMs);
  const floor = BACK_SHARE * tpsBefore;
  const dip = starts.findIndex((s) => s - eventMs <= DIP_SEARCH_MS && tps(s) < floor);
  if (dip < 0) {
    const early = starts.filter((s) => s - eventMs <= DIP_SEARCH_MS).map(tps);
    return { beforeMs, tpsBefore, tpsLowest: Math.min(...early), state: 'no-dip', backMs: 0 };
  }
  const back = starts.findIndex((s, i) => i > dip && s >= gapEndMs && tps(s) >= floor);
  const upTo = back < 0 ? starts : starts.slice(0, back);
  const tpsLowest = Math.min(...upTo.map(tps));
  if (back < 0) return { beforeMs, tpsBefore, tpsLowest, state: 'not-back' };
  return { beforeMs, tpsBefore, tpsLowest, state: 'back', backMs: (starts[back] as number) - eventMs };
}
