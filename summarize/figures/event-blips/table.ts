import { fixed, fmtInt, fmtPct, fmtTps } from '../../model/format.js';
import { fixedTable, numberColumn } from '../columns.js';
import type { Column } from '../figure.js';
import type { EventBlip } from './blips.js';

/** The blip columns: throughput before, around and after each event, and the cell's failures. */
export const blipColumns: readonly Column<EventBlip>[] = [
  { header: 'cell', align: 'left', text: (b) => b.cellId },
  { header: 'event', align: 'left', text: (b) => `${b.signal} ${b.target}` },
  numberColumn(
    'at s',
    (b) => b.atS,
    (x) => fixed(x, 2),
  ),
  numberColumn('TPS before (3 s)', (b) => b.tpsBefore, fmtTps),
  numberColumn('lowest TPS (event s + 2 s)', (b) => b.tpsMin, fmtTps),
  numberColumn('dip', (b) => b.dip, fmtPct),
  numberColumn('TPS after', (b) => b.tpsAfter, fmtTps),
  numberColumn('failed tx around', (b) => b.failedAround, fmtInt),
  numberColumn('connection errors (cell)', (b) => b.connectionErrors, fmtInt),
  numberColumn('clients aborted (cell)', (b) => b.abortedClients, fmtInt),
];

/** The caption above the blip table: how the figures are computed and what pgbench cannot say. */
const BLIP_CAPTION =
  'Per-second throughput from the per-transaction log around the moment each signal was sent. pgbench does not ' +
  'reconnect a client whose connection failed or was closed: it aborts it, so "TPS after" shows what the ' +
  "remaining clients carried, and connection errors and aborted clients are the cell's totals (pgbench does not " +
  'timestamp them). A signal sent to one worker is expected to cost something; gates say how much is allowed.';

export const blipTable = fixedTable('blip-table', ['findings', 'html'], blipColumns, BLIP_CAPTION);
