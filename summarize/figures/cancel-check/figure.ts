import type { CancelRow } from '../../model/cancel-check.js';
import type { Sentence } from '../../tldr/refs.js';
import type { Figure } from '../figure.js';
import { cancelNotes } from './notes.js';
import { type CancelFigureRow, cancelFigureRows } from './rows.js';
import { cancelTable } from './table.js';

/**
 * Cancel requests across PgBouncer workers, per config (docs/workers.md, `cancel_check: true`).
 * The rows are computed once from the cell records (model/cancel-check.ts) and are summary.json's
 * `cancelChecks.rows`, which the table's and the notes' pointers name.
 */
export const cancelCheckFigure: Figure<CancelFigureRow> = {
  id: 'cancel-check',
  section: { id: 'cancel-check', title: 'Cancel requests across workers' },
  applies: (ctx) => cancelFigureRows(ctx).length > 0,
  rows: cancelFigureRows,
  tables: [cancelTable],
};

/** summary.json's `cancelChecks`: the rows, and the notes under the table with their NumberRefs. */
export function cancelJsonSection(rows: readonly CancelRow[]): {
  rows: readonly CancelRow[];
  notes: Sentence[];
} {
  return { rows, notes: cancelNotes(rows.map((r, i) => ({ r, i }))) };
}
