import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Matrix } from './load.js';
import type { ConfigSpec } from './schema.js';

/**
 * Which PostgreSQL server each config runs against. A config may name its own (`images: { postgres }`
 * on the container provider, `binaries: { postgres: <bin dir> }` on the native one); configs that
 * name the same one, or none (the run's server), share a server. Each server is its own stack: its
 * own data directory or container, its own port, its own roles and pgbench data.
 */
export interface ServerGroup {
  /** The image or binary directory the configs named; undefined: the run's server. */
  named?: string;
  /** Configs on this server, in matrix order. */
  configs: string[];
}

type ServerProvider = 'native' | 'testcontainers' | 'external';

/**
 * One spelling per server: a binary directory resolved (`/x/bin/`, `/x/bin` and a symlink to it
 * are one directory; realpath where it exists), an image as written.
 */
export function serverKey(named: string, provider: ServerProvider): string {
  if (provider !== 'native') return named;
  const resolved = path.resolve(named);
  try {
    return realpathSync(resolved);
  } catch {
    return resolved;
  }
}

/**
 * The server a config names on this provider (an image or a binary directory), if any; naming the
 * run's own server (`runDefault`: its image or binary directory) is no server of its own.
 */
export function namedServer(
  c: ConfigSpec,
  provider: ServerProvider,
  runDefault?: string,
): string | undefined {
  if (c.kind === 'external') return undefined;
  const raw = provider === 'native' ? c.binaries?.postgres : c.images?.postgres;
  if (raw === undefined) return undefined;
  const key = serverKey(raw, provider);
  return runDefault !== undefined && key === serverKey(runDefault, provider) ? undefined : key;
}

/** The servers of a run, the run's own first (when any config uses it), then in order of first mention. */
export function serverGroups(
  configs: readonly ConfigSpec[],
  provider: ServerProvider,
  runDefault?: string,
): ServerGroup[] {
  const byKey = new Map<string, ServerGroup>();
  const shared: ServerGroup = { configs: [] };
  for (const c of configs) {
    const named = namedServer(c, provider, runDefault);
    if (named === undefined) {
      shared.configs.push(c.name);
      continue;
    }
    const g = byKey.get(named) ?? { named, configs: [] };
    g.configs.push(c.name);
    byKey.set(named, g);
  }
  return [...(shared.configs.length > 0 ? [shared] : []), ...byKey.values()];
}

/**
 * The matrix one server's stack starts from: only that server's configs. With one server it is
 * the matrix itself.
 */
export function serverMatrix(m: Matrix, g: ServerGroup): Matrix {
  const keep = new Set(g.configs);
  return { ...m, spec: { ...m.spec, configs: m.spec.configs.filter((c) => keep.has(c.name)) } };
}

/**
 * What several servers in one run cannot do, refused before anything starts: one fixed
 * `postgres.port` cannot be every server's, and cost cells count one server's configs only.
 */
export function checkServers(m: Matrix, provider: ServerProvider, runDefault?: string): void {
  const groups = serverGroups(m.spec.configs, provider, runDefault);
  if (groups.length < 2) return;
  const list = groups.map((g) => g.named ?? 'the run default').join(', ');
  if (m.spec.postgres.port !== undefined) {
    throw new ConfigurationError(
      `${m.file}: postgres.port: expected no fixed port when configs name different PostgreSQL servers (${list}): each server listens on its own port`,
    );
  }
  if (m.spec.cost) {
    throw new ConfigurationError(
      `${m.file}: cost: expected one PostgreSQL server for cost cells, the configs name ${groups.length} (${list})`,
    );
  }
}
