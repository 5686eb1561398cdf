import { fmtInt } from '../../model/format.js';
import { type Candidate, TIER } from '../../tldr/candidate.js';
import { type NumberRef, type Sentence, sentence } from '../../tldr/refs.js';
import { eventName, type OutageRow, pointerOf } from './rows.js';

const ref = (r: OutageRow, path: string, value: number, text: string): NumberRef => ({
  pointer: pointerOf(r, path),
  value,
  text,
});

/** A gap that began this long before an event was not caused by it. */
const INHERITED_GAP_MS = 100;

/** The worst (longest gap) measured outage of each event of each config × workload × clients. */
function worstPerEvent(rows: readonly OutageRow[]): OutageRow[] {
  const worst = new Map<string, OutageRow>();
  for (const r of rows) {
    if (!r.o.timeline || r.o.gapMs === undefined) continue;
    // A gap that began well before this event is the previous event's (the PAUSE's, at its RESUME).
    if ((r.o.gapStartMs ?? 0) < -INHERITED_GAP_MS) continue;
    const key = `${r.o.config}|${r.o.workload}|${r.o.concurrency}|${eventName(r)}`;
    const w = worst.get(key);
    if (!w || (r.o.gapMs ?? 0) > (w.o.gapMs ?? 0)) worst.set(key, r);
  }
  return [...worst.values()];
}

/**
 * "events[0] SIGINT pgb/worker-2 (pgb, tpcb at 8 clients): no transaction completed for 1,203 ms,
 * 0 failed, 3 clients aborted (the longest of the cells it fired in)". Only measured outages with a
 * gap: an event whose clients saw no stall has nothing to headline.
 */
function outageSentence(r: OutageRow, cells: number): Sentence | undefined {
  const o = r.o;
  const gap = o.gapMs as number;
  const of = cells > 1 ? ` (the longest of the ${cells} cells it fired in)` : '';
  const hidden = o.failed === 0 && o.aborted === 0 && o.connectionErrors === 0;
  const tail = hidden
    ? ', hidden from clients: {1} failed, {2} aborted'
    : `, {1} failed, {2} of ${o.concurrency} clients aborted`;
  return sentence(
    'outage',
    `${eventName(r)} (${o.config}, ${o.workload} at ${o.concurrency} clients): no transaction completed for {0} ms${tail}${of}.`,
    [
      ref(r, 'gapMs', gap, fmtInt(Math.round(gap))),
      ref(r, 'failed', o.failed, fmtInt(o.failed)),
      ref(r, 'aborted', o.aborted, fmtInt(o.aborted)),
    ],
  );
}

export function outageCandidates(rows: readonly OutageRow[]): Candidate[] {
  return worstPerEvent(rows).flatMap((r) => {
    const cells = rows.filter(
      (x) =>
        x.o.config === r.o.config &&
        x.o.workload === r.o.workload &&
        x.o.concurrency === r.o.concurrency &&
        eventName(x) === eventName(r),
    ).length;
    const s = outageSentence(r, cells);
    return s ? [{ sentence: s, tier: TIER.outage, effect: r.o.gapMs ?? 0 }] : [];
  });
}
