import type { Figure } from '../figure.js';
import { type CompareRow, compareRows } from './rows.js';
import { compareTable } from './table.js';
import { compareCandidates } from './tldr.js';

/**
 * The same event across configs (model/outage-compare.ts): per config (its strategy) and rep, the
 * clients lost, failed transactions, longest gap and transactions completed after the event, and
 * which config hid it best, said only when every paired rep supports it.
 */
export const outageCompareFigure: Figure<CompareRow> = {
  id: 'outage-compare',
  section: { id: 'outage', title: 'Events and the outage they caused' },
  applies: (ctx) => compareRows(ctx).length > 0,
  rows: compareRows,
  tables: [compareTable],
  tldr: (_ctx, rows) => compareCandidates(rows),
};
