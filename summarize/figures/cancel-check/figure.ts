import { fmtInt, fmtPct } from '../../model/format.js';
import { fixedTable, numberColumn } from '../columns.js';
import type { Column, Figure, FigureContext, Table } from '../figure.js';
import { type CancelRow, cancelRows } from './rows.js';

const columns: readonly Column<CancelRow>[] = [
  { header: 'config', align: 'left', text: (r) => r.config },
  { header: 'PgBouncer', align: 'left', text: (r) => r.version ?? 'unknown' },
  numberColumn('workers', (r) => r.workers, fmtInt),
  {
    header: 'peered',
    align: 'left',
    text: (r) => (r.workers === 1 ? '–' : r.peered === undefined ? 'not recorded' : r.peered ? 'yes' : 'no'),
  },
  numberColumn('cells', (r) => r.cells, fmtInt),
  numberColumn('cancels sent', (r) => r.landed + r.missed, fmtInt),
  numberColumn('landed', (r) => r.landed, fmtInt),
  numberColumn('missed', (r) => r.missed, fmtInt),
  numberColumn(
    'landed share',
    (r) => r.landedShare,
    (x) => fmtPct(x, 0),
  ),
  numberColumn('slowest landed (ms)', (r) => r.landedMaxMs, fmtInt),
  numberColumn('probes failed', (r) => r.failed, fmtInt),
];

const CAPTION =
  'While pgbench ran, a second client started `SELECT pg_sleep(5)` through the pooler, waited until ' +
  "PostgreSQL showed it running, and sent a CancelRequest on a new connection to the pooler's port (as libpq " +
  'does), one probe after the other. With several so_reuseport workers the kernel may give that connection to ' +
  'another worker than the client\'s. A cancel **landed** when the statement ended with "canceling statement due ' +
  'to user request" (SQLSTATE 57014) within 1 s; **missed** when it was still running then (the harness then ' +
  'cancelled it directly, not counted). A failed probe (it could not connect, or its statement did not start) ' +
  'sent no cancel and counts in neither.';

/**
 * Why a config missed cancels, only as far as the run shows it: unpeered workers explain misses
 * when one process of the same PgBouncer version, in the same run, missed none.
 */
function missCause(r: CancelRow, rows: readonly CancelRow[]): string {
  if (r.workers === 1 || r.peered !== false) return 'the run does not show why';
  const control = rows.find((x) => x.workers === 1 && x.version === r.version && x.landed + x.missed > 0);
  if (!control)
    return `its ${r.workers} workers were not peered, and the run has no one-process config of PgBouncer ${r.version ?? '(unknown)'} to tell that apart from other causes`;
  if (control.missed > 0)
    return `its ${r.workers} workers were not peered, but one process of the same version (${control.config}) missed ${control.missed} of ${control.landed + control.missed} too: not only the routing`;
  return `its ${r.workers} workers were not peered: a cancel the kernel gave to another worker than the client's was ignored (one process of the same version, ${control.config}, landed all ${control.landed})`;
}

function notes(rows: readonly CancelRow[]): string[] {
  return rows.flatMap((r) => {
    const sent = r.landed + r.missed;
    if (sent === 0) return [`${r.config}: no cancel was sent (every probe failed): nothing can be said.`];
    if (r.missed === 0) return [];
    return [`${r.config}: ${r.missed} of ${sent} cancels missed their query: ${missCause(r, rows)}.`];
  });
}

const cancelTable: Table<CancelRow> = {
  ...fixedTable('cancel-table', ['findings', 'html'], columns, CAPTION),
  notes: (r) => notes(r),
};

const rows = (ctx: FigureContext) => cancelRows(ctx.run?.cells ?? []);

/** Cancel requests across PgBouncer workers, per config (docs/workers.md, `cancel_check: true`). */
export const cancelCheckFigure: Figure<CancelRow> = {
  id: 'cancel-check',
  section: { id: 'cancel-check', title: 'Cancel requests across workers' },
  applies: (ctx) => rows(ctx).length > 0,
  rows,
  tables: [cancelTable],
};
