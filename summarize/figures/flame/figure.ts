import { PERF_EVENT } from '../../../src/profile/event.js';
import { fmtInt } from '../../model/format.js';
import type { Column, Figure, FigureContext, Graphic, Table } from '../figure.js';
import { type FlameGroup, flameFile } from './collect.js';
import { flameGroupSvg, flameTitle, spans } from './text.js';

/** What every flame graph includes and what it does not: FINDINGS.md and report.html say it once. */
export const FLAME_RULE =
  `Each flame graph is \`perf record -e ${PERF_EVENT} -g\` on one component's processes (its PgBouncer, one PgBouncer worker, or its proxy, with the children it forks; never PostgreSQL or pgbench) during the measured part of its config's throughput cells (after warmup, not under valgrind), sampled at perf's default frequency, user and kernel (\`_[k]\`) stacks, all reps (and client counts) of a config and workload merged by summing the folded stacks. ` +
  "A frame's width is its share of the component's CPU samples, not throughput; a user frame without symbols shows as its module (`[pgbouncer]`, `[libevent-...]`), and a run of `[unknown]` frames (frame-pointer unwinding through code built without frame pointers) as one. " +
  "The profiled cells' TPS and latency carry perf record's overhead (docs/profiling.md): they are not comparable with unprofiled rows.";

function rows(ctx: FigureContext): FlameGroup[] {
  return (ctx.run?.flames ?? []).filter((g) => g.samples > 0);
}

function describe(g: FlameGroup): string {
  const missing =
    g.missing.length > 0 ? `; ${g.missing.length} folded file(s) missing: ${g.missing.join(', ')}` : '';
  return `${fmtInt(g.samples)} samples over reps ${spans(g.reps)} (${g.cells.length} cells, clients ${spans(g.clients)})${missing}`;
}

const text = (header: string, f: (g: FlameGroup) => string): Column<FlameGroup> => ({
  header,
  align: 'left',
  text: f,
});

/** One line per graph: what it was drawn from and where its file is. */
const flameTable: Table<FlameGroup> = {
  id: 'flame-table',
  in: ['findings', 'html'],
  caption: () =>
    "One flame graph per profiled config, workload and component (what they include: the method's Flame graphs line); hover a frame in report.html for its samples and share.",
  columns: () => [
    text('config', (g) => g.config),
    text('workload', (g) => g.workload),
    text('component', (g) => g.component),
    { header: 'samples', align: 'right', text: (g) => fmtInt(g.samples), value: (g) => g.samples },
    text('reps', (g) => spans(g.reps)),
    text('clients', (g) => spans(g.clients)),
    text('file', (g) => `plots/${flameFile(g)}`),
  ],
  notes: (gs) => gs.filter((g) => g.missing.length > 0).map((g) => `${flameTitle(g)}: ${describe(g)}.`),
};

/**
 * Flame graphs of the profiled components (`profile: true`, docs/profiling.md): one per (config,
 * workload, component), reps merged, drawn by bench's own renderer as self-contained SVG.
 */
export const flameFigure: Figure<FlameGroup> = {
  id: 'flame-graphs',
  section: { id: 'flame-graphs', title: 'Flame graphs', detail: true },
  applies: (ctx) => rows(ctx).length > 0,
  rows,
  tables: [flameTable],
  graphics: (_ctx, groups): Graphic[] =>
    groups.map((g) => ({
      name: flameFile(g),
      title: flameTitle(g),
      svg: flameGroupSvg(g),
      caption: describe(g),
    })),
  method: () => [`- Flame graphs: ${FLAME_RULE}`],
};
