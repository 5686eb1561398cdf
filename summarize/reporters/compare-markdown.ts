import {
  type CompareGroup,
  type CompareResult,
  type MetricComparison,
  verdictCounts,
} from '../compare/compare.js';
import { UNPAIRED_LABEL } from '../compare/drift.js';
import type { Verdict } from '../compare/verdict.js';
import { fixed, fmtConfidence, fmtMs, fmtPct, fmtTps, isNum, MISSING } from '../model/format.js';
import { costCompareMarkdown } from './compare-cost.js';

export interface CompareRenderOptions {
  baselineLabel: string;
  candidateLabel: string;
  /** Differences between the two runs worth a caveat (matrix hash, versions). */
  differences?: readonly string[];
  /** Extra lines for the notes (e.g. the run's config order per rep). */
  info?: readonly string[];
}

const MARK: Record<Verdict, string> = {
  slower: '🔴 slower',
  faster: '🟢 faster',
  'no-change': '⚪ no change',
  inconclusive: '🟡 inconclusive',
};

/**
 * The verdict as a table shows it: an unpaired one carries its label, a control says it measures
 * the drift (its own verdict is not counted), anything else is the verdict. `plain` drops the mark.
 */
export function verdictText(g: CompareGroup, plain = false): string {
  const v = plain ? g.verdict : MARK[g.verdict];
  if (verdictCounts(g)) return v;
  if (g.drift?.kind === 'control')
    return `${plain ? '' : '⚪ '}control: the drift (${g.verdict}, not counted)`;
  return `${v} (${UNPAIRED_LABEL})`;
}

/** Ratios near 1 are what matters, and a 5% threshold needs the third decimal. */
function r3(x: number): string {
  return fixed(x, Math.abs(x) >= 10 ? 1 : 3);
}

/** `0.712 [0.690, 0.735]`: the ratio and its interval; the ratio alone when there is no interval. */
export function ratioText(m: MetricComparison | undefined): string {
  if (!m || !isNum(m.ratio)) return MISSING;
  return isNum(m.ciLow) && isNum(m.ciHigh) ? `${r3(m.ratio)} [${r3(m.ciLow)}, ${r3(m.ciHigh)}]` : r3(m.ratio);
}

export function pText(m: MetricComparison | undefined): string {
  if (!m) return MISSING;
  if (m.n < 2) return 'n/a (n < 2)';
  return !isNum(m.p) ? MISSING : m.p < 0.001 ? '< 0.001' : fixed(m.p, 3);
}

/** The smallest change the data could have detected (80% power): `±4.2%`. */
export function detectableText(m: MetricComparison | undefined): string {
  return m && isNum(m.detectable) ? `±${fmtPct(m.detectable)}` : MISSING;
}

export function neededText(m: MetricComparison | undefined): string {
  if (!m) return MISSING;
  if (m.needed === Infinity) return '> 10⁶';
  return isNum(m.needed) ? String(m.needed) : MISSING;
}

/** Who is compared with whom: `b` for two runs, `b vs a` for two configs of one run. */
export function configText(g: CompareGroup): string {
  return g.baselineConfig === g.config ? g.config : `${g.config} vs ${g.baselineConfig}`;
}

