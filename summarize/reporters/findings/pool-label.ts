import type { MatrixInfo } from '../../model/matrix-info.js';

type ConfigInfo = MatrixInfo['configs'][number];

/**
 * The pool part of a config's Setup line: `pool 6` for one shared pool; for a pool per group or a
 * PgBouncer per group the groups' own pools (their even share or their `pool_size:`), since the
 * config's default_pool_size is then not what any group ran through. `ownPoolUsed`: the matrix
 * has workloads without a mix, which still run through the config's own pool.
 */
export function poolLabel(c: ConfigInfo, ownPoolUsed: boolean): string | undefined {
  const t = c.groupPools;
  if (!t || t.pools.length === 0) return c.poolSize ? `pool ${c.poolSize}` : undefined;
  const sizes = new Set(t.pools.map((p) => p.poolSize));
  const names = t.pools.map((p) => p.group).join(', ');
  const where = t.topology === 'pgbouncer_per_group' ? 'a PgBouncer per group' : 'a pool per group';
  const groups =
    sizes.size === 1
      ? `${where}, each a pool of ${[...sizes][0]}: ${names}`
      : `${where}: ${t.pools.map((p) => `${p.group} ${p.poolSize}`).join(', ')}`;
  return ownPoolUsed && c.poolSize ? `${groups}; pool ${c.poolSize} for workloads without a mix` : groups;
}
