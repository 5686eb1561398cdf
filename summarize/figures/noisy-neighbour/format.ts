import { fmtRatio, isNum } from '../../model/format.js';
import type { PairedRatio } from '../../model/row.js';

/**
 * A p99 ratio: they span orders of magnitude (a starved pool against its own), so one below 0.1 keeps
 * two significant digits (0.0047, not 0.00, which reads as zero); others as every ratio.
 */
export function fmtP99Ratio(x: number | undefined): string {
  return isNum(x) && x > 0 && x < 0.1 ? x.toPrecision(2) : fmtRatio(x);
}

/** `1.23x [1.01, 1.50]`, or — without a paired interval. */
export function fmtPaired(p: PairedRatio | undefined): string {
  return p ? `${fmtP99Ratio(p.estimate)}x [${fmtP99Ratio(p.low)}, ${fmtP99Ratio(p.high)}]` : '—';
}
