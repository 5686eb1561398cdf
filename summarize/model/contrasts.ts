import { notComparable } from './comparable.js';
import { pairedRatioCi } from './paired-ratio.js';
import { type Contrast, pairKey, type Row } from './row.js';
import { ratio } from './stats.js';

/** r against b (same workload and concurrency, same clients and rate), paired rep by rep like vsBaseline. */
function contrast(r: Row, b: Row, declared: boolean): Contrast | undefined {
  if (b.tps.n === 0 || r.tps.n === 0 || notComparable(r, b) !== undefined) return undefined;
  const { ratio: tpsRatio, error } = ratio(r.tps.mean, r.tps.std, b.tps.mean, b.tps.std);
  const ci = pairedRatioCi(r, b);
  return {
    config: b.config,
    declared,
    tpsRatio,
    tpsRatioError: error,
    ...(ci ? { tpsRatioCi95: ci } : {}),
    ...(r.latency && b.latency && b.latency.p99Ms > 0 ? { p99Ratio: r.latency.p99Ms / b.latency.p99Ms } : {}),
  };
}

/**
 * The comparisons between configs other than the baseline, on their candidate rows: the matrix's
 * `compare:` pairs at every workload and concurrency both configs ran, or without such a list every
 * pair of non-baseline configs once (the candidate is the faster one).
 */
export function attachContrasts(
  rows: readonly Row[],
  baseline: string | undefined,
  pairs: readonly [string, string][] | undefined,
): void {
  const at = new Map(rows.map((r) => [`${r.config}\u0000${pairKey(r)}`, r]));
  const find = (config: string, like: Row) => at.get(`${config}\u0000${pairKey(like)}`);
  const add = (r: Row, c: Contrast | undefined) => {
    if (c) r.contrasts = [...(r.contrasts ?? []), c];
  };
  if (pairs && pairs.length > 0) {
    for (const [cand, ref] of pairs)
      for (const r of rows.filter((x) => x.config === cand)) {
        const b = find(ref, r);
        if (b) add(r, contrast(r, b, true));
      }
    return;
  }
  const others = rows.filter((r) => r.config !== baseline && r.tps.n > 0);
  for (const [i, a] of others.entries())
    for (const b of others.slice(i + 1)) {
      if (pairKey(a) !== pairKey(b) || a.config === b.config) continue;
      const [hi, lo] = a.tps.mean >= b.tps.mean ? [a, b] : [b, a];
      add(hi, contrast(hi, lo, false));
    }
}
