import { z } from 'zod';
import { positiveDuration } from './duration-schema.js';

/**
 * The matrix's `cost:` block (issue 18, docs/cost.md): cost cells count the work each component
 * does per transaction, with pgbench -t (a fixed count) instead of -T, at two or more counts so that
 * start-up, connection set-up and shutdown cancel in the slope. Under valgrind the component runs
 * 20-50x slower, hence few clients and a long ready timeout.
 */

/** Fewer transactions per client than this and start-up noise is a large part of the count. */
export const MIN_TRANSACTIONS_PER_CLIENT = 100;

export const COST_COMPONENTS = ['proxy', 'pgbouncer', 'postgres'] as const;
export const COST_METHODS = ['valgrind', 'perf'] as const;

/**
 * Why `postgres` is refused: its backends are forked by the shared postmaster, which would have to
 * run under valgrind (restarted for every cost cell) for them to be counted.
 */
export const POSTGRES_NOT_COUNTED =
  'components without "postgres": counting PostgreSQL backends would mean restarting the shared server under valgrind for every cost cell, which bench does not do (count proxy and pgbouncer)';

export const costSchema = z
  .strictObject({
    /** pgbench -c of every cost cell. */
    clients: z.number().int().positive().default(1),
    /** Total transactions per cell (clients x pgbench -t): at least two distinct counts. */
    transactions: z.array(z.number().int().positive()),
    repeats: z.number().int().positive().default(3),
    components: z.array(z.enum(COST_COMPONENTS)).min(1, 'a non-empty list').default(['proxy', 'pgbouncer']),
    methods: z.array(z.enum(COST_METHODS)).min(1, 'a non-empty list').default(['valgrind', 'perf']),
    /** How long a counted component may take to accept connections (valgrind starts slowly). */
    ready_timeout: positiveDuration.default(120_000),
  })
  .superRefine((c, ctx) => {
    for (const t of costIssues(c)) ctx.addIssue({ code: 'custom', path: t.path, message: t.message });
  });
export type CostSpec = z.output<typeof costSchema>;

/** What is wrong with a cost block beyond its types; paths are relative to `cost`. */
export function costIssues(
  c: Pick<CostSpec, 'clients' | 'transactions' | 'components' | 'methods'>,
): Array<{ path: (string | number)[]; message: string }> {
  const out: Array<{ path: (string | number)[]; message: string }> = [];
  if (new Set(c.transactions).size < 2) {
    out.push({
      path: ['transactions'],
      message: `at least two distinct transaction counts, e.g. [2000, 6000] (per-transaction figures are the slope between them), got [${c.transactions.join(', ')}]`,
    });
  }
  const least = c.clients * MIN_TRANSACTIONS_PER_CLIENT;
  c.transactions.forEach((t, i) => {
    if (t < least) {
      out.push({
        path: ['transactions', i],
        message: `at least ${least} transactions (${MIN_TRANSACTIONS_PER_CLIENT} per client x ${c.clients} clients), got ${t}`,
      });
    } else if (t % c.clients !== 0) {
      out.push({
        path: ['transactions', i],
        message: `a multiple of clients (${c.clients}): pgbench -t is per client, got ${t}`,
      });
    }
  });
  c.components.forEach((k, i) => {
    if (k === 'postgres') out.push({ path: ['components', i], message: POSTGRES_NOT_COUNTED });
  });
  for (const [field, list] of [
    ['components', c.components],
    ['methods', c.methods],
  ] as const) {
    if (new Set<string>(list).size !== list.length)
      out.push({ path: [field], message: `unique values, got [${list.join(', ')}]` });
  }
  return out;
}
