import type { CellRecord, GroupRecord } from '../../../src/results/types.js';
import { fmtInt } from '../../model/format.js';
import { collapseCopies, tenantCopyOf } from '../../model/tenant-template.js';

/**
 * FINDINGS.md's Method bullets for a mix cell's groups: one per group with its pgbench argv, and one
 * per `tenant: each` template however many copies it ran as (1,000 bullets say nothing a reader
 * can take in): how many copies over how many databases and roles in each config, the first copy's
 * argv and the range of their log prefixes. Pure; `flagsOf` renders an argv without host and user.
 */
export function mixMethodLines(
  c: CellRecord,
  all: readonly CellRecord[],
  tenantGroups: readonly string[] | undefined,
  flagsOf: (argv: readonly string[]) => string,
): string[] {
  const at = `at concurrency ${c.concurrency}, a factor on the group's clients and rate; all groups start together`;
  const clients = (n: number, each = '') => `${n} client${n === 1 ? '' : 's'}${each}`;
  const { groups, copies } = collapseCopies(c.groups ?? [], tenantGroups);
  return groups.map((g) => {
    const parts = copies.get(g.name);
    if (!parts)
      return `- \`${c.workload}\` group \`${g.name}\`: \`${flagsOf(g.argv)}\` (${clients(g.clients)} ${at}).`;
    const first = parts[0] as GroupRecord;
    const last = parts[parts.length - 1] as GroupRecord;
    const prefixes =
      parts.length > 1
        ? `log prefixes \`${first.logPrefix}\` … \`${last.logPrefix}\``
        : `log prefix \`${first.logPrefix}\``;
    return `- \`${c.workload}\` group \`${g.name}\` (\`tenant: each\`): one copy \`${g.name}-t<i>r<j>\` per (database, role) pair, ${copyCounts(g.name, c.workload, all, tenantGroups)}; the first copy's argv \`${flagsOf(first.argv)}\` (${prefixes}; ${clients(first.clients, ' each')} ${at}).`;
  });
}

/** `1,000 copies over 100 databases × 10 roles in pools-1000, 100 over 100 × 1 in pools-100`. */
function copyCounts(
  template: string,
  workload: string,
  all: readonly CellRecord[],
  tenantGroups: readonly string[] | undefined,
): string {
  const byConfig = new Map<string, { n: number; d: Set<number>; r: Set<number> }>();
  for (const c of all) {
    if (c.workload !== workload || byConfig.has(c.config)) continue;
    const mine = (c.groups ?? []).flatMap((g) => {
      const t = tenantCopyOf(g.name, tenantGroups);
      return t?.template === template ? [t] : [];
    });
    if (mine.length === 0) continue;
    byConfig.set(c.config, {
      n: mine.length,
      d: new Set(mine.map((t) => t.database)),
      r: new Set(mine.map((t) => t.role)),
    });
  }
  return [...byConfig.entries()]
    .map(([config, x], i) =>
      i === 0
        ? `${fmtInt(x.n)} copies over ${fmtInt(x.d.size)} databases × ${fmtInt(x.r.size)} roles in ${config}`
        : `${fmtInt(x.n)} over ${fmtInt(x.d.size)} × ${fmtInt(x.r.size)} in ${config}`,
    )
    .join(', ');
}
