import type { ConfigSpec } from '../matrix/schema.js';
import { anyTls } from '../matrix/tls.js';
import { observesTls, plainObservation, startTlsObserver, tlsPollMs } from '../sampling/tls-observe.js';
import type { ConfigPath, Endpoint } from '../stack/types.js';
import type { CellHooks } from './cell.js';

/** The admin consoles SHOW CLIENTS is read on: PgBouncer's, or every worker's with `workers: N`. */
export function pgbouncerAdmins(p: Pick<ConfigPath, 'pgbouncerAdmin' | 'pgbouncerWorkers'>): Endpoint[] {
  if (p.pgbouncerWorkers && p.pgbouncerWorkers.length > 0) return p.pgbouncerWorkers.map((w) => w.admin);
  return p.pgbouncerAdmin ? [p.pgbouncerAdmin] : [];
}

/**
 * The cell hook that records negotiated TLS, in runs where some config uses TLS: polled for a
 * config with TLS (less often at many clients, tlsPollMs), said plain from the settings otherwise.
 */
export function tlsHooks(
  configs: ConfigSpec[],
  name: string,
  role: string,
  postgres: Endpoint,
  path: Pick<ConfigPath, 'pgbouncerAdmin' | 'pgbouncerWorkers'>,
  clients: number,
): Pick<CellHooks, 'observeTls'> {
  const config = configs.find((c) => c.name === name);
  if (!config || config.kind === 'external' || !anyTls(configs)) return {};
  if (!observesTls(config)) {
    const plain = plainObservation(config);
    return { observeTls: () => ({ stop: async () => plain }) };
  }
  const admins = pgbouncerAdmins(path);
  return {
    observeTls: () =>
      startTlsObserver({
        config,
        role,
        postgres,
        intervalMs: tlsPollMs(clients),
        ...(admins.length > 0 ? { pgbouncerAdmins: admins } : {}),
      }),
  };
}
