import { POOLS_LISTED } from '../../../src/sampling/pool-summary.js';
import type { Figure, FigureContext } from '../figure.js';
import { poolPlots } from './plots.js';
import { type PoolsRow, poolRows } from './rows.js';
import { costTable, slopeTable, waitingTable } from './table.js';
import { poolCandidates } from './tldr.js';

const rows = (ctx: FigureContext): PoolsRow[] => poolRows(ctx.rows);

/** What the figure's numbers are, for FINDINGS.md's method section. */
function method(): string[] {
  return [
    '- **Pools** (docs/tenants.md, "Per-pool sampling"): PgBouncer\'s `SHOW POOLS`, every pool (database, user) at every ' +
      `sampler tick; each cell's record keeps the pool count and the ${POOLS_LISTED} pools that waited most ` +
      "(samples.jsonl keeps them all). With several PgBouncer processes a pool's figure at a tick is their sum " +
      "(maxwait: the maximum). Over reps a peak is the maximum of the reps' peaks, a mean the mean of the reps' means.",
    "- **Cost of pools**: PgBouncer's PSS (mean over the cell) and CPU (mean cores over the cell) of its process trees, " +
      "summed over its processes, measured beside pgbench and PostgreSQL on the same cores while the cell's " +
      'transactions ran: the figure includes that work, not only the pools. Per pool: divided by the peak pool ' +
      "count, so PgBouncer's fixed footprint is included (an upper bound). The marginal cost per pool is the slope " +
      'over cell rows at different pool counts, with the fixed footprint as its intercept; one pool count gives none.',
  ];
}

/**
 * PgBouncer's pools (docs/tenants.md "Per-pool sampling", issue 23): which pools had clients
 * waiting for a server connection (per group with `pool_per_group`), and what the pools cost
 * PgBouncer in memory and CPU, per pool and, with two pool counts or more, per pool more. Only in
 * runs whose cells recorded per-pool figures: other runs render as before.
 */
export const poolsFigure: Figure<PoolsRow> = {
  id: 'pools',
  section: { id: 'pools', title: 'PgBouncer pools: who waited, and what pools cost' },
  applies: (ctx) => rows(ctx).length > 0,
  rows,
  tables: [costTable, waitingTable, slopeTable],
  plots: (_ctx, r) => poolPlots(r),
  tldr: (ctx, r) => poolCandidates(r, ctx.completed),
  method: (_ctx, r) => (r.length > 0 ? method() : []),
};
