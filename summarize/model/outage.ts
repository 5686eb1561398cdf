import type { StderrEvent } from '../../src/pgbench/stderr-events.js';
import type { Timeline } from '../../src/pgbench/timeline.js';
import type { CellRecord, EventRecord } from '../../src/results/types.js';
import { maxLatencyIn, type Recovery, recovery } from './outage-tps.js';
import { outageVerdict } from './outage-verdict.js';

/**
 * The outage a client saw around each event of a cell (docs/outage.md), from the cell's ms
 * timeline (timeline.json: when transactions completed and failed), the stderr lines the runner
 * stamped (aborted clients, failed connections) and the cell record. Pure.
 *
 * An event's window runs from the moment it was sent to the next event of the cell (or the end of
 * the cell): failures, aborted clients and connection errors are counted in it. Its gap is the
 * longest stretch with no completed transaction that overlaps the window (it may have begun before
 * the event, and may run past the window: a PAUSE's gap ends after the RESUME).
 */
export interface EventOutage {
  cellId: string;
  config: string;
  workload: string;
  concurrency: number;
  rep: number;
  /** The event's position among the cell's events (0-based, in time order). */
  eventIndex: number;
  /** Its index in the matrix's `events:` (gates name it `events[i]`), when known. */
  matrixIndex?: number;
  /** `signal` for records without a kind (older runs). */
  kind: string;
  /** `SIGINT stop/worker-2`, `PAUSE pgb/pgbouncer`. */
  label: string;
  /** What was done, without the target: `PAUSE`, `promote (crash) + reload`. */
  action?: string;
  /** Planned ms after the measured pgbench started (the event's `at` in this cell). */
  plannedAtMs?: number;
  /**
   * What the config does about the event: `direct` for a direct config, its `on_failover` (`none`
   * by default) for a config with a standby, else its kind (`pgbouncer`, `proxy`); absent when the
   * run's configs do not say.
   */
  strategy?: string;
  /** The action's error when it failed when sent: the strategy did not run to its end. */
  error?: string;
  /**
   * Seconds after the cell's time axis starts (pgbench's start as its -P lines give it, the origin
   * of the time series and of report.html's event rules) at which it was sent. The event record's
   * `offsetMs` counts from when the runner started pgbench instead: `offsetS` below.
   */
  atS: number;
  /** The record's `offsetMs` in s: after the runner started the measured pgbench (absent in older records). */
  offsetS?: number;
  /** ms from the event to when its action was done (restart finished, RELOAD answered, a failover's last step). */
  doneMs?: number;
  /** A failover's (or settings change's) sub-steps, ms after the event. */
  steps?: { name: string; ms: number }[];
  /** ms from the event to the end of its window (the next event or the end of the cell). */
  windowMs: number;
  /** False when the cell has no ms timeline (an older run, or no per-transaction log) or no time axis. */
  timeline: boolean;
  /** ms from the event to the first failed transaction or aborted client in its window. */
  firstFailureMs?: number;
  firstFailure?: 'failed transaction' | 'aborted client';
  /** The longest stretch with no completed transaction overlapping the window, ms (absent: none of gapMinMs). */
  gapMs?: number;
  /** Where it began, ms after the event (negative: before it). */
  gapStartMs?: number;
  /** The gap ran to the end of the cell: nothing completed after it. */
  gapOpen?: boolean;
  /** Gaps shorter than this are not listed (ordinary spacing between completions). */
  gapMinMs: number;
  recovery: Recovery;
  /** Mean TPS from 2 s after the event (or when it was back) to the end of its window, when that is >= 1 s. */
  tpsAfter?: number;
  /**
   * Transactions completed after the event: in the timeline's bins that start at or after it, up to
   * the next event (the last event: to the end of the log, which may run past the planned end).
   */
  completedAfter?: number;
  failed: number;
  aborted: number;
  /** Clients still running when the window ended (the cell's clients minus every abort so far). */
  clientsLeft: number;
  connectionErrors: number;
  /** The longest latency of a transaction that completed from the event to 1 s after its gap (or window) ended. */
  maxLatencyMs?: number;
  /** The same over the baseline before the event, for comparison. */
  maxLatencyBeforeMs?: number;
  verdict: string;
}

export interface OutageInput {
  cell: CellRecord;
  timeline?: Timeline;
  /** Epoch ms at which the measured pgbench started, and its planned end (undefined: no time axis). */
  startMs: number;
  endMs: number | undefined;
  /** The matrix index of each of the cell's event records, when known. */
  matrixIndex?: (e: EventRecord, i: number) => number | undefined;
  /** The cell's config's strategy (EventOutage.strategy), when the run's configs say. */
  strategy?: string;
}

/** A cell's gap that ran to the end: last completion to the planned end, when at least this long. */
const OPEN_GAP_MIN_MS = 250;
const AFTER_FROM_MS = 2000;
/** Latency is looked at until this long after the gap (or window) ended. */
const LATENCY_TAIL_MS = 1000;

