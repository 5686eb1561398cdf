import { PERF_EVENT } from '../../../src/profile/perf.js';
import type { CellRecord } from '../../../src/results/types.js';
import type { SourcedCell } from '../../input/merge.js';
import type { GroupKey, Warning } from '../../model/row.js';
import { esc } from '../../reporters/html/markup.js';
import { type FlameGroup, flameFile, flameGroups, type ReadFolded, readFoldedFile } from './collect.js';
import { flameGroupSvg, flameTitle, spans } from './text.js';

/** One flame graph of the report: plots/<name>, its SVG and what it was drawn from. */
export interface FlamePlot {
  name: string;
  svg: string;
  group: FlameGroup;
}

/** A flame graph per (config, workload, component) that has samples. */
export function flamePlots(cells: readonly SourcedCell[], read: ReadFolded = readFoldedFile): FlamePlot[] {
  return flameGroups(cells, read)
    .filter((g) => g.samples > 0)
    .map((g) => ({ name: flameFile(g), svg: flameGroupSvg(g), group: g }));
}

/** What every flame graph includes and what it does not: FINDINGS.md and report.html say it once. */
export const FLAME_RULE =
  `Each flame graph is \`perf record -e ${PERF_EVENT} -g\` on one component's processes (its PgBouncer, one PgBouncer worker, or its proxy, with the children it forks; never PostgreSQL or pgbench) during the measured part of its config's throughput cells (after warmup, not under valgrind), sampled at perf's default frequency, user and kernel (\`_[k]\`) stacks, all reps (and client counts) of a config and workload merged by summing the folded stacks. ` +
  "A frame's width is its share of the component's CPU samples, not throughput; a user frame without symbols shows as its module (`[pgbouncer]`, `[libevent-...]`), and a run of `[unknown]` frames (frame-pointer unwinding through code built without frame pointers) as one. " +
  "The profiled cells' TPS and latency carry perf record's overhead (docs/profiling.md): they are not comparable with unprofiled rows.";

function describe(g: FlameGroup): string {
  const missing =
    g.missing.length > 0 ? `; ${g.missing.length} folded file(s) missing: ${g.missing.join(', ')}` : '';
  return `${g.samples} samples over reps ${spans(g.reps)} (${g.cells.length} cells, clients ${spans(g.clients)})${missing}`;
}

/** FINDINGS.md's flame graph section: the rule, then one link per graph with its sample count. */
export function flameMarkdown(plots: readonly FlamePlot[]): string[] {
  if (plots.length === 0) return [];
  return [
    '## Flame graphs',
    '',
    FLAME_RULE,
    '',
    ...plots.map((p) => `- [${flameTitle(p.group)}](plots/${p.name}): ${describe(p.group)}.`),
    '',
  ];
}

/** report.html's flame graph section: each graph inline (hover a frame for its samples). */
export function flameHtml(plots: readonly FlamePlot[]): string {
  if (plots.length === 0) return '';
  const figures = plots.map(
    (p) =>
      `<figure class="flame-graph" data-flame="${esc(p.name)}"><div style="overflow-x:auto">${p.svg}</div>` +
      `<figcaption>${esc(flameTitle(p.group))}: ${esc(describe(p.group))} (<a href="plots/${esc(p.name)}">plots/${esc(p.name)}</a>)</figcaption></figure>`,
  );
  return `<section id="flame-graphs"><h2>Flame graphs</h2>\n<p class="hint">${esc(FLAME_RULE)} Hover a frame for its samples and share.</p>\n${figures.join('\n')}\n</section>`;
}

/**
 * A warning on every (config, workload, clients) group whose completed cells ran under perf
 * record: their TPS and latency include the recording's cost.
 */
export function profiledWarnings(cells: readonly CellRecord[]): Warning[] {
  const groups = new Map<string, { key: GroupKey; ids: string[] }>();
  for (const c of cells) {
    if (c.state !== 'completed' || !c.profile) continue;
    const key = { config: c.config, workload: c.workload, concurrency: c.concurrency };
    const k = JSON.stringify(key);
    const g = groups.get(k) ?? { key, ids: [] };
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
