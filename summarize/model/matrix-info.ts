import type { ConfigTopology } from '../../src/results/types.js';

/**
 * What summarize needs from run.json's `effective` matrix, read defensively: `effective` is typed
 * `Record<string, unknown>` in the results contract because it is the validated matrix of whatever
 * bench version wrote it.
 */
export interface MatrixInfo {
  name?: string;
  configs: {
    name: string;
    kind?: string;
    poolMode?: string;
    poolSize?: number;
    /** A pool per group or a PgBouncer per group: each group's own pool (run.json `topologies`). */
    groupPools?: ConfigTopology;
    tls?: string;
  }[];
  /**
   * `groups`: a mix's client group names, in the matrix's order (docs/tenants.md); `tenantGroups`:
   * those with `tenant: each`, each run as one copy per (database, role) pair.
   */
  workloads: { name: string; reconnect?: boolean; groups?: string[]; tenantGroups?: string[] }[];
  concurrency: number[];
  reps?: number;
  baseline?: string;
  /** The comparisons the matrix exists for, [candidate, reference] config names (`compare:`). */
  compare?: [string, string][];
  durationMs?: number;
  warmupMs?: number;
  settleMs?: number;
  sampleIntervalMs?: number;
  scale?: number;
  protocol?: string;
  /** Client authentication (scram-sha-256 or trust), to PostgreSQL and PgBouncer alike. */
  auth?: string;
  threads?: number | string;
}

const RECONNECT_BUILTINS = new Set(['readonly-short', 'tpcb-short']);

function rec(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** `TLS client require, server verify-full` for a config's tls (sides that are off are left out). */
function tlsLabel(t: Record<string, unknown> | undefined): string | undefined {
  const on = (['client', 'server'] as const).filter((k) => str(t?.[k]) !== undefined && t?.[k] !== 'disable');
  return on.length === 0 ? undefined : `TLS ${on.map((k) => `${k} ${str(t?.[k])}`).join(', ')}`;
}

export function matrixInfo(
  effective: Record<string, unknown> | undefined,
  topologies?: Readonly<Record<string, ConfigTopology>>,
): MatrixInfo {
  const e = effective ?? {};
  const configs = (Array.isArray(e.configs) ? e.configs : []).flatMap((c) => {
    const r = rec(c);
    const name = str(r?.name);
    if (!r || name === undefined) return [];
    const hop = r.kind === 'proxy' ? rec(r.via_pgbouncer) : r;
    return [
      prune({
        name,
        kind: str(r.kind),
        poolMode: r.kind === 'direct' ? undefined : str(hop?.pool_mode),
        poolSize: r.kind === 'direct' ? undefined : num(hop?.default_pool_size),
        groupPools: topologyOf(topologies?.[name]),
        tls: tlsLabel(rec(r.tls)),
      }),
    ];
  });
  const workloads = (Array.isArray(e.workloads) ? e.workloads : []).flatMap((w): MatrixInfo['workloads'] => {
    if (typeof w === 'string') return [{ name: w, reconnect: RECONNECT_BUILTINS.has(w) }];
    const r = rec(w);
    const name = str(r?.name);
    if (!r || name === undefined) return [];
    const builtin = str(r.builtin);
    const reconnect =
      typeof r.reconnect === 'boolean'
        ? r.reconnect
        : builtin !== undefined
          ? RECONNECT_BUILTINS.has(builtin)
          : undefined;
    const groups = Array.isArray(r.mix) ? r.mix.flatMap((g) => str(rec(g)?.name) ?? []) : undefined;
    const each = Array.isArray(r.mix)
      ? r.mix.flatMap((g) => (rec(g)?.tenant === 'each' ? (str(rec(g)?.name) ?? []) : []))
      : [];
    return [prune({ name, reconnect, groups, tenantGroups: each.length > 0 ? each : undefined })];
  });
  const concurrency = (Array.isArray(e.concurrency) ? e.concurrency : []).filter(
    (n): n is number => typeof n === 'number',
  );
  const threads = typeof e.threads === 'number' || typeof e.threads === 'string' ? e.threads : undefined;
  return prune({
    name: str(e.name),
    configs,
    workloads,
    concurrency,
    reps: num(e.reps),
    baseline: str(e.baseline),
    compare: pairsOf(e.compare),
    durationMs: num(e.duration),
    warmupMs: num(e.warmup),
    settleMs: num(e.settle),
    sampleIntervalMs: num(e.sample_interval),
    scale: num(e.scale),
    protocol: str(e.protocol),
    auth: str(e.auth),
    threads,
  });
}

/** run.json's `topologies[config]` as a bench that writes it does; anything else is left out. */
function topologyOf(v: unknown): ConfigTopology | undefined {
  const r = rec(v);
  const topology = r?.topology;
  if (topology !== 'pool_per_group' && topology !== 'pgbouncer_per_group') return undefined;
  const pools = (Array.isArray(r?.pools) ? r.pools : []).flatMap((p) => {
    const q = rec(p);
    const group = str(q?.group);
    const poolSize = num(q?.poolSize);
    return group === undefined || poolSize === undefined
      ? []
      : [{ group, database: str(q?.database) ?? '', poolSize }];
  });
  return pools.length > 0 ? { topology, pools } : undefined;
}

/** `compare:` as written by a bench that has it: pairs of names; anything else is left out. */
function pairsOf(v: unknown): [string, string][] | undefined {
  if (!Array.isArray(v)) return undefined;
  const pairs = v.filter(
    (p): p is [string, string] =>
      Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
  );
  return pairs.length > 0 ? pairs : undefined;
}

function prune<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
