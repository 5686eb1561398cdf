import type { Recovery } from './outage-tps.js';

/** What the verdict reads of an event's outage (EventOutage without its verdict). */
interface VerdictInput {
  concurrency: number;
  timeline: boolean;
  failed: number;
  aborted: number;
  clientsLeft: number;
  connectionErrors: number;
  gapMs?: number;
  gapOpen?: boolean;
  gapMinMs: number;
  maxLatencyMs?: number;
  recovery: Recovery;
}

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ms0 = (ms: number) => (ms >= 1000 ? s1(ms) : `${Math.round(ms)} ms`);

/** "TPS back to 90 % after 2.3 s", or why it cannot be said. */
function backText(r: Recovery): string {
  if (r.state === 'no-dip') return 'TPS never below 90 % of before in any 1 s window';
  if (r.state === 'back') return `TPS back to 90 % of before after ${s1(r.backMs ?? 0)}`;
  if (r.state === 'not-back') return 'TPS not back to 90 % of before by the end of the cell';
  return `TPS recovery not measurable: ${r.why ?? 'no baseline'}`;
}

function gapText(o: VerdictInput): string {
  if (o.gapMs === undefined) return `no stretch of ${o.gapMinMs} ms without a completed transaction`;
  if (o.gapOpen) return `no transaction completed for the last ${s1(o.gapMs)} of the cell`;
  return `no transaction completed for ${ms0(o.gapMs)}`;
}

/**
 * One sentence per event that says only what the numbers show: whether any client saw it (failed
 * transactions, aborted clients, failed connections), the longest wait, the gap and the recovery,
 * or why the event cannot be judged (no timeline, the cell ended too soon after it). Pure.
 */
export function outageVerdict(o: VerdictInput): string {
  if (!o.timeline)
    return `not measurable: ${o.recovery.why ?? 'no ms timeline'}; ${o.aborted} aborted, ${o.connectionErrors} connection errors (from stderr)`;
  const wait =
    o.maxLatencyMs === undefined
      ? 'no transaction completed after it'
      : `longest wait ${ms0(o.maxLatencyMs)}`;
  if (o.recovery.state === 'not-measurable' && o.recovery.why?.startsWith('the cell ended'))
    return `not measurable: ${o.recovery.why}; ${o.failed} failed, ${o.aborted} aborted so far`;
  const seen = o.failed > 0 || o.aborted > 0 || o.connectionErrors > 0;
  if (!seen)
    return `hidden from clients: 0 failed, 0 aborted, ${wait}; ${gapText(o)}; ${backText(o.recovery)}`;
  const parts = [`${o.failed} failed`];
  if (o.aborted > 0)
    parts.push(
      o.clientsLeft === 0
        ? `all ${o.concurrency} clients aborted (pgbench does not reconnect them)`
        : `${o.aborted} of ${o.concurrency} clients aborted, lost for the rest of the cell`,
    );
  else parts.push('0 aborted');
  if (o.connectionErrors > 0) parts.push(`${o.connectionErrors} connection errors`);
  return `seen by clients: ${parts.join(', ')}; ${gapText(o)}; ${backText(o.recovery)}`;
}
