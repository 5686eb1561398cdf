import { fmtInt, fmtPct } from '../../model/format.js';
import { numberColumn } from '../columns.js';
import type { Column, Table } from '../figure.js';
import { cancelNotes } from './notes.js';
import { type CancelFigureRow, pointerOf } from './rows.js';

type Field = Parameters<typeof pointerOf>[1];

const num = (
  header: string,
  field: Field,
  format: (x: number | undefined) => string,
): Column<CancelFigureRow> =>
  numberColumn(
    header,
    (x) => x.r[field] as number | undefined,
    format,
    (x) => (x.r[field] === undefined ? undefined : pointerOf(x, field)),
  );

const columns: readonly Column<CancelFigureRow>[] = [
  { header: 'config', align: 'left', text: (x) => x.r.config },
  { header: 'PgBouncer', align: 'left', text: (x) => x.r.version ?? 'unknown' },
  num('workers', 'workers', fmtInt),
  {
    header: 'peered',
    align: 'left',
    text: ({ r }) =>
      r.workers === 1 ? '–' : r.peered === undefined ? 'not recorded' : r.peered ? 'yes' : 'no',
  },
  num('cells', 'cells', fmtInt),
  num('cancels sent', 'sent', fmtInt),
  num('landed', 'landed', fmtInt),
  num('missed', 'missed', fmtInt),
  num('result unknown', 'unknown', fmtInt),
  num('landed share', 'landedShare', (x) => fmtPct(x, 0)),
  num('slowest landed (ms)', 'landedMaxMs', fmtInt),
  num('probes failed (no cancel sent)', 'failed', fmtInt),
];

/** `5 s`, or `5 s or 3 s` when the rows recorded several. */
const distinct = (xs: readonly (number | undefined)[], unit: string) =>
  [...new Set(xs.filter((x): x is number => x !== undefined))]
    .map((x) => `${fmtInt(x)} ${unit}`)
    .join(' or ');

/** The caption, from what the cells recorded: the statement's sleep and the prompt. */
function caption(rows: readonly CancelFigureRow[]): string {
  const sleep = distinct(
    rows.map((x) => x.r.sleepS),
    's',
  );
  const prompt = distinct(
    rows.map((x) => x.r.promptMs),
    'ms',
  );
  return (
    `While pgbench ran, a second client started a \`SELECT pg_sleep(...)\`${sleep ? ` of ${sleep}` : ''} through the pooler, waited until ` +
    "PostgreSQL showed it running, and sent a CancelRequest on a new connection to the pooler's port (as libpq " +
    'does), one probe after the other. With several so_reuseport workers the kernel may give that connection to ' +
    'another worker than the client\'s. A cancel **landed** when the statement ended with "canceling statement due ' +
    `to user request" (SQLSTATE 57014) within ${prompt} of the request; **missed** when it had not (still running, or ` +
    'cancelled later; the harness then cancelled it directly, only while its backend still ran that statement, not ' +
    'counted); **result unknown** when the request was sent but failed or timed out after it was written, or the ' +
    'statement ended with another error. Cancels sent are landed + missed + unknown, and the landed share is ' +
    'landed / sent. A failed probe (it could not connect, or its statement did not start) sent no cancel and ' +
    'counts in none of them.'
  );
}

export const cancelTable: Table<CancelFigureRow> = {
  id: 'cancel-table',
  in: ['findings', 'html'],
  columns: () => [...columns],
  caption: (rows) => caption(rows),
  notes: (rows) => cancelNotes(rows).map((s) => s.text),
};
