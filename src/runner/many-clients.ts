import { readFileSync } from 'node:fs';
import type { MatrixSpec } from '../matrix/schema.js';
import type { ClientLimits } from '../stack/limits.js';
import { FD_MARGIN, parseNofile } from '../stack/limits.js';
import { pgbouncerSizing, postgresSizing } from '../stack/sizing.js';
import type { Component, ProviderName } from '../stack/types.js';
import type { LimitContext } from './limit-failure.js';

/** What a cell with `clients` clients meets: the limits a failure would be explained by. */
export function limitContext(
  spec: MatrixSpec,
  config: string,
  clients: number,
  maxConnections: number | undefined,
  limits: ClientLimits,
): LimitContext {
  const bouncer = pgbouncerSizing(spec, config);
  return {
    clients,
    // An external server's max_connections is its own (the run did not size it): unknown, and said so.
    ...(maxConnections === undefined ? { external: true } : { maxConnections }),
    ...(bouncer ? { maxClientConn: bouncer.maxClientConn } : {}),
    ...(limits.ephemeralPorts ? { ephemeralPorts: limits.ephemeralPorts.usable } : {}),
    ...(limits.nofile ? { nofile: limits.nofile.soft } : {}),
  };
}

/** A component's open-file limit; `workers`: how many PgBouncer processes of its config share the clients. */
export interface ComponentNofile {
  name: string;
  soft: number;
  workers?: number;
}

/**
 * The soft open-file limit of each component's main process (host PIDs; containers' too), each
 * named apart (`pgbouncer:<config>/worker-<i>` for a worker of a `workers: N` PgBouncer).
 */
export function componentNofile(
  components: readonly Component[],
  read: (f: string) => string = (f) => readFileSync(f, 'utf8'),
): ComponentNofile[] {
  const out: ComponentNofile[] = [];
  for (const c of components) {
    if (c.pid === undefined || c.pid <= 0) continue;
    const workers = components.filter(
      (x) => x.role === 'pgbouncer' && c.role === 'pgbouncer' && x.config === c.config,
    ).length;
    try {
      const n = parseNofile(read(`/proc/${c.pid}/limits`));
      if (n)
        out.push({
          name: `${c.role}${c.config ? `:${c.config}` : ''}${c.name ? `/${c.name}` : ''}`,
          soft: n.soft,
          ...(workers > 1 ? { workers } : {}),
        });
    } catch {
      // exited, or not ours to read
    }
  }
  return out;
}

/**
 * so_reuseport hashes each new connection to one of the workers' sockets: the shares are uneven
 * (binomial around clients/N, and a stopped or slow worker's share goes to the others), so each
 * worker is asked for half as much again as its even share. Never more than all the clients.
 */
export const WORKER_SHARE_SLACK = 1.5;

/** The files a client holder needs: every client, or a worker's uneven share of them, plus FD_MARGIN. */
export function filesNeeded(clients: number, workers = 1): number {
  const held =
    workers > 1 ? Math.min(clients, Math.ceil(Math.ceil(clients / workers) * WORKER_SHARE_SLACK)) : clients;
  return held + FD_MARGIN;
}

/**
 * A pooler or proxy that holds the client sockets needs an open file per client it holds. One that
 * cannot (its soft limit below filesNeeded) does not refuse clients: it stops accepting them
 * ("accept() failed: Too many open files") and pgbench waits for ever, so the cell is refused
 * before it starts, with the limit in the reason. PostgreSQL is not checked: each backend is its
 * own process.
 */
export function clientHolderShort(clients: number, nofile: readonly ComponentNofile[]): string | undefined {
  const short = nofile.filter(
    (n) => !n.name.startsWith('postgres') && n.soft < filesNeeded(clients, n.workers),
  );
  if (short.length === 0) return undefined;
  return short
    .map((n) => {
      const need = filesNeeded(clients, n.workers);
      const who = n.workers
        ? `its share of ${clients} clients over ${n.workers} workers needs`
        : `${clients} clients need`;
      return `${n.name} may open ${n.soft} files and ${who} ${need}: raise its open-file limit (ulimit -n before bench, LimitNOFILE, or the container's nofile ulimit)`;
    })
    .join('; ');
}

/** Before a cell: the limits it meets, the components' open-file limits (a `prepared` line), and a refusal. */
export function cellLimitGuard(
  spec: MatrixSpec,
  cell: { config: string; concurrency: number },
  components: readonly Component[],
  limits: ClientLimits,
  hostMemoryBytes: number,
  provider: ProviderName = 'native',
): { context: LimitContext; line?: string; refuse?: string } {
  // An external server's max_connections is its own: the run did not size it.
  const maxConnections =
    provider === 'external' ? undefined : postgresSizing(spec, hostMemoryBytes).maxConnections;
  const context = limitContext(spec, cell.config, cell.concurrency, maxConnections, limits);
  const files = componentNofile(components);
  const refuse = clientHolderShort(cell.concurrency, files);
  return {
    context,
    ...(files.length > 0
      ? { line: `open-file limit: ${files.map((f) => `${f.name} ${f.soft}`).join(', ')}` }
      : {}),
    ...(refuse ? { refuse } : {}),
  };
}
