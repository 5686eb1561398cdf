import { reportRows } from '../../model/tenant-template.js';
import type { Figure, FigureContext } from '../figure.js';
import { type IsolationRow, isolationRows } from './rows.js';
import { isolationTable, pairsTable } from './table.js';
import { isolationCandidates, rankingCandidates } from './tldr.js';

const rows = (ctx: FigureContext): IsolationRow[] => isolationRows(reportRows(ctx.rows));

/**
 * The noisy neighbour (docs/tenants.md, "Pool topologies"): each quiet group of a mix with its
 * noisy neighbours against the same group alone, per config (pool topology), and which topology
 * protected it, only when the paired reps support it.
 */
export const noisyNeighbourFigure: Figure<IsolationRow> = {
  id: 'noisy-neighbour',
  section: { id: 'noisy-neighbour', title: 'Noisy neighbour: quiet groups with and without it' },
  applies: (ctx) => rows(ctx).length > 0,
  rows,
  tables: [isolationTable, pairsTable],
  tldr: (ctx, iso) => [...rankingCandidates(iso), ...isolationCandidates(ctx.rows, iso)],
};
