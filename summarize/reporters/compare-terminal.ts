import type { CompareResult } from '../compare/compare.js';
import { MISSING } from '../model/format.js';
import { costCompareTerminal } from './compare-cost.js';
import {
  type CompareRenderOptions,
  groupTpsCells,
  headline,
  methodText,
  noteLines,
  ratioText,
  verdictText,
} from './compare-markdown.js';
import { denseTable } from './terminal-table.js';

/** The comparison for a terminal: one row per group, notes and unmatched groups below. */
export function compareTerminal(r: CompareResult, o: CompareRenderOptions): string {
  const t = denseTable([
    ['verdict', 'left'],
    ['config', 'left'],
    ['workload', 'left'],
    ['clients', 'right'],
    ['n', 'right'],
    ['TPS base', 'right'],
    ['TPS cand', 'right'],
    ['TPS ratio [CI]', 'right'],
    ['p', 'right'],
    ['detectable', 'right'],
    ['needed', 'right'],
    ['p99 ratio [CI]', 'right'],
    ['p99', 'left'],
  ]);
  for (const g of r.groups) {
    t.push([verdictText(g, true), ...groupTpsCells(r, g), ratioText(g.p99), g.p99 ? g.p99.verdict : MISSING]);
  }
  const out = [
    `${o.candidateLabel} (candidate) against ${o.baselineLabel} (baseline): ${headline(r).replace(/\*\*/g, '')}`,
    `(${methodText(r)})`,
    t.toString(),
    ...noteLines(r, o).map((n) => `note: ${n}`),
    ...(r.cost ? costCompareTerminal(r.cost) : []),
  ];
  return `${out.join('\n')}\n`;
}
