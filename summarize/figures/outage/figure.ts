import type { Figure } from '../figure.js';
import { outageMethod } from './method.js';
import { type OutageRow, outageRows } from './rows.js';
import { outageTable, outageTerminalTable } from './table.js';
import { outageCandidates } from './tldr.js';

/**
 * The outage a client saw around each scheduled event (a signal, an admin command, a PostgreSQL
 * restart, a failover, a fault: docs/outage.md): first failure, longest gap without a completed
 * transaction, time until TPS was back within 10 %, failures, aborted clients, the longest wait,
 * and a verdict. Its numbers are in summary.json's `outages`; the gates `max_outage_ms` and
 * `max_failed_transactions` per event read the same rows (model/event-gates.ts).
 */
export const outageFigure: Figure<OutageRow> = {
  id: 'outage',
  section: { id: 'outage', title: 'Events and the outage they caused' },
  applies: (ctx) => outageRows(ctx).length > 0,
  rows: outageRows,
  tables: [outageTable, outageTerminalTable],
  tldr: (_ctx, rows) => outageCandidates(rows),
  method: (_ctx, rows) => outageMethod(rows),
};
