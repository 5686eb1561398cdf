import type { CellRecord } from '../../../src/results/types.js';
import type { CellSeries, SeriesPoint } from '../../model/cell-series.js';

/**
 * A load profile on one time axis: the series of its segments (each recorded as a cell) placed at
 * their real start times from the first segment's, with the offered rate (pgbench -R per segment)
 * drawn beside the achieved throughput, and each boundary marked where pgbench restarted and its
 * clients reconnected. Pure: takes the cells' series built by timeseries.ts.
 */

/** The id of a profile's combined series: one per config, workload, clients and rep. */
export function profileSeriesId(c: CellRecord): string | undefined {
  const load = c.load;
  if (!load?.segment) return undefined;
  return `profile:${c.config}__${load.workload}__c${c.concurrency}__r${c.rep}`;
}

export function profileSeries(series: readonly CellSeries[], cells: readonly CellRecord[]): CellSeries[] {
  const byId = new Map(series.map((s) => [s.cellId, s]));
  const groups = new Map<string, { cell: CellRecord; s: CellSeries }[]>();
  for (const cell of cells) {
    const id = profileSeriesId(cell);
    const s = byId.get(cell.id);
    if (id === undefined || s === undefined) continue;
    groups.set(id, [...(groups.get(id) ?? []), { cell, s }]);
  }
  return [...groups.entries()].map(([id, segs]) => combine(id, segs));
}

function combine(id: string, segs: { cell: CellRecord; s: CellSeries }[]): CellSeries {
  segs.sort((a, b) => (a.cell.load?.segment?.index ?? 0) - (b.cell.load?.segment?.index ?? 0));
  const first = segs[0] as { cell: CellRecord; s: CellSeries };
  const t0 = first.s.startMs;
  const points: SeriesPoint[] = [];
  const segments: CellSeries['segments'] = [];
  const events: CellSeries['events'] = [];
  let end = 0;
  for (const { cell, s } of segs) {
    const seg = cell.load?.segment;
    const rate = cell.load?.rate;
    if (!seg || rate === undefined) continue;
    const shift = (s.startMs - t0) / 1000;
    for (const p of s.points) if (p.t >= 0) points.push({ ...p, t: p.t + shift });
    const to = shift + s.durationS;
    points.push(
      { panel: 'tps', series: 'offered (-R)', t: shift, value: rate },
      { panel: 'tps', series: 'offered (-R)', t: to, value: rate },
    );
    if (seg.burst) segments.push({ from: shift, to, label: `burst ${rate} tps` });
    const state = cell.state === 'completed' ? '' : ` (${cell.state})`;
    events.push({
      t: shift,
      label: `segment ${seg.index}/${seg.count}: ${rate} tps${state}; ${seg.index > 1 ? 'pgbench restarted, clients reconnected' : 'start'}`,
    });
    // The segment's own marks (scheduled events such as a pooler restart), on the profile's axis.
    for (const e of s.events) events.push({ ...e, t: e.t + shift });
    end = Math.max(end, to);
  }
  return {
    cellId: id,
    config: first.cell.config,
    workload: first.cell.load?.workload ?? first.cell.workload,
    concurrency: first.cell.concurrency,
    rep: first.cell.rep,
    startMs: t0,
    durationS: end,
    warmupS: 0,
    points,
    segments,
    events,
  };
}
