import { PERF_EVENT } from '../../../src/profile/event.js';
import type { FlameGroup } from './collect.js';
import { diffFlameSvg } from './diff.js';
import { flameSvg } from './svg.js';
import { buildTree } from './tree.js';

/** `1-3, 5`: a sorted list of integers with its runs collapsed. */
export function spans(ns: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < ns.length) {
    let j = i;
    while (j + 1 < ns.length && (ns[j + 1] as number) === (ns[j] as number) + 1) j++;
    out.push(i === j ? String(ns[i]) : `${ns[i]}-${ns[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

export function flameTitle(g: Pick<FlameGroup, 'config' | 'workload' | 'component'>): string {
  return `${PERF_EVENT} samples of ${g.component} of ${g.config} on ${g.workload}`;
}

function frequency(g: Pick<FlameGroup, 'sampleFrequencyHz'>): string {
  return g.sampleFrequencyHz !== undefined
    ? `perf's default frequency (${g.sampleFrequencyHz} Hz)`
    : "perf's default frequency";
}

/** What one graph includes and what its numbers are not. */
export function flameSubtitle(g: FlameGroup): string[] {
  const clients = g.clients.length === 1 ? `${g.clients[0]} clients` : `clients ${spans(g.clients)}`;
  return [
    `All reps merged (reps ${spans(g.reps)}, ${g.cells.length} cells, ${clients}): ${g.samples} samples at ${frequency(g)}; user and kernel (_[k]) stacks of this component's processes only.`,
    "Under profiling: widths are samples of the component's CPU time, not throughput; these cells' TPS carries perf record's overhead.",
  ];
}

export function flameGroupSvg(g: FlameGroup, width?: number): string {
  return flameSvg(buildTree(g.stacks), {
    title: flameTitle(g),
    subtitle: flameSubtitle(g),
    ...(width ? { width } : {}),
  });
}

/** The differential graph of one component of a compare pair: the candidate's frames, coloured by share change. */
export function flameDiffSvg(baseline: FlameGroup, candidate: FlameGroup): string {
  return diffFlameSvg(baseline.stacks, candidate.stacks, {
    title: `${PERF_EVENT} samples of ${candidate.component}: ${candidate.config} against ${baseline.config} on ${candidate.workload}`,
    subtitle: [
      `Widths: the candidate ${candidate.config} (${candidate.samples} samples, reps ${spans(candidate.reps)} merged); colour: change of each frame's share of all samples from the baseline ${baseline.config} (${baseline.samples} samples).`,
      "User and kernel stacks of this component's processes only, under profiling: shares of CPU samples, not throughput.",
    ],
  });
}

/** `flame-diff-<baseline>-vs-<candidate>-<workload>-<component>.svg`. */
export function flameDiffFile(baseline: FlameGroup, candidate: FlameGroup): string {
  return `flame-diff-${baseline.config}-vs-${candidate.config}-${candidate.workload}-${candidate.component}.svg`;
}
