import type { Matrix } from '../matrix/load.js';
import { applyPreparedRule, preparedThroughPool } from '../matrix/prepared-rule.js';
import type { Provider } from '../stack/types.js';

/**
 * Rules that depend on the PgBouncer version, decided before anything starts: prepared statements
 * through a transaction pool get `max_prepared_statements` on PgBouncer >= 1.21 and are refused
 * (exit 2) on an older one. The version is asked only for the configs that need it, per config
 * (a config may name its own PgBouncer image).
 */
export async function pgbouncerPreflight(matrix: Matrix, provider: Provider): Promise<Matrix> {
  const names = preparedThroughPool(matrix.spec);
  if (names.length === 0) return matrix;
  const found = new Map<string, { version: string | undefined; where: string }>();
  for (const n of names) {
    const v = await provider.pgbouncerVersion?.(matrix, n);
    found.set(n, v ?? { version: undefined, where: `the ${provider.name} provider` });
  }
  return { ...matrix, spec: applyPreparedRule(matrix.spec, (n) => found.get(n)) };
}
