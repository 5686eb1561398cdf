import type { CancelRow } from '../../model/cancel-check.js';
import { fmtInt, fmtPct } from '../../model/format.js';
import type { NumberRef } from '../../tldr/number-ref.js';
import type { FigureContext } from '../figure.js';

/** A config's cancel check and its index in summary.json's `cancelChecks.rows` (every pointer starts there). */
export interface CancelFigureRow {
  r: CancelRow;
  i: number;
}

export function cancelFigureRows(ctx: FigureContext): CancelFigureRow[] {
  return (ctx.options.cancelChecks ?? []).map((r, i) => ({ r, i }));
}

/** `/cancelChecks/rows/2/missed`: where a field of the row is in summary.json. */
export const pointerOf = (x: CancelFigureRow, field: keyof CancelRow) => `/cancelChecks/rows/${x.i}/${field}`;

type Count = 'workers' | 'cells' | 'probes' | 'sent' | 'landed' | 'missed' | 'unknown' | 'failed';
type Share = 'landedShare' | 'missedShare' | 'missedLow' | 'missedHigh';

/** NumberRefs to a row's fields, printed as the table and the notes print them. */
export function refsOf(x: CancelFigureRow) {
  return {
    count: (f: Count): NumberRef => ({ pointer: pointerOf(x, f), value: x.r[f], text: fmtInt(x.r[f]) }),
    share: (f: Share, decimals: number): NumberRef => ({
      pointer: pointerOf(x, f),
      value: x.r[f] ?? Number.NaN,
      text: fmtPct(x.r[f], decimals),
      scale: 100,
    }),
  };
}
