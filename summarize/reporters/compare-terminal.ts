import type { CompareResult } from '../compare/compare.js';
import { fmtTps, MISSING } from '../model/format.js';
import {
  type CompareRenderOptions,
  configText,
  detectableText,
  headline,
  methodText,
  neededText,
  noteLines,
  nText,
  pText,
  ratioText,
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
    t.push([
      g.verdict,
      configText(g),
      g.workload,
      String(g.concurrency),
      nText(r, g),
      fmtTps(g.tps.baseline),
      fmtTps(g.tps.candidate),
      ratioText(g.tps),
      pText(g.tps),
      detectableText(g.tps),
      neededText(g.tps),
      ratioText(g.p99),
      g.p99 ? g.p99.verdict : MISSING,
    ]);
  }
  const out = [
    `${o.candidateLabel} (candidate) against ${o.baselineLabel} (baseline): ${headline(r).replace(/\*\*/g, '')}`,
    `(${methodText(r)})`,
    t.toString(),
    ...noteLines(r, o).map((n) => `note: ${n}`),
  ];
  return `${out.join('\n')}\n`;
}
