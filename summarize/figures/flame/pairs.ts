import type { FlameGroup } from './collect.js';
import { flameDiffFile, flameDiffSvg } from './text.js';

export interface FlameDiffPlot {
  /** File name (flame-diff-<baseline>-vs-<candidate>-<workload>-<component>.svg). */
  name: string;
  svg: string;
  baseline: FlameGroup;
  candidate: FlameGroup;
}

/**
 * The differential flame graphs of a compare pair: one per workload and component that both
 * configs profiled (a proxy has no counterpart in a PgBouncer config: only matching components pair).
 */
export function flameDiffs(
  all: readonly FlameGroup[],
  baselineConfig: string,
  candidateConfig: string,
): FlameDiffPlot[] {
  const groups = all.filter((g) => g.samples > 0);
  const out: FlameDiffPlot[] = [];
  for (const c of groups) {
    if (c.config !== candidateConfig) continue;
    const b = groups.find(
      (g) => g.config === baselineConfig && g.workload === c.workload && g.component === c.component,
    );
    if (b) out.push({ name: flameDiffFile(b, c), svg: flameDiffSvg(b, c), baseline: b, candidate: c });
  }
  return out;
}

/** compare.md's lines naming the differential graphs written beside it. */
export function flameDiffMarkdown(plots: readonly FlameDiffPlot[]): string {
  if (plots.length === 0) return '';
  const lines = plots.map(
    (p) =>
      `- [${p.name}](${p.name}): ${p.candidate.component} on ${p.candidate.workload}, ${p.candidate.config} (${p.candidate.samples} samples) against ${p.baseline.config} (${p.baseline.samples} samples)`,
  );
  return [
    '',
    '## Differential flame graphs',
    '',
    "perf cpu-clock samples (user and kernel stacks of each component's processes, all reps merged), recorded with `profile: true`: widths are the candidate's samples, red frames took a larger share of them than in the baseline, blue a smaller one. Shares of CPU samples, not throughput; the profiled cells' TPS carries the recording's overhead.",
    '',
    ...lines,
    '',
  ].join('\n');
}
