import type { EventOutage } from '../../model/outage.js';
import type { FigureContext } from '../figure.js';

/** An event's outage and its index in summary.json's `outages` (every pointer starts there). */
export interface OutageRow {
  o: EventOutage;
  i: number;
}

export function outageRows(ctx: FigureContext): OutageRow[] {
  return (ctx.options.outages ?? []).map((o, i) => ({ o, i }));
}

/** `/outages/3/gapMs`: where a field of the row's outage is in summary.json. */
export const pointerOf = (r: OutageRow, path: string) => `/outages/${r.i}/${path}`;

/** `events[1] PAUSE pgb/pgbouncer`, or the label alone when the matrix index is unknown. */
export const eventName = (r: OutageRow) =>
  r.o.matrixIndex === undefined ? r.o.label : `events[${r.o.matrixIndex}] ${r.o.label}`;