type Gap = { from: number; to: number; open: boolean };

/** Every gap of the timeline, the open one at the end of the cell included. */
function gapsOf(t: Timeline, endMs: number): Gap[] {
  const out: Gap[] = t.gaps.map(([from, to]) => ({ from, to, open: false }));
  const last = t.lastMs;
  if (last !== undefined && endMs - last >= OPEN_GAP_MIN_MS) out.push({ from: last, to: endMs, open: true });
  if (last === undefined) out.push({ from: Number.NEGATIVE_INFINITY, to: endMs, open: true });
  return out;
}

function longestGap(gaps: readonly Gap[], from: number, to: number): Gap | undefined {
  let best: Gap | undefined;
  for (const g of gaps) {
    if (g.to <= from || g.from >= to) continue;
    if (!best || g.to - g.from > best.to - best.from) best = g;
  }
  return best;
}

/** `SIGINT stop/worker-2`, `PAUSE pgb/pgbouncer`: what was done (older records: the signal), to what. */
function label(e: EventRecord): string {
  return `${e.action ?? e.signal ?? e.kind ?? 'event'} ${e.target}`;
}

/** Connection errors in [from, to): each failure prints libpq's line and pgbench's (countConnectionErrors). */
function connectionErrorsIn(ev: readonly StderrEvent[], from: number, to: number): number {
  const inW = ev.filter((e) => e.at >= from && e.at < to);
  const libpq = inW.filter((e) => e.kind === 'connection-error').length;
  const own = inW.filter((e) => e.kind === 'connection-error-pgbench' || e.connecting === true).length;
  return Math.max(libpq, own);
}

/** The outage around each event the cell sent. */
export function cellOutages(input: OutageInput): EventOutage[] {
  const { cell } = input;
  const fired = (cell.events ?? [])
    .map((e, i) => ({ e, i }))
    .filter((x) => x.e.firedAt !== undefined)
    .sort((a, b) => (a.e.firedAt as number) - (b.e.firedAt as number));
  return fired.map((x, k) =>
    eventOutage(input, x.e, x.i, k, fired[k - 1]?.e.firedAt, fired[k + 1]?.e.firedAt),
  );
}