/** n: pairs (paired) or reps `base/cand` (two runs). */
export function nText(r: CompareResult, g: CompareGroup): string {
  return r.mode === 'paired' ? String(g.tps.n) : `${g.baselineReps}/${g.candidateReps}`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The counts behind the exit code; unpaired and control groups only where there are some. */
export function headline(r: CompareResult): string {
  const count = (v: Verdict) => r.groups.filter((g) => g.verdict === v && verdictCounts(g)).length;
  const slower = r.regressions;
  const controls = r.groups.filter((g) => g.drift?.kind === 'control' && !verdictCounts(g)).length;
  if (r.groups.length === 0 && r.cost) return '**no throughput cells to compare: no TPS verdict**';
  // With cost cells there are two verdicts: this headline speaks for TPS only (the cost one follows).
  const tps = r.cost ? 'TPS: ' : '';
  return [
    slower > 0 ? `**${tps}${slower} regression${slower === 1 ? '' : 's'}**` : `**${tps}no regression**`,
    `${r.inconclusive} inconclusive`,
    ...(r.unpaired ? [`${r.unpaired} ${UNPAIRED_LABEL}`] : []),
    `${count('faster')} faster`,
    `${count('no-change')} without a change beyond ±${fmtPct(r.threshold, 0)}`,
    ...(controls > 0 ? [`${controls} control group${controls === 1 ? '' : 's'} (the drift)`] : []),
  ].join(' · ');
}

/** How the two-run form dealt with drift between the runs, one sentence; nothing for the paired form. */
export function driftText(r: CompareResult): string {
  if (r.mode === 'paired') return '';
  const normalized = r.groups.filter((g) => g.drift?.kind === 'normalized').length;
  const unpaired = r.groups.filter((g) => g.drift?.kind === 'unpaired').length;
  const parts: string[] = [];
  if (r.control !== undefined && normalized > 0)
    parts.push(
      `${normalized} group${normalized === 1 ? '' : 's'} normalized by the control config \`${r.control}\`: the candidate's log TPS ratio between the runs minus ${r.control}'s for the same workload and concurrency (difference in differences; the interval combines both ratios' uncertainty), which cancels drift that hit both alike (TPS base and cand are each run's own means, so there the ratio is not their quotient)`,
    );
  if (unpaired > 0)
    parts.push(
      `${unpaired} group${unpaired === 1 ? '' : 's'} ${UNPAIRED_LABEL} (no control config in both runs${r.control !== undefined ? ` for that workload and concurrency` : ''}): a faster, slower or no-change verdict there is not conclusive and counts like an inconclusive one for the exit code; name a config both runs ran with --control-config, or compare two configs of one run`,
    );
  return parts.join('; ');
}

/** One sentence on the method, shared by the markdown and the terminal. */
export function methodText(r: CompareResult): string {
  const conf = fmtConfidence(r.alpha);
  const how =
    r.mode === 'paired'
      ? `paired t-test on the log TPS ratio of the two configs' cells of each rep (n = pairs)`
      : `Welch's t-test on the reps' log TPS of the two runs (n = reps base/cand)`;
  const drift = driftText(r);
  return `${how}${drift ? `; ${drift}` : ''}; ratio = candidate / baseline with its ${conf} interval; slower/faster when the interval excludes 1 and the ratio is beyond ±${fmtPct(r.threshold, 0)}, no change when the whole interval is within it, inconclusive otherwise. "detectable" is the smallest change this data finds with ${fmtPct(r.power, 0)} power; "needed" is the ${r.mode === 'paired' ? 'pairs' : 'reps per side'} for that to reach ±${fmtPct(r.threshold, 0)} at the measured noise. TPS decides; p99 is shown.`;
}

/** Notes, run differences and unmatched groups, as plain lines. */
export function noteLines(r: CompareResult, o: CompareRenderOptions): string[] {
  const out: string[] = [];
  for (const d of o.differences ?? []) out.push(`The runs differ: ${d}`);
  for (const i of o.info ?? []) out.push(i);
  for (const g of r.groups)
    if (g.notes.length > 0)
      out.push(`${configText(g)} / ${g.workload} / ${g.concurrency} clients: ${g.notes.join('; ')}`);
  for (const u of r.unmatched) {
    out.push(
      `${u.config} / ${u.workload} / ${u.concurrency} clients: only in the ${u.side === 'baseline-only' ? 'baseline' : 'candidate'}`,
    );
  }
  return out;
}

/** A group's cells from its config to the reps TPS needs, shared by the markdown and the terminal. */
export function groupTpsCells(r: CompareResult, g: CompareResult['groups'][number]): string[] {
  return [
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
  ];
}

/** The comparison as a pull-request comment. */
export function compareMarkdown(r: CompareResult, o: CompareRenderOptions): string {
  const out = [
    `## bench compare: \`${o.candidateLabel}\` against \`${o.baselineLabel}\``,
    '',
    `${headline(r)}.`,
    '',
    `Method: ${methodText(r)}`,
    '',
    '| verdict | config | workload | clients | n | TPS base | TPS cand | TPS ratio [CI] | p | detectable | needed | p99 base (ms) | p99 cand (ms) | p99 ratio [CI] | p99 |',
    '| :-- | :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | :-- |',
  ];
  for (const g of r.groups) {
    out.push(
      `| ${[
        verdictText(g),
        ...groupTpsCells(r, g),
        fmtMs(g.p99?.baseline),
        fmtMs(g.p99?.candidate),
        ratioText(g.p99),
        g.p99 ? g.p99.verdict : MISSING,
      ]
        .map(cell)
        .join(' | ')} |`,
    );
  }
  if (r.cost) out.push(...costCompareMarkdown(r.cost));
  const notes = noteLines(r, o);
  if (notes.length > 0) {
    out.push('', '<details><summary>Notes</summary>', '');
    for (const n of notes) out.push(`- ${n}`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
