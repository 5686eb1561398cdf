import { notComparable } from '../model/comparable.js';
import { pairKey, type Row } from '../model/row.js';

/**
 * The row of `config` at r's place: the same workload, concurrency and group. A mix's group row
 * pairs only with the same group under the other config, and a total (no group) only with a total,
 * never a group with the other config's total (docs/tenants.md); and none when the two ran
 * different clients or rates (model/comparable.ts): that is no comparison of the paths. Pure.
 */
export function rowAt(rows: readonly Row[], config: string | undefined, r: Row): Row | undefined {
  if (config === undefined) return undefined;
  const k = pairKey(r);
  const b = rows.find((x) => x.config === config && pairKey(x) === k);
  return b && notComparable(r, b) === undefined ? b : undefined;
}

/** A mix's total row's group rows (same config, workload and concurrency); none for any other row. */
export function groupRowsOf(rows: readonly Row[], total: Row): Row[] {
  if (total.group !== undefined) return [];
  return rows.filter(
    (g) =>
      g.group !== undefined &&
      g.config === total.config &&
      g.workload === total.workload &&
      g.concurrency === total.concurrency,
  );
}
