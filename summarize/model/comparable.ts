import { fmtInt, fmtTps } from './format.js';
import type { Row } from './row.js';

/**
 * Why two configs' rows at the same place (workload, concurrency, group) are not a pooler
 * comparison, or undefined when they are: they ran different clients (a config holding a share of
 * the matrix's tenants runs fewer `tenant: each` copies, docs/tenants.md "Many pools") or offered
 * different rates. Their TPS ratio would then measure the load, not the path. Pure.
 */
export function notComparable(a: Row, b: Row): string | undefined {
  if (a.groupClients !== undefined && b.groupClients !== undefined && a.groupClients !== b.groupClients)
    return `different clients (${fmtInt(a.groupClients)} vs ${fmtInt(b.groupClients)})`;
  const ra = a.load?.offeredTps;
  const rb = b.load?.offeredTps;
  if (ra !== undefined && rb !== undefined && ra !== rb)
    return `different offered rates (${fmtTps(ra)} vs ${fmtTps(rb)} tps)`;
  return undefined;
}
