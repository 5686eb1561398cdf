import type { Matrix } from '../matrix/load.js';
import { applyPreparedRule, preparedThroughPool } from '../matrix/prepared-rule.js';
import type { Provider } from '../stack/types.js';

/**
 * Rules that depend on the PgBouncer version, decided before anything starts: prepared statements
 * through a transaction pool get `max_prepared_statements` on PgBouncer >= 1.21 and are refused
 * (exit 2) on an older one. The version is asked only when a config needs it.
 */
export async function pgbouncerPreflight(matrix: Matrix, provider: Provider): Promise<Matrix> {
  if (preparedThroughPool(matrix.spec).length === 0) return matrix;
  const found = await provider.pgbouncerVersion?.(matrix);
  const spec = applyPreparedRule(
    matrix.spec,
    found?.version,
    found?.where ?? `the ${provider.name} provider`,
  );
  return { ...matrix, spec };
}
