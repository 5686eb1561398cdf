import type { CostCompareGroup, CostComparison, CostFigureComparison } from '../compare/cost.js';
import type { Verdict } from '../compare/verdict.js';
import { FIGURE_LABEL, fmtChange, fmtDelta, fmtPerTx, fmtSpread } from '../figures/cost/format.js';
import { fmtPct, MISSING } from '../model/format.js';
import { denseTable } from './terminal-table.js';

const MARK: Record<Verdict, string> = {
  slower: '🔴 slower',
  faster: '🟢 faster',
  'no-change': '⚪ no change',
  inconclusive: '🟡 inconclusive',
};

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function costHeadline(c: CostComparison): string {
  const gating = c.groups.flatMap((g) => g.figures.filter((f) => f.gating));
  const n = (v: Verdict) => gating.filter((f) => f.verdict === v).length;
  return [
    c.regressions > 0
      ? `**${c.regressions} cost regression${c.regressions === 1 ? '' : 's'}**`
      : '**no cost regression**',
    `${n('inconclusive')} inconclusive`,
    `${n('faster')} faster`,
    `${n('no-change')} without a change beyond ±${fmtPct(c.threshold, 1)}`,
  ].join(' · ');
}

export function costMethodText(c: CostComparison): string {
  return `per (workload, component, figure): slower/faster when the candidate's work per transaction differs from the baseline's by more than ±${fmtPct(c.threshold, 1)} (--cost-threshold) AND by more than the two sides' spreads over repeats added; inconclusive when a side's repeats disagree by more than the threshold (or the change is inside the spread); no change otherwise. Only instructions and syscalls per transaction gate; context switches, CPU time and page faults are shown (they vary by several percent between repeats). Cost cells are counted under valgrind or perf with a fixed transaction count and never enter the TPS verdict.`;
}

const who = (g: CostCompareGroup) =>
  g.baselineConfig === g.candidateConfig ? g.candidateConfig : `${g.candidateConfig} vs ${g.baselineConfig}`;

function figureCells(g: CostCompareGroup, f: CostFigureComparison): string[] {
  return [
    f.gating ? MARK[f.verdict] : `${MARK[f.verdict]} (shown)`,
    who(g),
    g.workload,
    g.component,
    FIGURE_LABEL[f.figure],
    fmtPerTx(f.baseline),
    fmtPerTx(f.candidate),
    fmtDelta(f.delta),
    fmtChange(f.change),
    fmtSpread(f.baselineSpreadPct),
    fmtSpread(f.candidateSpreadPct),
  ];
}

function noteLines(c: CostComparison): string[] {
  const out: string[] = [];
  for (const g of c.groups)
    for (const f of g.figures)
      if (f.note) out.push(`${who(g)} / ${g.workload} / ${g.component} / ${f.figure}: ${f.note}`);
  for (const g of c.groups)
    if (g.reconnect)
      out.push(`${g.workload} opens a connection per transaction (-C): its figures are also per connection`);
  for (const u of c.unmatched)
    out.push(
      `${u.config} / ${u.workload} / ${u.component}: cost cells only in the ${u.side === 'baseline-only' ? 'baseline' : 'candidate'}`,
    );
  return [...new Set(out)];
}

function functionLines(g: CostCompareGroup): string[] {
  if (g.functions.length === 0) return [];
  const out = [
    '',
    `Functions of ${g.component} on ${g.workload} whose instructions per transaction changed most (${who(g)}, top ${g.functions.length} by absolute change${g.symbolized ? '' : '; no symbols: names are addresses'}):`,
    '',
    '| function | file | base / tx | cand / tx | Δ / tx |',
    '| :-- | :-- | --: | --: | --: |',
  ];
  for (const f of g.functions)
    out.push(
      `| ${[`\`${f.fn}\``, f.file ?? MISSING, f.baseline === null ? 'not in top 40' : fmtPerTx(f.baseline), f.candidate === null ? 'not in top 40' : fmtPerTx(f.candidate), fmtDelta(f.delta)].map(cell).join(' | ')} |`,
    );
  return out;
}

/** The cost part of compare.md: its own headline, table, changed functions and notes. */
export function costCompareMarkdown(c: CostComparison): string[] {
  const out = [
    '',
    '### Cost per transaction (cost cells)',
    '',
    `${costHeadline(c)}.`,
    '',
    `Method: ${costMethodText(c)}`,
    '',
    '| cost verdict | config | workload | component | figure | base | cand | Δ / tx | change | spread base | spread cand |',
    '| :-- | :-- | :-- | :-- | :-- | --: | --: | --: | --: | --: | --: |',
  ];
  for (const g of c.groups)
    for (const f of g.figures) out.push(`| ${figureCells(g, f).map(cell).join(' | ')} |`);
  for (const g of c.groups) out.push(...functionLines(g));
  const notes = noteLines(c);
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${n}`));
  return out;
}

/** The cost part of the terminal output. */
export function costCompareTerminal(c: CostComparison): string[] {
  const t = denseTable([
    ['cost verdict', 'left'],
    ['config', 'left'],
    ['workload', 'left'],
    ['component', 'left'],
    ['figure', 'left'],
    ['base', 'right'],
    ['cand', 'right'],
    ['Δ / tx', 'right'],
    ['change', 'right'],
    ['spread base', 'right'],
    ['spread cand', 'right'],
  ]);
  for (const g of c.groups)
    for (const f of g.figures)
      t.push(figureCells(g, f).map((s, i) => (i === 0 ? s.replace(/^\S+ /, '') : s)));
  const fns = c.groups.flatMap((g) =>
    g.functions
      .slice(0, 5)
      .map((f) => `changed: ${g.component}/${g.workload} ${f.fn} ${fmtDelta(f.delta)} instructions/tx`),
  );
  return [
    `cost: ${costHeadline(c).replace(/\*\*/g, '')}`,
    `(${costMethodText(c)})`,
    t.toString(),
    ...fns,
    ...noteLines(c).map((n) => `note: ${n}`),
  ];
}
