import type { Row } from './row.js';
import { pairedTTest } from './stats.js';

/** The paired 95% interval of a row's TPS ratio to its baseline row (BaselineComparison.tpsRatioCi95). */
export function pairedRatioCi(r: Row, b: Row): { low: number; high: number; pairs: number } | undefined {
  const base = new Map(b.samples.filter((s) => s.tps > 0).map((s) => [s.rep, s.tps]));
  const d = r.samples.flatMap((s) => {
    const bt = base.get(s.rep);
    return s.tps > 0 && bt !== undefined ? [Math.log(s.tps / bt)] : [];
  });
  if (d.length < 2) return undefined;
  const t = pairedTTest(d);
  return { low: Math.exp(t.low), high: Math.exp(t.high), pairs: d.length };
}
