import { readFileSync } from 'node:fs';
import type { MatrixSpec } from '../matrix/schema.js';
import type { ClientLimits } from '../stack/limits.js';
import { FD_MARGIN, parseNofile } from '../stack/limits.js';
import { pgbouncerSizing, postgresSizing } from '../stack/sizing.js';
import type { Component } from '../stack/types.js';
import type { LimitContext } from './limit-failure.js';

/** What a cell with `clients` clients meets: the limits a failure would be explained by. */
export function limitContext(
  spec: MatrixSpec,
  config: string,
  clients: number,
  maxConnections: number,
  limits: ClientLimits,
): LimitContext {
  const bouncer = pgbouncerSizing(spec, config);
  return {
    clients,
    maxConnections,
    ...(bouncer ? { maxClientConn: bouncer.maxClientConn } : {}),
    ...(limits.ephemeralPorts ? { ephemeralPorts: limits.ephemeralPorts.usable } : {}),
    ...(limits.nofile ? { nofile: limits.nofile.soft } : {}),
  };
}

/** The soft open-file limit of each component's main process (host PIDs; containers' too). */
export function componentNofile(
  components: readonly Component[],
  read: (f: string) => string = (f) => readFileSync(f, 'utf8'),
): Array<{ name: string; soft: number }> {
  const out: Array<{ name: string; soft: number }> = [];
  for (const c of components) {
    if (c.pid === undefined || c.pid <= 0) continue;
    try {
      const n = parseNofile(read(`/proc/${c.pid}/limits`));
      if (n) out.push({ name: `${c.role}${c.config ? `:${c.config}` : ''}`, soft: n.soft });
    } catch {
      // exited, or not ours to read
    }
  }
  return out;
}

/**
 * A pooler or proxy that holds every client socket needs an open file per client. One that cannot
 * (its soft limit below clients + FD_MARGIN) does not refuse clients: it stops accepting them
 * ("accept() failed: Too many open files") and pgbench waits for ever, so the cell is refused
 * before it starts, with the limit in the reason. PostgreSQL is not checked: each backend is its
 * own process.
 */
export function clientHolderShort(
  clients: number,
  nofile: ReadonlyArray<{ name: string; soft: number }>,
): string | undefined {
  const short = nofile.filter((n) => !n.name.startsWith('postgres') && n.soft < clients + FD_MARGIN);
  if (short.length === 0) return undefined;
  return short
    .map(
      (n) =>
        `${n.name} may open ${n.soft} files and ${clients} clients need ${clients + FD_MARGIN}: raise its open-file limit (ulimit -n before bench, LimitNOFILE, or the container's nofile ulimit)`,
    )
    .join('; ');
}

/** Before a cell: the limits it meets, the components' open-file limits (a `prepared` line), and a refusal. */
export function cellLimitGuard(
  spec: MatrixSpec,
  cell: { config: string; concurrency: number },
  components: readonly Component[],
  limits: ClientLimits,
  hostMemoryBytes: number,
): { context: LimitContext; line?: string; refuse?: string } {
  const maxConnections = postgresSizing(spec, hostMemoryBytes).maxConnections;
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