function eventOutage(
  input: OutageInput,
  e: EventRecord,
  recordIndex: number,
  k: number,
  prevMs: number | undefined,
  nextMs: number | undefined,
): EventOutage {
  const { cell, startMs } = input;
  // Without a time axis nothing can be measured against it: the ms timeline is not read.
  const t = input.endMs === undefined ? undefined : input.timeline;
  const endMs = input.endMs ?? (e.firedAt as number);
  const at = e.firedAt as number;
  const windowEnd = Math.max(at, nextMs ?? endMs);
  const stderr = cell.stderrEvents ?? [];
  const abortedAt = cell.abortedAt ?? [];
  // The stderr of the last event's window: lines read after the planned end still belong to it.
  const countEnd = nextMs ?? Number.POSITIVE_INFINITY;
  const aborted = abortedAt.filter((a) => a >= at && a < countEnd).length;
  const abortedSoFar = abortedAt.filter((a) => a < countEnd).length;
  const matrixIndex = input.matrixIndex?.(e, recordIndex) ?? e.index;
  const base = {
    cellId: cell.id,
    config: cell.config,
    workload: cell.workload,
    concurrency: cell.concurrency,
    rep: cell.rep,
    eventIndex: k,
    ...(matrixIndex !== undefined ? { matrixIndex } : {}),
    kind: e.kind ?? 'signal',
    label: label(e),
    ...(e.action !== undefined ? { action: e.action } : {}),
    plannedAtMs: e.atMs,
    ...(input.strategy !== undefined ? { strategy: input.strategy } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    atS: (at - startMs) / 1000,
    ...(e.offsetMs !== undefined ? { offsetS: e.offsetMs / 1000 } : {}),
    ...(e.doneAt !== undefined ? { doneMs: e.doneAt - at } : {}),
    ...(e.steps?.length ? { steps: e.steps.map((x) => ({ name: x.name, ms: x.at - at })) } : {}),
    windowMs: windowEnd - at,
    aborted,
    clientsLeft: Math.max(0, cell.concurrency - abortedSoFar),
    connectionErrors: connectionErrorsIn(stderr, at, countEnd),
    gapMinMs: t?.gapMinMs ?? 0,
  };
  if (!t) {
    const o = { ...base, timeline: false, failed: 0, recovery: noTimeline(input.endMs === undefined) };
    return { ...o, verdict: outageVerdict(o) };
  }
  const failedAt = t.failedAt.filter((f) => f >= at && f < countEnd);
  const firstAbort = abortedAt.find((a) => a >= at && a < countEnd);
  const first = firstOf(failedAt[0], firstAbort);
  const gap = longestGap(gapsOf(t, endMs), at, Math.max(windowEnd, at + 1));
  const gapEnd = gap && !gap.open ? gap.to : at;
  const rec = baselineInOutage(
    gapsOf(t, endMs),
    at,
    recovery(t, at, Math.max(startMs, prevMs ?? startMs), endMs, gapEnd),
  );
  const afterFrom = at + Math.max(AFTER_FROM_MS, rec.backMs ?? 0);
  const tailEnd = Math.min(endMs, Math.max(windowEnd, gap && !gap.open ? gap.to : at) + LATENCY_TAIL_MS);
  const maxLatencyMs = maxLatencyIn(t, at, tailEnd);
  const maxLatencyBeforeMs = maxLatencyIn(t, at - (rec.beforeMs || 0), at);
  const o = {
    ...base,
    timeline: true,
    ...(first ? { firstFailureMs: first.at - at, firstFailure: first.kind } : {}),
    ...(gap
      ? { gapMs: gap.to - Math.max(gap.from, startMs), gapStartMs: Math.max(gap.from, startMs) - at }
      : {}),
    ...(gap?.open ? { gapOpen: true } : {}),
    recovery: rec,
    ...(windowEnd - afterFrom >= 1000 ? { tpsAfter: tpsBetween(t, afterFrom, windowEnd) } : {}),
    completedAfter: completedBetween(t, at, countEnd),
    failed: failedAt.length,
    ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
    ...(maxLatencyBeforeMs !== undefined && rec.beforeMs > 0 ? { maxLatencyBeforeMs } : {}),
  };
  return { ...o, verdict: outageVerdict(o) };
}

/**
 * A baseline that was itself mostly an outage (the seconds before a RESUME are the PAUSE) is no
 * baseline: "back within 10 %" of it would say nothing.
 */
function baselineInOutage(gaps: readonly Gap[], at: number, rec: Recovery): Recovery {
  if (rec.state === 'not-measurable' || rec.tpsBefore === undefined || rec.beforeMs <= 0) return rec;
  const from = at - rec.beforeMs;
  const stalled = gaps.reduce((a, g) => a + Math.max(0, Math.min(g.to, at) - Math.max(g.from, from)), 0);
  if (stalled < rec.beforeMs / 2) return rec;
  return {
    beforeMs: rec.beforeMs,
    state: 'not-measurable',
    why: `no transaction completed for ${(stalled / 1000).toFixed(1)} s of the ${(rec.beforeMs / 1000).toFixed(1)} s before it (the previous event's outage)`,
  };
}

/** Completed transactions in the bins starting in [from, to). */
function completedBetween(t: Timeline, from: number, to: number): number {
  let n = 0;
  for (let i = 0; i < t.count.length; i++) {
    const s = t.startMs + i * t.binMs;
    if (s >= from && s < to) n += t.count[i] as number;
  }
  return n;
}

function tpsBetween(t: Timeline, from: number, to: number): number {
  return (completedBetween(t, from, to) * 1000) / (to - from);
}

function firstOf(
  failed: number | undefined,
  aborted: number | undefined,
): { at: number; kind: 'failed transaction' | 'aborted client' } | undefined {
  if (failed === undefined && aborted === undefined) return undefined;
  if (aborted === undefined || (failed !== undefined && failed <= aborted))
    return { at: failed as number, kind: 'failed transaction' };
  return { at: aborted, kind: 'aborted client' };
}

function noTimeline(noAxis: boolean): Recovery {
  return {
    beforeMs: 0,
    state: 'not-measurable',
    why: noAxis
      ? 'no time axis: the cell has neither a progress series nor a planned duration (-T)'
      : 'the cell has no ms timeline (timeline.json: a run of an older bench, or no per-transaction log)',
  };
}

/** An event a cell never sent (its time came after pgbench ended, or the cell stopped first). */
export interface UnsentEvent {
  cellId: string;
  config: string;
  workload: string;
  concurrency: number;
  rep: number;
  matrixIndex?: number;
  label: string;
  /** The record's error (`not sent: pgbench ended first`), or `not sent`. */
  why: string;
}

/** The cell's events that were never sent: their gates cannot pass (model/event-gates.ts). Pure. */
export function unsentEvents(
  cell: CellRecord,
  matrixIndex?: (e: EventRecord, i: number) => number | undefined,
): UnsentEvent[] {
  return (cell.events ?? []).flatMap((e, i) => {
    if (e.firedAt !== undefined) return [];
    const m = matrixIndex?.(e, i) ?? e.index;
    return [
      {
        cellId: cell.id,
        config: cell.config,
        workload: cell.workload,
        concurrency: cell.concurrency,
        rep: cell.rep,
        ...(m !== undefined ? { matrixIndex: m } : {}),
        label: `${label(e)} at ${(e.atMs / 1000).toFixed(2)} s planned`,
        why: e.error ?? 'not sent',
      },
    ];
  });
}
