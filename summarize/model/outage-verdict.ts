import type { Recovery } from './outage-tps.js';

/** What the verdict reads of an event's outage (EventOutage without its verdict). */
interface VerdictInput {
  timeline: boolean;
  windowMs: number;
  failed: number;
  aborted: number;
  clientsLeft: number;
  connectionErrors: number;
  gapMs?: number;
  gapOpen?: boolean;
  maxLatencyMs?: number;
  maxLatencyBeforeMs?: number;
  recovery: Recovery;
}

/** An event whose window (to the next event) is shorter than this cannot be judged on its own. */
export const MIN_WINDOW_MS = 1000;

/** The recovery in words; its numbers are the row's "TPS back" column. */
function backText(r: Recovery): string {
  if (r.state === 'no-dip') return 'TPS never below 90 % of before in any 1 s window';
  if (r.state === 'back') return 'TPS back to 90 % of before (after the time in "TPS back")';
  if (r.state === 'not-back') return 'TPS not back to 90 % of before by the end of the cell';
  return 'TPS recovery not measurable (hover "TPS back", or recovery.why)';
}

function gapText(o: VerdictInput): string {
  if (o.gapMs === undefined) return 'no gap without a completed transaction';
  if (o.gapOpen) return 'nothing completed for the rest of the cell';
  return 'a gap with no completed transaction ("longest gap")';
}

function waitText(o: VerdictInput): string {
  if (o.maxLatencyMs === undefined) return 'no transaction completed after it';
  const longer = o.maxLatencyBeforeMs !== undefined && o.maxLatencyMs > 2 * o.maxLatencyBeforeMs;
  return `clients waited up to "longest wait"${longer ? ', over twice the longest before' : ''}`;
}

/** Why the event cannot be judged, or undefined when it can. */
function notMeasurable(o: VerdictInput): string | undefined {
  if (!o.timeline)
    return `not measurable: ${o.recovery.why ?? 'no ms timeline'}; aborted clients and connection errors are from stderr`;
  if (o.recovery.state === 'not-measurable' && o.recovery.why?.startsWith('the cell ended'))
    return 'not measurable: the cell ended less than 1 s after the event';
  if (o.windowMs < MIN_WINDOW_MS)
    return 'not measurable: the next event came less than 1 s after it (its window, windowMs, is too short to tell their outages apart)';
  return undefined;
}

/**
 * One sentence per event that says only what the row's numbers show, and carries none of its own
 * (every number is in a column with its summary.json pointer): whether any client saw it (failed
 * transactions, aborted clients, failed connections), the wait, the gap and the recovery, or why
 * the event cannot be judged (no timeline, the cell ended or the next event came within 1 s). Pure.
 */
export function outageVerdict(o: VerdictInput): string {
  const nm = notMeasurable(o);
  if (nm) return nm;
  const seen = o.failed > 0 || o.aborted > 0 || o.connectionErrors > 0;
  const rest = `${waitText(o)}; ${gapText(o)}; ${backText(o.recovery)}`;
  if (!seen) return `no client error (none failed, aborted or lost a connection); ${rest}`;
  const parts: string[] = [];
  if (o.failed > 0) parts.push('transactions failed');
  if (o.aborted > 0)
    parts.push(
      o.clientsLeft === 0
        ? 'every client aborted (pgbench does not reconnect them)'
        : 'clients aborted, lost for the rest of the cell',
    );
  if (o.connectionErrors > 0) parts.push('connections failed');
  return `seen by clients: ${parts.join(', ')}; ${rest}`;
}
