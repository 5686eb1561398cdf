import type { Matrix } from '../matrix/load.js';
import { applyPeeringRule, multiWorkerConfigs } from '../matrix/peering.js';
import { applyPreparedRule, preparedThroughPool } from '../matrix/prepared-rule.js';
import type { Provider } from '../stack/types.js';

type Found = { version: string | undefined; where: string };

/**
 * Rules that depend on the PgBouncer version, decided before anything starts: prepared statements
 * through a transaction pool get `max_prepared_statements` on PgBouncer >= 1.21 and are refused
 * (exit 2) on an older one; the workers of a multi-worker config are peered on PgBouncer >= 1.19.
 * The version is asked only for the configs that need it, per config (a config may name its own
 * PgBouncer image).
 */
export async function pgbouncerPreflight(matrix: Matrix, provider: Provider): Promise<Matrix> {
  const prepared = preparedThroughPool(matrix.spec);
  const peered = multiWorkerConfigs(matrix.spec);
  if (prepared.length === 0 && peered.length === 0) return matrix;
  const found = new Map<string, Found>();
  for (const n of new Set([...prepared, ...peered])) {
    const v = await provider.pgbouncerVersion?.(matrix, n);
    found.set(n, v ?? { version: undefined, where: `the ${provider.name} provider` });
  }
  const versionOf = (n: string) => found.get(n);
  return { ...matrix, spec: applyPeeringRule(applyPreparedRule(matrix.spec, versionOf), versionOf) };
}
