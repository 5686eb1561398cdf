import { expandProfile, rateName, segmentName } from './profile.js';
import type { MatrixSpec } from './schema.js';
import type { Workload } from './workload.js';

/**
 * A workload with a rate list becomes one workload per rate (`web.r100`, `web.r500`: a matrix
 * axis); a workload with a profile becomes one workload per segment (`web.s01`, `web.s02`, ...),
 * which the planner keeps consecutive. Each carries its `load` (the offered rate, the latency
 * limit, the segment), which the argv turns into -R/-L and the cell record keeps. Pure; `w` may be
 * just a name (summarize rebuilds a run's cell workloads from run.json this way, src/matrix/shard.ts).
 */
export function loadVariants<W extends Pick<Workload, 'name' | 'durationMs' | 'load'>>(
  w: W,
  spec: MatrixSpec['workloads'][number] | undefined,
): W[] {
  if (spec === undefined || typeof spec === 'string') return [w];
  const limit = spec.latency_limit === undefined ? {} : { latencyLimitMs: spec.latency_limit };
  if (spec.profile !== undefined) {
    return expandProfile(spec.profile).map((segment) => ({
      ...w,
      name: segmentName(w.name, segment.index, segment.count),
      durationMs: segment.durationMs,
      load: { workload: w.name, rate: segment.rate, ...limit, segment },
    }));
  }
  if (Array.isArray(spec.rate)) {
    return spec.rate.map((rate) => ({
      ...w,
      name: rateName(w.name, rate),
      load: { workload: w.name, rate, ...limit },
    }));
  }
  if (spec.rate !== undefined || spec.latency_limit !== undefined) {
    return [
      { ...w, load: { workload: w.name, ...(spec.rate === undefined ? {} : { rate: spec.rate }), ...limit } },
    ];
  }
  return [w];
}

/** Whether cell `b` continues the profile of the cell before it, `a` (same profile, next segment). */
export function continuesProfile(a: Workload | undefined, b: Workload): boolean {
  const seg = b.load?.segment;
  return (
    seg !== undefined &&
    seg.index > 1 &&
    a?.load?.workload === b.load?.workload &&
    a?.load?.segment?.index === seg.index - 1
  );
}

/**
 * Workloads in blocks the planner iterates as one: a profile's segments form one block (so a cell's
 * segments run back to back at each concurrency), every other workload is a block of its own.
 */
export function workloadBlocks<W extends Pick<Workload, 'load'>>(workloads: readonly W[]): W[][] {
  const blocks: W[][] = [];
  for (const w of workloads) {
    const last = blocks.at(-1);
    const prev = last?.at(-1);
    if (last && w.load?.segment && prev?.load?.segment && prev.load.workload === w.load.workload)
      last.push(w);
    else blocks.push([w]);
  }
  return blocks;
}
