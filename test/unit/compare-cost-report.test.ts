import { describe, expect, it } from 'vitest';
import type { CompareResult } from '../../summarize/compare/compare.js';
import { compareCost } from '../../summarize/compare/cost.js';
import { compareExit } from '../../summarize/compare/exit.js';
import { buildCostRows } from '../../summarize/model/cost-rows.js';
import { compareJson } from '../../summarize/reporters/compare-json.js';
import { compareMarkdown } from '../../summarize/reporters/compare-markdown.js';
import { compareTerminal } from '../../summarize/reporters/compare-terminal.js';
import { costConfig } from '../helpers/cost-records.js';

const fns = (extra: number) => [{ fn: 'relay_loop', perTx: 300 + extra }];
const a = buildCostRows(costConfig({ config: 'A', instructionsPerTx: 321, functions: fns(0) }));
const a2 = buildCostRows(costConfig({ config: 'A2', instructionsPerTx: 321, functions: fns(0) }));
const b = buildCostRows(costConfig({ config: 'B', instructionsPerTx: 325, functions: fns(4) }));
const noisy = buildCostRows(costConfig({ config: 'N', instructionsPerTx: 321, jitter: [0, 0.02, -0.02] }));

function result(cost: CompareResult['cost'], over: Partial<CompareResult> = {}): CompareResult {
  return {
    mode: 'paired',
    groups: [],
    unmatched: [],
    regressions: 0,
    inconclusive: 0,
    threshold: 0.05,
    alpha: 0.05,
    power: 0.8,
    ...(cost ? { cost } : {}),
    ...over,
  };
}
const labels = { baselineLabel: 'A (run)', candidateLabel: 'B (run)' };

describe('compareExit', () => {
  it('exits 0 on an A/A pair of cost rows', () => {
    expect(compareExit(result(compareCost(a, a2)), false)).toEqual({ exitCode: 0, messages: [] });
  });
  it('exits 1 on a cost regression and says the cost verdict set it', () => {
    const e = compareExit(result(compareCost(a, b)), true);
    expect(e.exitCode).toBe(1);
    expect(e.messages.at(-1)).toBe('exit 1, set by the cost verdict (regression)');
  });
  it('exits 1 on an inconclusive cost figure unless allowed', () => {
    const r = result(compareCost(a, noisy));
    expect(compareExit(r, false).messages.at(-1)).toBe('exit 1, set by the cost verdict (inconclusive)');
    expect(compareExit(r, true).exitCode).toBe(0);
  });
  it('names both verdicts when both set the exit code', () => {
    const e = compareExit(result(compareCost(a, b), { regressions: 1 }), false);
    expect(e.messages.at(-1)).toBe(
      'exit 1, set by the TPS verdict (regression) and the cost verdict (regression)',
    );
  });
});

describe('compare reporters with cost', () => {
  const r = result(compareCost(a, b));
  it('puts the cost verdict, figures and changed functions in the markdown', () => {
    const md = compareMarkdown(r, labels);
    expect(md).toContain('no throughput cells to compare: no TPS verdict');
    expect(md).toContain('**1 cost regression**');
    expect(md).toMatch(
      /\| 🔴 slower \| B vs A \| readonly \| proxy \| instructions \/ tx \(valgrind\) \| 321\.0 \| 325\.0 \| \+4\.000 \| \+1\.25% \|/,
    );
    expect(md).toMatch(/\| `relay_loop` \| – \| 300\.0 \| 304\.0 \| \+4\.000 \|/);
    expect(md).toMatch(/context switches \/ tx \(perf\)/);
  });
  it('puts them in the terminal and compare.json', () => {
    expect(compareTerminal(r, labels)).toMatch(/cost: 1 cost regression/);
    const j = JSON.parse(compareJson(r, labels)) as CompareResult;
    expect(j.cost?.groups[0]?.figures[0]?.verdict).toBe('slower');
    expect(j.cost?.groups[0]?.functions[0]?.fn).toBe('relay_loop');
  });
});
