import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Matrix } from '../matrix/load.js';
import { type ServerGroup, serverGroups, serverMatrix } from '../matrix/servers.js';
import type { Provider, Stack, StartOptions } from '../stack/types.js';

/**
 * The PostgreSQL servers of a run (src/matrix/servers.ts): normally one, shared by every config;
 * one per distinct image or binary directory the configs name. Every server stays up for the whole
 * run (docs/versions.md says why): the per-rep shuffle and paired reps then cost no server start,
 * and one path up at a time still holds across servers (the runner stops the previous config's
 * pooler, on whichever server, before the next starts).
 */
export interface Server extends ServerGroup {
  stack: Stack;
}

export interface Servers {
  list: Server[];
  /** Scratch directories of the servers (the first is the run's workdir). */
  dirs: string[];
}

/** The server a config runs against. */
export function serverOf(servers: readonly Server[], config: string): Server {
  const s = servers.find((x) => x.configs.includes(config));
  if (!s) throw new Error(`internal: config ${config} has no PostgreSQL server`);
  return s;
}

/**
 * Starts each server's stack in turn (only its configs), each in its own scratch directory, and
 * `ready` after each (data loaded there, run.json updated). Every started one is in `out` at once,
 * so the caller stops it whatever fails later.
 */
export async function startServers(
  a: { matrix: Matrix; provider: Provider; workdir: string; runId: string },
  opts: Omit<StartOptions, 'matrix' | 'workdir' | 'runId'>,
  out: Servers,
  ready: (s: Server, workdir: string) => Promise<void>,
): Promise<void> {
  const groups = serverGroups(a.matrix.spec.configs, a.provider.name, a.provider.defaultServer?.(a.matrix));
  for (const [i, g] of groups.entries()) {
    const workdir = i === 0 ? a.workdir : mkdtempSync(path.join(os.tmpdir(), `bench-${a.runId}-s${i + 1}-`));
    if (i > 0) out.dirs.push(workdir);
    const m = groups.length === 1 ? a.matrix : serverMatrix(a.matrix, g);
    if (groups.length > 1)
      opts.log(`PostgreSQL server ${i + 1} of ${groups.length} (${label(g)}): ${g.configs.join(', ')}`);
    const stack = await a.provider.start({ ...opts, matrix: m, runId: a.runId, workdir });
    const server: Server = { ...g, stack };
    out.list.push(server);
    await ready(server, workdir);
  }
}

/**
 * Stops every server, the last started first, even when one fails to stop, removes their extra
 * scratch directories whatever happened, then throws the first failure (all of them named).
 */
export async function stopServers(s: Servers): Promise<void> {
  const errors: unknown[] = [];
  for (const x of [...s.list].reverse()) await x.stack.stop().catch((e: unknown) => errors.push(e));
  for (const d of s.dirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch (e) {
      errors.push(e);
    }
  }
  const [first] = errors;
  if (errors.length === 1) throw first;
  if (errors.length > 1) {
    throw new AggregateError(
      errors,
      `stopping the PostgreSQL servers: ${errors.map((e) => (e as Error).message ?? String(e)).join('; ')}`,
    );
  }
}

function label(g: ServerGroup): string {
  return g.named ?? "the run's default";
}

/**
 * run.json's versions. One server: its stack's. Several: each key every server agrees on once, a
 * key they differ on with each distinct value (`15.14, 17.12`), and each config's PostgreSQL as
 * `postgres:<config>` (like `pgbouncer:<config>` for a config's own PgBouncer).
 */
export function serverVersions(
  servers: ReadonlyArray<{ configs: readonly string[]; versions: Readonly<Record<string, string>> }>,
): Record<string, string> {
  const [only] = servers;
  if (servers.length === 1 && only) return { ...only.versions };
  const values = new Map<string, string[]>();
  const out: Record<string, string> = {};
  for (const s of servers) {
    for (const [k, v] of Object.entries(s.versions)) {
      const seen = values.get(k) ?? [];
      if (!seen.includes(v)) seen.push(v);
      values.set(k, seen);
      if (k === 'postgres') for (const c of s.configs) out[`postgres:${c}`] = v;
    }
  }
  for (const [k, vs] of values) out[k] = vs.join(', ');
  return out;
}

/**
 * run.json's `stack` for several servers: each server's configs, image or binaries, facts, and the
 * sizing of its own configs (`sizingOf`: what its `max_connections` was computed from).
 */
export function serversRecord(
  servers: readonly Server[],
  sizingOf: (s: Server) => unknown,
): Array<Record<string, unknown>> {
  return servers.map((s) => ({
    postgres: label(s),
    configs: s.configs,
    port: s.stack.postgres.port,
    version: s.stack.postgresComponent.version ?? 'unknown',
    ...s.stack.details,
    sizing: sizingOf(s),
  }));
}
