import type { CancelCheckRecord } from '../results/types.js';

/** The cancel check's constants (docs/workers.md); the record keeps the ones a report quotes. */
export const CANCEL_CHECK = {
  /** How long the probe's statement would sleep if never cancelled, s. */
  sleepS: 5,
  /** A cancel lands when the statement ends with SQLSTATE 57014 within this long of the request, ms. */
  promptMs: 1000,
  /** How long the probe waits for PostgreSQL to show its statement running, ms. */
  activeWaitMs: 3000,
  /** Pause between probes, ms. */
  pauseMs: 100,
} as const;

/** "canceling statement due to user request". */
const QUERY_CANCELED = '57014';

/**
 * How one probe ended. `landed`, `missed` and `unknown` sent a cancel request; `failed` did not.
 * `unknown`: the request was sent but the probe cannot tell whether it reached its query (the
 * request timed out or failed after it was written, or the statement ended with another error).
 */
export type ProbeOutcome =
  | { kind: 'landed'; ms: number }
  | { kind: 'missed' }
  | { kind: 'unknown'; error: string }
  | { kind: 'failed'; error: string };

/** How a probe's statement ended: its SQLSTATE (`ok` when it finished) and when Node saw it. */
export interface Ended {
  code: string | undefined;
  message: string;
  at: number;
}

/**
 * A probe whose cancel request went out at `sentAt`, from how its statement had ended when the
 * prompt ran out (`undefined`: still running) and the request's own error, if any. Pure.
 * Landed only when the statement was cancelled within `promptMs` of the request: a late 57014 is
 * a miss, however long the request itself took. A request error leaves the result unknown unless
 * the statement shows the cancel landed in time anyway.
 */
export function judgeProbe(
  ended: Ended | undefined,
  sentAt: number,
  promptMs: number,
  requestError?: string,
): ProbeOutcome {
  const ms = ended === undefined ? undefined : ended.at - sentAt;
  if (ended?.code === QUERY_CANCELED && ms !== undefined && ms <= promptMs) return { kind: 'landed', ms };
  if (requestError !== undefined) return { kind: 'unknown', error: requestError };
  if (ended === undefined || ended.code === QUERY_CANCELED) return { kind: 'missed' };
  return { kind: 'unknown', error: `after the cancel request: ${ended.message}` };
}

/** The cell's record of its probes. Pure. */
export function tallyProbes(
  outcomes: readonly ProbeOutcome[],
  check: { promptMs: number; sleepS: number },
): CancelCheckRecord {
  const ms = outcomes.flatMap((o) => (o.kind === 'landed' ? [o.ms] : [])).sort((a, b) => a - b);
  const errors = [
    ...new Set(outcomes.flatMap((o) => (o.kind === 'failed' || o.kind === 'unknown' ? [o.error] : []))),
  ].slice(0, 3);
  const count = (kind: ProbeOutcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  return {
    probes: outcomes.length,
    landed: ms.length,
    missed: count('missed'),
    unknown: count('unknown'),
    failed: count('failed'),
    promptMs: check.promptMs,
    sleepS: check.sleepS,
    ...(ms.length > 0
      ? { landedMs: { median: ms[Math.floor((ms.length - 1) / 2)] as number, max: ms.at(-1) as number } }
      : {}),
    ...(errors.length > 0 ? { errors } : {}),
  };
}
