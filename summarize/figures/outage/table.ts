import { fixed, fmtInt, fmtTps } from '../../model/format.js';
import type { Recovery } from '../../model/outage-tps.js';
import { numberColumn } from '../columns.js';
import type { Column, Table } from '../figure.js';
import { eventName, type OutageRow, pointerOf } from './rows.js';

const ms = (x: number | undefined) => (x === undefined ? '—' : fmtInt(Math.round(x)));
const sec = (x: number | undefined) => (x === undefined ? '—' : fixed(x / 1000, 2));

/** "0.75", "no dip", "not back", "n/a": the recovery column's text. */
function backText(r: Recovery): string {
  if (r.state === 'back') return sec(r.backMs);
  if (r.state === 'no-dip') return 'no dip';
  if (r.state === 'not-back') return 'not back';
  return 'n/a';
}

const num = (
  header: string,
  path: string,
  get: (r: OutageRow) => number | undefined,
  format: (x: number | undefined) => string,
): Column<OutageRow> =>
  numberColumn(header, get, format, (r) => (get(r) === undefined ? undefined : pointerOf(r, path)));

const gapColumn: Column<OutageRow> = {
  ...num('longest gap (ms)', 'gapMs', (r) => r.o.gapMs, ms),
  // No listed gap: every stretch was shorter than the gaps the timeline lists.
  text: (r) =>
    r.o.gapMs === undefined
      ? r.o.timeline
        ? `< ${r.o.gapMinMs}`
        : '—'
      : `${ms(r.o.gapMs)}${r.o.gapOpen ? ' (to end)' : ''}`,
};

const backColumn: Column<OutageRow> = {
  ...num('TPS back within 10 % after (s)', 'recovery/backMs', (r) => r.o.recovery.backMs, sec),
  text: (r) => backText(r.o.recovery),
  title: (r) => r.o.recovery.why,
};

/** Every column of the outage table, in order. */
function columns(): Column<OutageRow>[] {
  return [
    { header: 'cell', align: 'left', text: (r) => r.o.cellId },
    { header: 'event', align: 'left', text: eventName },
    num(
      'at s (time axis)',
      'atS',
      (r) => r.o.atS,
      (x) => fixed(x, 2),
    ),
    num('done after (ms)', 'doneMs', (r) => r.o.doneMs, ms),
    num('first failure after (ms)', 'firstFailureMs', (r) => r.o.firstFailureMs, ms),
    gapColumn,
    num('gap began (ms from event)', 'gapStartMs', (r) => r.o.gapStartMs, ms),
    num('TPS before', 'recovery/tpsBefore', (r) => r.o.recovery.tpsBefore, fmtTps),
    num('lowest TPS (1 s)', 'recovery/tpsLowest', (r) => r.o.recovery.tpsLowest, fmtTps),
    backColumn,
    num('failed tx', 'failed', (r) => r.o.failed, fmtInt),
    num('clients aborted', 'aborted', (r) => r.o.aborted, fmtInt),
    num('clients left', 'clientsLeft', (r) => r.o.clientsLeft, fmtInt),
    num('connection errors', 'connectionErrors', (r) => r.o.connectionErrors, fmtInt),
    num('longest wait (ms)', 'maxLatencyMs', (r) => r.o.maxLatencyMs, ms),
    num('longest wait before (ms)', 'maxLatencyBeforeMs', (r) => r.o.maxLatencyBeforeMs, ms),
    { header: 'verdict', align: 'left', text: (r) => r.o.verdict },
  ];
}

const CAPTION =
  "Per event sent, from the cell's ms timeline (when each transaction completed or failed, from the per-transaction log) and " +
  "pgbench's stderr lines stamped as they arrived (aborted clients, failed connections). Counts run from the event to the next " +
  'event of the cell (or its end); the gap is the longest stretch with no completed transaction that overlaps that window; TPS ' +
  'is counted in 1 s windows sliding by 250 ms, "back" when a window reaches 90 % of the mean over up to 3 s before the event. ' +
  'An aborted client is never reconnected by pgbench: TPS after an abort is what the clients left carried (docs/outage.md). ' +
  "\"at s\" is on the time series' axis (pgbench's start from its -P lines); summary.json's offsetS counts from when the runner started pgbench. " +
  '"done after": from the event to its action\'s end (a restart answered, RELOAD answered, a failover\'s last step: its steps are in summary.json).';

export const outageTable: Table<OutageRow> = {
  id: 'outage-table',
  in: ['findings', 'html'],
  columns,
  caption: () => CAPTION,
};

/** The terminal's shorter table: the numbers a CI log needs. */
export const outageTerminalTable: Table<OutageRow> = {
  id: 'outage-terminal',
  in: ['terminal'],
  columns: () => {
    const all = columns();
    const keep = new Set([
      'cell',
      'event',
      'at s (time axis)',
      'longest gap (ms)',
      'TPS back within 10 % after (s)',
      'failed tx',
      'clients aborted',
      'connection errors',
      'longest wait (ms)',
    ]);
    return all.filter((c) => keep.has(c.header));
  },
};
