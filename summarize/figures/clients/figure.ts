import { CLIENTS_RULES } from '../../model/clients.js';
import type { Row } from '../../model/row.js';
import { reportRows } from '../../model/tenant-template.js';
import type { Figure } from '../figure.js';
import { CLIENTS_CSV, MAXWAIT_CSV } from './csv.js';
import { fairnessTable } from './table.js';
import { contrastRule, matrixQuestionRule, starvedRule } from './tldr.js';
import { clientWarnings } from './warnings.js';

/**
 * Clients and fairness (src/pgbench/clients.ts, model/clients.ts): how many clients each group
 * served and how fairly, PgBouncer's waiting clients, the warning on a closed-loop latency that does
 * not speak for every client, and the TL;DR's comparisons between configs (the matrix's `compare:`
 * pairs first) and its starved clients.
 */
export const clientsFigure: Figure<Row> = {
  id: 'clients',
  section: { id: 'clients', title: 'Clients and fairness' },
  applies: (ctx) => ctx.rows.some((r) => r.clients || r.contrasts),
  rows: (ctx) => reportRows(ctx.rows).filter((r) => r.clients),
  tables: [fairnessTable],
  csv: (ctx) => [
    // The offered-load columns carry maxwait already when a row is rate-limited.
    ...(ctx.rows.some((r) => r.load) || !ctx.rows.some((r) => r.sampling?.maxwaitMsPeak !== undefined)
      ? []
      : [MAXWAIT_CSV]),
    ...(ctx.rows.some((r) => r.clients) ? CLIENTS_CSV : []),
  ],
  warnings: (row) => clientWarnings(row),
  // Comparisons between configs are stated whether or not the run has per-client figures.
  tldr: (ctx) => [...matrixQuestionRule(ctx), ...contrastRule(ctx), ...starvedRule(ctx)],
  method: (ctx) =>
    ctx.rows.some((r) => r.clients)
      ? [`- Clients: ${CLIENTS_RULES.fairness}; ${CLIENTS_RULES.starved}.`, `- ${CLIENTS_RULES.latency}`]
      : [],
};
