import type { CellRecord } from '../../src/results/types.js';
import type { GroupKey, Warning } from './row.js';

/**
 * A warning on every (config, workload, clients) group whose completed cells ran under perf
 * record: their TPS and latency include the recording's cost. From the cell records (a row does
 * not say whether its cells were profiled), appended by model/build-rows.ts.
 */
export function profiledWarnings(cells: readonly CellRecord[]): Warning[] {
  const groups = new Map<string, { key: GroupKey; ids: string[] }>();
  for (const c of cells) {
    if (c.state !== 'completed' || !c.profile) continue;
    const key = { config: c.config, workload: c.workload, concurrency: c.concurrency };
    const k = JSON.stringify(key);
    const g = groups.get(k) ?? { key, ids: [] as string[] };
    g.ids.push(c.id);
    groups.set(k, g);
  }
  return [...groups.values()].map(({ key, ids }) => ({
    kind: 'profiled',
    message: `${key.config} / ${key.workload} / ${key.concurrency} client${key.concurrency === 1 ? '' : 's'}: ${ids.length} cell(s) ran under perf record (profile: true): their TPS and latency carry the recording's overhead and are not comparable with unprofiled rows`,
    hint: 'Compare throughput between configs profiled alike, or run the comparison without profile: true; docs/profiling.md gives the overhead measured on this machine.',
    group: key,
    cells: ids,
  }));
}
