import type { CompareResult } from '../compare.js';
import { fmtMs, fmtTps } from '../format.js';
import { type CompareRenderOptions, headline, pText, ratioText } from './compare-markdown.js';
import { denseTable } from './table.js';

/** The comparison for a terminal: one row per group, notes and unmatched groups below. */
export function compareTerminal(r: CompareResult, o: CompareRenderOptions): string {
  const t = denseTable([
    ['verdict', 'left'],
    ['config', 'left'],
    ['workload', 'left'],
    ['clients', 'right'],
    ['TPS base', 'right'],
    ['TPS cand', 'right'],
    ['TPS ratio', 'right'],
    ['p', 'right'],
    ['p99 base ms', 'right'],
    ['p99 cand ms', 'right'],
    ['p99 ratio', 'right'],
    ['p', 'right'],
  ]);
  for (const g of r.groups) {
    t.push([
      g.verdict,
      g.config,
      g.workload,
      String(g.concurrency),
      fmtTps(g.tps.baseline),
      fmtTps(g.tps.candidate),
      ratioText(g.tps),
      pText(g.tps),
      fmtMs(g.p99?.baseline),
      fmtMs(g.p99?.candidate),
      ratioText(g.p99),
      pText(g.p99),
    ]);
  }
  const out = [
    `${o.candidateLabel} (candidate) against ${o.baselineLabel} (baseline): ${headline(r).replace(/\*\*/g, '')}`,
    `(Welch's t-test over reps, alpha ${r.alpha}; a change must also exceed ${Math.round(r.threshold * 100)}%)`,
    t.toString(),
  ];
  for (const d of o.differences ?? []) out.push(`note: the runs differ: ${d}`);
  for (const g of r.groups)
    if (g.notes.length > 0)
      out.push(`note: ${g.config} / ${g.workload} / ${g.concurrency} clients: ${g.notes.join('; ')}`);
  for (const u of r.unmatched)
    out.push(
      `note: ${u.config} / ${u.workload} / ${u.concurrency} clients only in the ${u.side === 'baseline-only' ? 'baseline' : 'candidate'}`,
    );
  return `${out.join('\n')}\n`;
}
