import { COST_DEFAULTS } from '../../compare/cost.js';
import type { CostRow } from '../../model/cost-rows.js';
import { isNum } from '../../model/format.js';
import type { NumberRef, Sentence } from '../../tldr/refs.js';
import { fmtPerTx, fmtSpread } from './format.js';

const exact = (r: CostRow, f: 'instructions_per_tx' | 'syscalls_per_tx', limitPct: number) => {
  const s = r.figures[f];
  return s && isNum(s.mean) && isNum(s.spreadPct) && s.spreadPct <= limitPct ? s : undefined;
};

/**
 * The one TL;DR sentence about cost, or none: the first cost row whose instructions per
 * transaction repeat within the cost threshold (syscalls added when they do too). A row whose
 * repeats disagree more, or that has one repeat, supports no sentence. Pointers into summary.json's
 * `cost.rows`.
 */
export function costSentence(
  rows: readonly CostRow[],
  thresholdPct = COST_DEFAULTS.threshold * 100,
): Sentence | undefined {
  const i = rows.findIndex((r) => exact(r, 'instructions_per_tx', thresholdPct));
  const r = rows[i];
  if (!r) return undefined;
  const ins = exact(r, 'instructions_per_tx', thresholdPct);
  if (!ins) return undefined;
  const at = (path: string, value: number, text: string): NumberRef => ({
    pointer: `/cost/rows/${i}/${path}`,
    value,
    text,
  });
  const numbers = [
    at('instructions_per_tx', ins.mean, fmtPerTx(ins.mean)),
    at('instructions_per_tx_spread_pct', ins.spreadPct, fmtSpread(ins.spreadPct)),
  ];
  const sys = exact(r, 'syscalls_per_tx', thresholdPct);
  if (sys)
    numbers.push(
      at('syscalls_per_tx', sys.mean, fmtPerTx(sys.mean)),
      at('syscalls_per_tx_spread_pct', sys.spreadPct, fmtSpread(sys.spreadPct)),
    );
  const per = r.reconnect ? 'transaction (and connection)' : 'transaction';
  const text =
    `Cost: ${r.component} of ${r.config} does ${numbers[0]?.text} user-space instructions per ${per} on ${r.workload} (repeats within ${numbers[1]?.text})` +
    (sys ? ` and ${numbers[2]?.text} syscalls (within ${numbers[3]?.text})` : '') +
    ', counted in fixed-count cost cells, not in the throughput cells.';
  return { kind: 'cost', text, numbers };
}
