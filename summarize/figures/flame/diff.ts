import type { Folded } from '../../../src/profile/fold.js';
import type { FrameRect } from './layout.js';
import { type FlameOptions, flameSvg, percent } from './svg.js';
import { buildTree, pathValues } from './tree.js';

/**
 * A differential flame graph (Gregg's difffolded idea): the candidate's graph (widths are its
 * samples), each frame coloured by how its share of all samples changed from the baseline: red
 * grew, blue shrank, white the same; the deeper the colour, the larger the change against the
 * largest change in the graph. Shares, not counts: the two recordings hold different sample totals.
 */
export interface FlameDiff {
  candidateTotal: number;
  baselineTotal: number;
  /** Share change of each frame path, in percentage points of all samples. */
  deltaPp: Map<string, number>;
  /** Baseline samples whose stack the candidate never had (not drawn: the widths are the candidate's). */
  baselineOnly: number;
}

export function diffFolded(baseline: Folded, candidate: Folded): FlameDiff {
  const b = buildTree(baseline);
  const c = buildTree(candidate);
  const bv = pathValues(b);
  const cv = pathValues(c);
  const share = (v: number | undefined, t: number) => (t > 0 ? (100 * (v ?? 0)) / t : 0);
  const deltaPp = new Map<string, number>();
  for (const [p, v] of cv) deltaPp.set(p, share(v, c.value) - share(bv.get(p), b.value));
  let baselineOnly = 0;
  for (const [stack, n] of baseline) if (!cv.has(stack)) baselineOnly += n;
  return { candidateTotal: c.value, baselineTotal: b.value, deltaPp, baselineOnly };
}

/** Red for a grown share, blue for a shrunk one, scaled to the largest change. */
export function diffColor(deltaPp: number, maxAbs: number): string {
  if (!(maxAbs > 0) || deltaPp === 0) return 'rgb(245,245,245)';
  const k = Math.min(1, Math.abs(deltaPp) / maxAbs);
  const fade = Math.round(245 - 200 * k);
  return deltaPp > 0 ? `rgb(245,${fade},${fade})` : `rgb(${fade},${fade},245)`;
}

function signed(pp: number): string {
  return `${pp >= 0 ? '+' : ''}${pp.toFixed(2)} pp`;
}

/** The differential flame graph as SVG: the candidate's frames, coloured by share change. */
export function diffFlameSvg(
  baseline: Folded,
  candidate: Folded,
  o: Pick<FlameOptions, 'title' | 'subtitle' | 'width'>,
): string {
  const d = diffFolded(baseline, candidate);
  const bv = pathValues(buildTree(baseline));
  const maxAbs = Math.max(0, ...[...d.deltaPp.values()].map(Math.abs));
  const delta = (r: FrameRect) => (r.depth === 0 ? 0 : (d.deltaPp.get(r.path) ?? 0));
  return flameSvg(buildTree(candidate), {
    ...o,
    color: (r) => diffColor(delta(r), maxAbs),
    tooltip: (r) => {
      const base = r.depth === 0 ? d.baselineTotal : (bv.get(r.path) ?? 0);
      return `${r.name}: candidate ${r.value} samples (${percent(r.value, d.candidateTotal)}), baseline ${base} (${percent(base, d.baselineTotal)}), share ${signed(delta(r))}`;
    },
    footer:
      `red: a larger share of the candidate's samples than of the baseline's, blue: smaller (deepest at ${maxAbs.toFixed(2)} pp)` +
      (d.baselineOnly > 0
        ? `; ${d.baselineOnly} baseline samples (${percent(d.baselineOnly, d.baselineTotal)}) are in stacks the candidate never had, not drawn`
        : ''),
  });
}
