import type { MatrixSpec, PgbouncerHop } from '../matrix/schema.js';

/** One client group's own PgBouncer pool: a [databases] entry of its own (docs/tenants.md, "Pool topologies"). */
export interface GroupPool {
  group: string;
  /** The [databases] name the group's clients connect to (`<database>__<group>`). */
  alias: string;
  /** The PostgreSQL database behind it. */
  dbname: string;
  /** The entry's pool_size. */
  poolSize: number;
}

/**
 * The pools of a `pool_per_group` config: one per group name over the matrix's mixes (first mix
 * first), each of the group's own `pool_size:` when a mix gives it one (the schema refuses two
 * sizes for one name), else default_pool_size split evenly over its first mix's groups (floor, at
 * least 1), so the groups together hold no more server connections than the shared pool they are
 * compared with. A `tenant: each` group has none: its copies use their pairs' pools, which are the
 * config's share of the tenants whatever the topology. Empty without the topology's flag
 * (`pool_per_group` by default). Pure.
 */
export function groupPools(
  spec: Pick<MatrixSpec, 'workloads'>,
  hop: PgbouncerHop,
  defaultDb: string,
  topology: 'pool_per_group' | 'pgbouncer_per_group' = 'pool_per_group',
): GroupPool[] {
  if (!hop[topology]) return [];
  // A `tenant: each` group's copies connect to their own (database, role) pairs' pools (the
  // config's share of the tenants): it has no group pool (or process), nor a part of the split.
  const mixes = spec.workloads.flatMap((w) =>
    typeof w === 'string' || !w.mix ? [] : [w.mix.filter((g) => g.tenant === undefined)],
  );
  const own = new Map<string, number>();
  for (const g of mixes.flat())
    if (g.pool_size !== undefined && !own.has(g.name)) own.set(g.name, g.pool_size);
  const pools = new Map<string, GroupPool>();
  for (const mix of mixes) {
    const share = Math.max(1, Math.floor(hop.default_pool_size / mix.length));
    for (const g of mix) {
      if (pools.has(g.name)) continue;
      const dbname = g.database ?? defaultDb;
      const poolSize = own.get(g.name) ?? share;
      pools.set(g.name, { group: g.name, alias: `${dbname}__${g.name}`, dbname, poolSize });
    }
  }
  return [...pools.values()];
}

/** The config's per-group topology, if any (the schema refuses both on one config). */
export function groupTopologyOf(
  hop: PgbouncerHop | undefined,
): 'pool_per_group' | 'pgbouncer_per_group' | undefined {
  if (hop?.pool_per_group) return 'pool_per_group';
  if (hop?.pgbouncer_per_group) return 'pgbouncer_per_group';
  return undefined;
}

/**
 * Server connections a config's group pools may hold besides its own pool: each group pool's size
 * plus the reserve (PgBouncer adds reserve_pool_size to every pool, and a group process is a
 * PgBouncer of its own), at most max_db_connections each (every group pool is a database entry, or
 * a process, of its own). Pure.
 */
export function groupServerConnections(spec: Pick<MatrixSpec, 'workloads'>, hop: PgbouncerHop): number {
  const topology = groupTopologyOf(hop);
  if (!topology) return 0;
  const cap = hop.max_db_connections ?? Number.POSITIVE_INFINITY;
  return groupPools(spec, hop, 'bench', topology).reduce(
    (a, p) => a + Math.min(cap, p.poolSize + (hop.reserve_pool_size ?? 0)),
    0,
  );
}

/** Where a group's clients connect instead of the config's endpoint: their own pool's database, or their own PgBouncer's port. */
export interface GroupTarget {
  database?: string;
  port?: number;
}

/** Group name -> its own pool's database name (`pool_per_group`), for the config's path. */
export function groupDatabases(pools: readonly GroupPool[]): Record<string, GroupTarget> {
  return Object.fromEntries(pools.map((p) => [p.group, { database: p.alias }]));
}

/** The hop of a group's own PgBouncer process (`pgbouncer_per_group`): its pool is the group's share. */
export function groupProcessHop(hop: PgbouncerHop, pool: GroupPool): PgbouncerHop {
  return { ...hop, default_pool_size: pool.poolSize, pgbouncer_per_group: false, pool_per_group: false };
}

/**
 * run.json's `topologies`: for each config with a per-group topology, each group's own pool
 * (src/results/types.ts ConfigTopology), so a report says the pools the groups ran through and not
 * the config's default_pool_size. Pure.
 */
export function topologiesRecord(
  spec: Pick<MatrixSpec, 'workloads' | 'configs'>,
  defaultDb: string,
): Record<string, { topology: 'pool_per_group' | 'pgbouncer_per_group'; pools: GroupPoolSize[] }> {
  const out: Record<string, { topology: 'pool_per_group' | 'pgbouncer_per_group'; pools: GroupPoolSize[] }> =
    {};
  for (const c of spec.configs) {
    const hop = c.kind === 'pgbouncer' ? c : undefined;
    const topology = groupTopologyOf(hop);
    if (!hop || !topology) continue;
    const pools = groupPools(spec, hop, defaultDb, topology);
    if (pools.length > 0)
      out[c.name] = {
        topology,
        pools: pools.map((p) => ({ group: p.group, database: p.dbname, poolSize: p.poolSize })),
      };
  }
  return out;
}

interface GroupPoolSize {
  group: string;
  database: string;
  poolSize: number;
}
