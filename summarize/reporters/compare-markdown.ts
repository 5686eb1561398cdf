import type { CompareGroup, CompareResult, MetricComparison } from '../compare.js';
import { fixed, fmtMs, fmtPct, fmtTps, isNum, MISSING, ratioDecimals } from '../format.js';

export interface CompareRenderOptions {
  baselineLabel: string;
  candidateLabel: string;
  /** Differences between the two runs worth a caveat (matrix hash, versions). */
  differences?: readonly string[];
}

const MARK = { slower: '🔴 slower', faster: '🟢 faster', 'no-change': '⚪ no change' } as const;

export function ratioText(m: MetricComparison | undefined): string {
  if (!m || !isNum(m.ratio)) return MISSING;
  const d = Math.max(2, ratioDecimals(m.ratio) + 1);
  return isNum(m.ratioError) ? `${fixed(m.ratio, d)} ± ${fixed(m.ratioError, d)}` : fixed(m.ratio, d);
}

export function pText(m: MetricComparison | undefined): string {
  if (!m) return MISSING;
  if (!m.welch) return 'n/a (reps < 2)';
  const p = m.welch.p;
  return !isNum(p) ? MISSING : p < 0.001 ? '< 0.001' : fixed(p, 3);
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function headline(r: CompareResult): string {
  const count = (v: CompareGroup['verdict']) => r.groups.filter((g) => g.verdict === v).length;
  const slower = count('slower');
  return [
    slower > 0 ? `**${slower} regression${slower === 1 ? '' : 's'}**` : '**no regression**',
    `${count('faster')} faster`,
    `${count('no-change')} without a significant change`,
  ].join(' · ');
}

/** The comparison as a pull-request comment. */
export function compareMarkdown(r: CompareResult, o: CompareRenderOptions): string {
  const out = [
    `## bench compare: \`${o.candidateLabel}\` against \`${o.baselineLabel}\``,
    '',
    `${headline(r)}. A group changed when Welch's t-test over reps gives p < ${r.alpha} **and** the ratio moved by more than ${fmtPct(r.threshold, 0)}; ratios are candidate / baseline with ± from both sides' standard deviations in quadrature.`,
    '',
    '| verdict | config | workload | clients | reps (base/cand) | TPS base | TPS cand | TPS ratio | p (TPS) | p99 base (ms) | p99 cand (ms) | p99 ratio | p (p99) |',
    '| :-- | :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const g of r.groups) {
    out.push(
      `| ${[
        MARK[g.verdict],
        g.config,
        g.workload,
        String(g.concurrency),
        `${g.baselineReps}/${g.candidateReps}`,
        fmtTps(g.tps.baseline),
        fmtTps(g.tps.candidate),
        ratioText(g.tps),
        pText(g.tps),
        fmtMs(g.p99?.baseline),
        fmtMs(g.p99?.candidate),
        ratioText(g.p99),
        pText(g.p99),
      ]
        .map(cell)
        .join(' | ')} |`,
    );
  }
  const notes = r.groups.filter((g) => g.notes.length > 0);
  if (notes.length > 0 || r.unmatched.length > 0 || (o.differences?.length ?? 0) > 0) {
    out.push('', '<details><summary>Notes</summary>', '');
    for (const d of o.differences ?? []) out.push(`- The runs differ: ${d}`);
    for (const g of notes)
      out.push(`- ${g.config} / ${g.workload} / ${g.concurrency} clients: ${g.notes.join('; ')}`);
    for (const u of r.unmatched) {
      out.push(
        `- ${u.config} / ${u.workload} / ${u.concurrency} clients: only in the ${u.side === 'baseline-only' ? 'baseline' : 'candidate'}`,
      );
    }
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
