import type { FigureContext } from '../figures/figure.js';
import { FIGURES } from '../figures/index.js';
import { DEFAULT_THRESHOLDS, type Row } from '../model/row.js';
import { reportRows } from '../model/tenant-template.js';
import { type Candidate, type RuleContext, TIER } from './candidate.js';
import { rowAt } from './pair-row.js';
import { refs, type Sentence } from './refs.js';

/** A TL;DR longer than this is not read at a glance. */
export const MAX_SENTENCES = 5;
/** At most this many comparisons, so the pooling facts and the noise still have room. */
export const MAX_COMPARISONS = 3;
/** At most this many lead sentences (a sweep's knees, a saturated pooler), so the must-say ones keep room. */
const MAX_LEADS = 2;

/**
 * The TL;DR: at most MAX_SENTENCES sentences from the rows. Failed cells and the one noise sentence
 * are always kept; the rest are ranked by tier (failed cells, then the comparisons the data
 * supports, largest effect first, then failures, CPU, pooling, scaling). Each sentence lists the
 * numbers it quotes with their summary.json pointers; one that would need a missing number is left
 * out.
 */
export interface TldrOptions {
  baseline?: string;
  totals?: { cellsFailed: number };
  cvThreshold?: number;
  cpuSaturationCores?: number;
}

export function tldr(rows: readonly Row[], options: TldrOptions, figure?: FigureContext): Sentence[] {
  const ctx = ruleContext(rows, options);
  const fctx = figure ?? { rows, options: { warnings: [] } };
  const tctx = { ...ctx, figure: fctx };
  const all = FIGURES.filter((f) => f.applies(fctx)).flatMap((f) => f.tldr?.(tctx, f.rows(fctx)) ?? []);
  const leads = all
    .filter((c) => c.tier === TIER.lead)
    .slice(0, MAX_LEADS)
    .map((c) => c.sentence);
  // The must-say sentences (the matrix's question, failed cells, the noise) are never cut for a lead.
  return [
    ...leads,
    ...select(
      all.filter((c) => c.tier !== TIER.lead),
      MAX_SENTENCES - leads.length,
    ),
  ];
}

/** What every rule reads; exported so each rule can be tested alone. */
export function ruleContext(rows: readonly Row[], options: TldrOptions): RuleContext {
  return {
    rows,
    R: refs(rows),
    // A `tenant: each` template speaks for its copies (model/tenant-template.ts): no copy is a headline.
    completed: reportRows(rows).filter((r) => r.repsCompleted > 0 && r.failedCells.length === 0),
    baseRow: (r: Row) => rowAt(rows, options.baseline, r),
    ...(options.totals ? { totals: options.totals } : {}),
    cv: options.cvThreshold ?? DEFAULT_THRESHOLDS.cv,
    cpuSaturationCores: options.cpuSaturationCores ?? DEFAULT_THRESHOLDS.cpuSaturationCores,
  };
}

/** Always said: the matrix's own question, cells that failed, and the noise. */
const kept = (c: Candidate) =>
  c.tier === TIER.question || c.tier === TIER.failedCells || c.tier === TIER.noise;

/** Keeps the must-say sentences, fills the rest of MAX_SENTENCES by rank; the noise goes last. */
export function select(candidates: readonly Candidate[], max = MAX_SENTENCES): Sentence[] {
  const must = candidates.filter(kept);
  const ranked = candidates.filter((c) => !kept(c)).sort((a, b) => a.tier - b.tier || b.effect - a.effect);
  const chosen: Candidate[] = [];
  let comparisons = 0;
  for (const c of ranked) {
    if (must.length + chosen.length >= max) break;
    const isComparison = c.tier === TIER.comparison || c.tier === TIER.singleRepComparison;
    if (isComparison && comparisons >= MAX_COMPARISONS) continue;
    if (isComparison) comparisons++;
    chosen.push(c);
  }
  return [...must, ...chosen].sort((a, b) => a.tier - b.tier || b.effect - a.effect).map((c) => c.sentence);
}
