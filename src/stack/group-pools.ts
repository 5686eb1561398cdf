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
 * Empty without `pool_per_group`. Pure.
 */
export function groupPools(
  spec: Pick<MatrixSpec, 'workloads'>,
  hop: PgbouncerHop,
  defaultDb: string,
): GroupPool[] {
  if (!hop.pool_per_group) return [];
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

/** Group name -> the database name its clients connect to, for the config's path. */
export function groupDatabases(pools: readonly GroupPool[]): Record<string, string> {
  return Object.fromEntries(pools.map((p) => [p.group, p.alias]));
}
