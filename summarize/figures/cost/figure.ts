import type { CostRow } from '../../model/cost-rows.js';
import { TIER } from '../../tldr/candidate.js';
import type { Figure } from '../figure.js';
import { COST_METHOD } from './format.js';
import { costTable, functionsTable } from './table.js';
import { costSentence } from './tldr.js';

/**
 * Cost per transaction (issue 18, docs/cost.md): the work each counted component does per
 * transaction, from the cost cells (cost.jsonl). Its rows are not model rows: they arrive in
 * `options.cost`, are summary.json's `cost.rows`, and never enter a throughput figure.
 */
export const costFigure: Figure<CostRow> = {
  id: 'cost',
  section: { id: 'cost', title: 'Cost per transaction (cost cells)' },
  applies: (ctx) => (ctx.options.cost?.length ?? 0) > 0,
  rows: (ctx) => [...(ctx.options.cost ?? [])],
  tables: [costTable, functionsTable],
  tldr: (_ctx, rows) => {
    const s = costSentence(rows);
    return s ? [{ sentence: s, tier: TIER.cost, effect: 0 }] : [];
  },
  method: () => [`- Cost per transaction: ${COST_METHOD}`],
};
