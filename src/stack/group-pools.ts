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
 * first), each of size default_pool_size split evenly over its mix's groups (floor, at least 1), so
 * the groups together hold no more server connections than the shared pool they are compared with.
 * Empty without the topology's flag (`pool_per_group` by default). Pure.
 */
export function groupPools(
  spec: Pick<MatrixSpec, 'workloads'>,
  hop: PgbouncerHop,
  defaultDb: string,
  topology: 'pool_per_group' | 'pgbouncer_per_group' = 'pool_per_group',
): GroupPool[] {
  if (!hop[topology]) return [];
  const pools = new Map<string, GroupPool>();
  for (const w of spec.workloads) {
    const mix = typeof w === 'string' ? undefined : w.mix;
    if (!mix) continue;
    const poolSize = Math.max(1, Math.floor(hop.default_pool_size / mix.length));
    for (const g of mix) {
      if (pools.has(g.name)) continue;
      const dbname = g.database ?? defaultDb;
      pools.set(g.name, { group: g.name, alias: `${dbname}__${g.name}`, dbname, poolSize });
    }
  }
  return [...pools.values()];
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
