/**
 * The sub-second timeline of a cell's per-transaction log, for the outage figures
 * (summarize/model/outage.ts): when transactions completed and failed, to the millisecond.
 * pgbench logs each transaction at its end (time_epoch + time_us), so a stretch of the wall clock
 * with no line is a stretch in which no client completed anything. Per-second figures
 * (latency-seconds.json) cannot tell a 200 ms stall from a slow second; this can.
 */
export interface Timeline {
  v: 1;
  /** How the file was computed, for a reader of it. */
  rule: string;
  /** Width of a bin, ms. */
  binMs: number;
  /** Epoch ms at which bin 0 starts (a multiple of binMs). */
  startMs: number;
  /** Completed transactions (failed and skipped excluded) per bin, from the first to the last line's bin. */
  count: number[];
  /** Failed transactions per bin. */
  failed: number[];
  /** The longest latency of a transaction completed in the bin, ms (null: none completed). */
  maxMs: (number | null)[];
  /** Epoch ms of the first and last completed transaction. */
  firstMs?: number;
  lastMs?: number;
  /**
   * Every stretch of at least `gapMinMs` between two consecutive completed transactions (any
   * client, any process), as [fromMs, toMs] epoch ms, ascending: exact to the millisecond.
   */
  gaps: [number, number][];
  gapMinMs: number;
  /** Epoch ms of each failed transaction, ascending (at most FAILED_AT_CAP: the first ones). */
  failedAt: number[];
}

export const TIMELINE_BIN_MS = 50;
/** Gaps shorter than this are ordinary spacing between completions; they are not listed. */
export const TIMELINE_GAP_MIN_MS = 20;
const FAILED_AT_CAP = 10_000;

export const TIMELINE_RULE =
  'transactions by completion time (time_epoch.time_us, ms): completed/failed/longest latency per bin; gaps between consecutive completed transactions of any client';

/** Word codes of the parser (txlog.ts): a negative `time` is not a latency. */
const FAILED_CODE = -3;

/** Collects the timeline while the log is parsed; lines may come in any order across files. */
export class TimelineCollector {
  /** Completed transactions per epoch ms. */
  private readonly completed = new Map<number, number>();
  /** Longest latency (µs) per bin index (epoch ms / binMs). */
  private readonly maxUs = new Map<number, number>();
  private readonly failedMs: number[] = [];

  /** One line: its end (epoch second + µs) and its latency in µs, or the parser's word code. */
  add(epoch: number, us: number, time: number): void {
    const ms = epoch * 1000 + Math.floor(us / 1000);
    if (time >= 0) {
      this.completed.set(ms, (this.completed.get(ms) ?? 0) + 1);
      const bin = Math.floor(ms / TIMELINE_BIN_MS);
      if (time > (this.maxUs.get(bin) ?? -1)) this.maxUs.set(bin, time);
    } else if (time === FAILED_CODE) this.failedMs.push(ms);
  }

  result(): Timeline {
    return buildTimeline([...this.completed], this.maxUs, this.failedMs);
  }
}

/** The timeline from completions per ms, longest latency per bin and failure times. Pure. */
export function buildTimeline(
  completed: readonly [number, number][],
  maxUsByBin: ReadonlyMap<number, number>,
  failedMs: readonly number[],
): Timeline {
  const binMs = TIMELINE_BIN_MS;
  const done = [...completed].sort((a, b) => a[0] - b[0]);
  const failed = [...failedMs].sort((a, b) => a - b);
  const all = [...done.map(([ms]) => ms), ...failed];
  const base = {
    v: 1 as const,
    rule: TIMELINE_RULE,
    binMs,
    gapMinMs: TIMELINE_GAP_MIN_MS,
    failedAt: failed.slice(0, FAILED_AT_CAP),
  };
  if (all.length === 0) return { ...base, startMs: 0, count: [], failed: [], maxMs: [], gaps: [] };
  const [lo, hi] = minMax(all);
  const first = Math.floor(lo / binMs);
  const last = Math.floor(hi / binMs);
  const n = last - first + 1;
  const count = new Array<number>(n).fill(0);
  const failedBins = new Array<number>(n).fill(0);
  const maxMs = new Array<number | null>(n).fill(null);
  for (const [ms, c] of done) {
    const i = Math.floor(ms / binMs) - first;
    count[i] = (count[i] as number) + c;
  }
  for (const ms of failed) {
    const i = Math.floor(ms / binMs) - first;
    failedBins[i] = (failedBins[i] as number) + 1;
  }
  for (const [bin, us] of maxUsByBin) if (bin >= first && bin <= last) maxMs[bin - first] = us / 1000;
  const gaps: [number, number][] = [];
  for (let i = 1; i < done.length; i++) {
    const a = (done[i - 1] as [number, number])[0];
    const b = (done[i] as [number, number])[0];
    if (b - a >= TIMELINE_GAP_MIN_MS) gaps.push([a, b]);
  }
  return {
    ...base,
    startMs: first * binMs,
    count,
    failed: failedBins,
    maxMs,
    ...(done.length > 0 ? { firstMs: (done[0] as [number, number])[0] } : {}),
    ...(done.length > 0 ? { lastMs: (done.at(-1) as [number, number])[0] } : {}),
    gaps,
  };
}

/** [min, max] without spreading a huge array into Math.min (its argument count is limited). */
function minMax(xs: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
