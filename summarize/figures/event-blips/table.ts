import { fixed, fmtInt, fmtPct, fmtTps } from '../../model/format.js';
import type { Column, Table } from '../figure.js';
import type { EventBlip } from './blips.js';

const num = (
  header: string,
  get: (b: EventBlip) => number | undefined,
  format: (x: number | undefined) => string,
): Column<EventBlip> => ({ header, align: 'right', text: (b) => format(get(b)), value: get });

/** The blip columns: throughput before, around and after each event, and the cell's failures. */
export const blipColumns: readonly Column<EventBlip>[] = [
  { header: 'cell', align: 'left', text: (b) => b.cellId },
  { header: 'event', align: 'left', text: (b) => `${b.signal} ${b.target}` },
  num(
    'at s',
    (b) => b.atS,
    (x) => fixed(x, 2),
  ),
  num('TPS before (3 s)', (b) => b.tpsBefore, fmtTps),
  num('lowest TPS (event s + 2 s)', (b) => b.tpsMin, fmtTps),
  num('dip', (b) => b.dip, fmtPct),
  num('TPS after', (b) => b.tpsAfter, fmtTps),
  num('failed tx around', (b) => b.failedAround, fmtInt),
  num('connection errors (cell)', (b) => b.connectionErrors, fmtInt),
  num('clients aborted (cell)', (b) => b.abortedClients, fmtInt),
];

/** The caption above the blip table: how the figures are computed and what pgbench cannot say. */
const BLIP_CAPTION =
  'Per-second throughput from the per-transaction log around the moment each signal was sent. pgbench does not ' +
  'reconnect a client whose connection failed or was closed: it aborts it, so "TPS after" shows what the ' +
  "remaining clients carried, and connection errors and aborted clients are the cell's totals (pgbench does not " +
  'timestamp them). A signal sent to one worker is expected to cost something; gates say how much is allowed.';

export const blipTable: Table<EventBlip> = {
  id: 'blip-table',
  in: ['findings', 'html'],
  columns: () => [...blipColumns],
  caption: () => BLIP_CAPTION,
};
