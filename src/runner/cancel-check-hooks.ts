import type { ConfigSpec } from '../matrix/schema.js';
import type { Endpoint } from '../stack/types.js';
import { startCancelCheck } from './cancel-check.js';
import type { CellHooks } from './cell.js';

/** The cell hook of a config with `cancel_check: true`: probes through `pooler`, watched on `postgres`. */
export function cancelCheckHooks(
  configs: readonly ConfigSpec[],
  name: string,
  pooler: Endpoint,
  postgres: Endpoint,
): Pick<CellHooks, 'checkCancels'> {
  const config = configs.find((c) => c.name === name);
  if (config?.kind !== 'pgbouncer' || config.cancel_check !== true) return {};
  return { checkCancels: () => startCancelCheck(pooler, postgres) };
}
