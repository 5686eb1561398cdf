import { fmtPct } from '../../model/format.js';
import { groupId, type Row, type Warning } from '../../model/row.js';

/** Short per-row notes for table cells, derived from the row's warnings (the full text is listed below the tables). */
export function rowNotes(row: Row, warnings: readonly Warning[]): string[] {
  const id = groupId(row);
  const notes: string[] = [];
  for (const w of warnings) {
    if (!w.group || groupId(w.group) !== id) continue;
    switch (w.kind) {
      case 'failed-cells':
        notes.push(`${row.failedCells.length} cell${row.failedCells.length === 1 ? '' : 's'} failed`);
        break;
      case 'no-completed-reps':
        notes.push('no completed rep');
        break;
      case 'high-cv':
        notes.push(`CV ${fmtPct(row.tps.cv)}`);
        break;
      case 'outlier-rep':
        notes.push(
          `outlier: rep ${row.samples
            .filter((s) => s.outlier)
            .map((s) => s.rep)
            .join(', ')}`,
        );
        break;
      case 'cpu-saturated':
        if (!notes.includes('CPU-bound')) notes.push('CPU-bound');
        break;
      case 'aborted':
        notes.push(
          row.abortedClients
            ? `${row.abortedClients} clients aborted: TPS of the clients left`
            : 'aborted: TPS of the clients left',
        );
        break;
      case 'connection-errors':
        notes.push(`${row.connectionErrors} connection errors`);
        break;
      case 'latency-incomplete':
        notes.push('latency partial');
        break;
      case 'pss-missing':
        if (!notes.includes('PSS not read')) notes.push('PSS not read');
        break;
      case 'foreign-backends':
        notes.push('foreign backends');
        break;
      case 'clients-starved':
        notes.push(
          row.clients?.starvedMax
            ? `${row.clients.starvedMax} of ${row.clients.clients} clients starved: latency of the served only`
            : 'clients waited: latency of the served only',
        );
        break;
      default:
        break;
    }
  }
  if (row.skippedCells.length > 0) notes.push(`${row.skippedCells.length} skipped`);
  // The baseline's row at this place ran other clients or another rate: no ratio (model/comparable.ts).
  if (row.unpaired) notes.push(row.unpaired);
  return notes;
}

/** "3" or "2/3" when fewer reps completed than were planned. */
export function repsCell(row: Row): string {
  return row.repsPlanned !== undefined && row.repsPlanned !== row.repsCompleted
    ? `${row.repsCompleted}/${row.repsPlanned}`
    : String(row.repsCompleted);
}
