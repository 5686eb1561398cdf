import type { ConfigSpec } from '../matrix/schema.js';
import { observesTls, startTlsObserver } from '../sampling/tls-observe.js';
import type { Endpoint } from '../stack/types.js';
import type { CellHooks } from './cell.js';

/** The cell hook that records negotiated TLS, in runs where some config uses TLS. */
export function tlsHooks(
  configs: ConfigSpec[],
  name: string,
  role: string,
  postgres: Endpoint,
  pgbouncerAdmin: Endpoint | undefined,
): Pick<CellHooks, 'observeTls'> {
  const config = configs.find((c) => c.name === name);
  if (!config || !observesTls(configs)) return {};
  return {
    observeTls: () =>
      startTlsObserver({ config, role, postgres, ...(pgbouncerAdmin ? { pgbouncerAdmin } : {}) }),
  };
}
