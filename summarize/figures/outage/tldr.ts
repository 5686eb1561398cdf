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

/**
 * The worst measured outage of each event of each config × workload × clients: a gap that ran to
 * the end of the cell (nothing completed again) ranks above every gap that closed, whatever their
 * lengths (an open gap's length is only the time the cell had left); among the same kind, the longest.
 */
function worstPerEvent(rows: readonly OutageRow[]): OutageRow[] {
  const worst = new Map<string, OutageRow>();
  const rank = (r: OutageRow) => [r.o.gapOpen ? 1 : 0, r.o.gapMs ?? 0] as const;
  const worse = (a: OutageRow, b: OutageRow) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] !== y[0] ? x[0] > y[0] : x[1] > y[1];
  };
  for (const r of rows) {
    if (!r.o.timeline || r.o.gapMs === undefined) continue;
    // A gap that began well before this event is the previous event's (the PAUSE's, at its RESUME).
    if ((r.o.gapStartMs ?? 0) < -INHERITED_GAP_MS) continue;
    const key = groupKey(r);
    const w = worst.get(key);
    if (!w || worse(r, w)) worst.set(key, r);
  }
  return [...worst.values()];
}

const groupKey = (r: OutageRow) => `${r.o.config}|${r.o.workload}|${r.o.concurrency}|${eventName(r)}`;

/** "(the longest of the 3 cells it fired in)", saying so when open and closed gaps were ranked together. */
function ofText(r: OutageRow, cells: readonly OutageRow[]): string {
  if (cells.length <= 1) return '';
  const open = cells.filter((x) => x.o.gapOpen).length;
  if (open === 0) return ` (the longest of the ${cells.length} cells it fired in)`;
  if (open === cells.length)
    return ` (in each of the ${cells.length} cells it fired in nothing completed after it; this cell's stretch was the longest)`;
  return r.o.gapOpen
    ? ` (nothing completed after it in ${open} of the ${cells.length} cells it fired in, ranked above the cells whose gap closed)`
    : ` (the longest of the ${cells.length} cells it fired in)`;
}

/**
 * "events[0] SIGINT pgb/worker-2 (pgb, tpcb at 8 clients): no transaction completed for 1,203 ms,
 * 0 failed, 3 clients aborted (the longest of the cells it fired in)". Only measured outages with a
 * gap: an event whose clients saw no stall has nothing to headline.
 */
function outageSentence(r: OutageRow, cells: readonly OutageRow[]): Sentence | undefined {
  const o = r.o;
  const gap = o.gapMs as number;
  const clean = o.failed === 0 && o.aborted === 0 && o.connectionErrors === 0;
  const tail = clean
    ? ', no client error ({1} failed, {2} aborted, {3} connection errors)'
    : `, {1} failed, {2} of ${o.concurrency} clients aborted, {3} connection errors`;
  const stall = o.gapOpen
    ? 'nothing completed for the rest of the cell ({0} ms, to its planned end)'
    : 'no transaction completed for {0} ms';
  return sentence(
    'outage',
    `${eventName(r)} (${o.config}, ${o.workload} at ${o.concurrency} clients): ${stall}${tail}${ofText(r, cells)}.`,
    [
      ref(r, 'gapMs', gap, fmtInt(Math.round(gap))),
      ref(r, 'failed', o.failed, fmtInt(o.failed)),
      ref(r, 'aborted', o.aborted, fmtInt(o.aborted)),
      ref(r, 'connectionErrors', o.connectionErrors, fmtInt(o.connectionErrors)),
    ],
  );
}

export function outageCandidates(rows: readonly OutageRow[]): Candidate[] {
  return worstPerEvent(rows).flatMap((r) => {
    const cells = rows.filter((x) => groupKey(x) === groupKey(r));
    const s = outageSentence(r, cells);
    return s ? [{ sentence: s, tier: TIER.outage, effect: r.o.gapMs ?? 0 }] : [];
  });
}
