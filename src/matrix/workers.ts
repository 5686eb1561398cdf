import { z } from 'zod';

/**
 * `workers: N` on a pgbouncer config: N PgBouncer processes sharing one TCP port with
 * so_reuseport (the kernel spreads new connections over them). A list (`workers: [1, 2, 4]`) is an
 * axis: the config is expanded into one config per value, named `<name>-w<N>`, so cell ids,
 * isolation (one role per config), the per-rep shuffle and the paired compare work unchanged.
 */
export const MAX_WORKERS = 64;

const workerCount = z.number().int().min(1).max(MAX_WORKERS);

export const workersSchema = z
  .union([workerCount, z.array(workerCount).min(1, 'a non-empty list')], {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `a number of PgBouncer processes (1-${MAX_WORKERS}) or a list of them, e.g. [1, 2, 4]`
        : undefined,
  })
  // Optional rather than defaulted: absent means one process, and configs built in code stay valid.
  .optional();

/** The name of one expansion of a config whose `workers` is a list. */
export function workerConfigName(base: string, workers: number): string {
  return `${base}-w${workers}`;
}

interface Expandable {
  name: string;
  kind: string;
  workers?: number | number[];
}

/**
 * Configs with a `workers` list become one config per value (`<name>-w<N>`, `workers: N`), in the
 * list's order, where the list was; every other config stays as it is. Pure.
 * `expandedFrom` maps each new name to its base name (for events and --configs).
 */
export function expandWorkers<C extends Expandable>(
  configs: readonly C[],
): { configs: Array<C & { workers?: number }>; expandedFrom: Map<string, string> } {
  const out: Array<C & { workers?: number }> = [];
  const expandedFrom = new Map<string, string>();
  for (const c of configs) {
    if (!Array.isArray(c.workers)) {
      out.push(c as C & { workers?: number });
      continue;
    }
    for (const n of c.workers) {
      const name = workerConfigName(c.name, n);
      expandedFrom.set(name, c.name);
      out.push({ ...c, name, workers: n });
    }
  }
  return { configs: out, expandedFrom };
}

/** Issues of a workers list: repeated values would make two configs of one name. */
export function workersListIssues(workers: number | number[]): string | undefined {
  if (!Array.isArray(workers)) return undefined;
  const dup = workers.find((n, i) => workers.indexOf(n) !== i);
  return dup === undefined ? undefined : `unique worker counts (${dup} repeats)`;
}

/** PgBouncer processes in a config's path once expanded: `workers`, 1 behind a proxy, 0 without one. */
export function workersOf(c: { kind: string; workers?: number | number[]; via_pgbouncer?: unknown }): number {
  if (c.kind === 'pgbouncer') return Array.isArray(c.workers) ? (c.workers[0] ?? 1) : (c.workers ?? 1);
  return c.kind === 'proxy' && c.via_pgbouncer !== undefined ? 1 : 0;
}
