import type { CellRecord } from '../../../src/results/types.js';
import type { CellSeries } from '../../model/cell-series.js';
import { isNum } from '../../model/format.js';

/**
 * The blip around each scheduled event (docs/workers.md): throughput per second from the
 * per-transaction log before, around and after the moment the signal was sent, and the failures
 * of the cell. Pure: a cell record and its series.
 */
export interface EventBlip {
  cellId: string;
  config: string;
  rep: number;
  target: string;
  signal: string;
  /** Seconds after the measured pgbench started at which the signal was sent. */
  atS: number;
  /** Mean transactions/s over the (up to 3) whole seconds before the event's second. */
  tpsBefore?: number;
  /** Lowest transactions/s in the event's second and the 2 seconds after it. */
  tpsMin?: number;
  /** 1 - tpsMin / tpsBefore. */
  dip?: number;
  /** Mean transactions/s from 2 s after the event to the end of the cell (lasting effect). */
  tpsAfter?: number;
  /** Failed transactions in the event's second and the 2 seconds after it. */
  failedAround: number;
  /** The cell's totals: pgbench does not timestamp these. */
  connectionErrors: number;
  abortedClients: number;
}

/** Window after the event's second in which the dip is looked for, s. */
const AROUND_S = 2;
const BEFORE_S = 3;

type Sec = { t: number; count: number; failed: number };

/**
 * Whole seconds of the log (a point at t covers (t-1, t]) inside the measured window. The log
 * has no line for a second in which nothing completed: such a second inside the window is a 0
 * (every client aborted, say), not a gap.
 */
function logSeconds(s: CellSeries): Sec[] {
  const failed = new Map(s.points.filter((p) => p.panel === 'failed').map((p) => [p.t, p.value]));
  const found = s.points
    .filter((p) => p.panel === 'tps' && p.series === 'per-transaction log')
    .filter((p) => p.t - 1 >= -1e-9 && p.t <= s.durationS + 1e-9)
    .map((p) => ({ t: p.t, count: p.value, failed: failed.get(p.t) ?? 0 }))
    .sort((a, b) => a.t - b.t);
  const first = found[0];
  if (!first) return [];
  const byT = new Map(found.map((x) => [Math.round(x.t * 1000), x]));
  const out: Sec[] = [];
  for (let t = first.t; t <= s.durationS + 1e-9; t += 1) {
    const key = Math.round(t * 1000);
    out.push(byT.get(key) ?? { t: key / 1000, count: 0, failed: 0 });
  }
  return out;
}

const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

export function eventBlips(cell: CellRecord, series: CellSeries | undefined): EventBlip[] {
  const out: EventBlip[] = [];
  for (const e of cell.events ?? []) {
    if (e.firedAt === undefined) continue;
    const atS = series ? (e.firedAt - series.startMs) / 1000 : (e.offsetMs ?? e.atMs) / 1000;
    const secs = series ? logSeconds(series) : [];
    const before = secs.filter((x) => x.t <= atS && x.t > atS - BEFORE_S).map((x) => x.count);
    const around = secs.filter((x) => x.t > atS && x.t - 1 < atS + AROUND_S);
    const after = secs.filter((x) => x.t - 1 >= atS + AROUND_S).map((x) => x.count);
    const tpsBefore = mean(before);
    const tpsMin = around.length > 0 ? Math.min(...around.map((x) => x.count)) : undefined;
    out.push({
      cellId: cell.id,
      config: cell.config,
      rep: cell.rep,
      target: e.target,
      signal: e.action ?? e.signal ?? '',
      atS,
      ...(tpsBefore === undefined ? {} : { tpsBefore }),
      ...(tpsMin === undefined ? {} : { tpsMin }),
      ...(isNum(tpsBefore) && isNum(tpsMin) && tpsBefore > 0 ? { dip: 1 - tpsMin / tpsBefore } : {}),
      ...(mean(after) === undefined ? {} : { tpsAfter: mean(after) as number }),
      failedAround: around.reduce((a, x) => a + x.failed, 0),
      connectionErrors: cell.connectionErrors,
      abortedClients: cell.abortedClients ?? 0,
    });
  }
  return out;
}
