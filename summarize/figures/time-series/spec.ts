import type { TopLevelSpec } from 'vega-lite';
import { type CellSeries, PANELS, type PanelId } from '../../model/cell-series.js';
import { PLOT_CONFIG } from '../../plots/specs.js';

const WIDTH = 620;
const PANEL_HEIGHT = 110;

/** Panels of whole counts: integer ticks. */
const COUNT_PANELS: ReadonlySet<PanelId> = new Set(['failed', 'backends', 'pgbouncer']);

/** Panels drawn on a log scale: a p99 of 500 ms next to a p50 of 1 ms stays readable. */
const LOG_PANELS: ReadonlySet<PanelId> = new Set(['latency']);

/**
 * One cell's seconds as stacked panels on a shared time axis (Vega-Lite vconcat), each with its own
 * y scale and legend. The measured window is the white band between the two dark rules at 0 and
 * the planned duration; segments (the warmup) are shaded; events are dashed rules.
 */
export function timeSeriesSpec(s: CellSeries): TopLevelSpec {
  const ts = s.points.map((p) => p.t);
  const lo = Math.min(0, ...ts, ...s.segments.map((g) => g.from));
  const hi = Math.max(s.durationS, ...ts, ...s.segments.map((g) => g.to));
  const x = {
    field: 't',
    type: 'quantitative' as const,
    title: null,
    // Half seconds: a sample taken just before t = 0 should not add a whole empty second.
    scale: { domain: [Math.floor(lo * 2) / 2, Math.ceil(hi * 2) / 2], nice: false },
  };
  const panels = (Object.keys(PANELS) as PanelId[]).filter((id) => s.points.some((p) => p.panel === id));
  const last = panels[panels.length - 1];
  const marks = (id: PanelId) => [
    ...s.segments.map((g) => ({
      data: { values: [g] },
      mark: { type: 'rect' as const, color: '#dddddd', opacity: 0.6 },
      encoding: { x: { ...x, field: 'from' }, x2: { field: 'to' } },
    })),
    {
      data: { values: [{ t: 0 }, { t: s.durationS }] },
      mark: { type: 'rule' as const, color: '#444444', strokeWidth: 1 },
      encoding: { x },
    },
    ...(s.events.length > 0
      ? [
          {
            data: { values: s.events },
            mark: { type: 'rule' as const, color: '#b00000', strokeDash: [4, 3] },
            encoding: { x, tooltip: { field: 'label', type: 'nominal' as const } },
          },
        ]
      : []),
    {
      data: { values: s.points.filter((p) => p.panel === id && (!LOG_PANELS.has(id) || p.value > 0)) },
      mark: { type: 'line' as const, point: { filled: true, size: 18 }, interpolate: 'linear' as const },
      encoding: {
        // One axis title, under the bottom panel.
        x: id === last ? { ...x, title: 'seconds since the measured pgbench started' } : x,
        y: {
          field: 'value',
          type: 'quantitative' as const,
          title: PANELS[id].axis,
          scale: LOG_PANELS.has(id) ? { type: 'log' as const } : { zero: true },
          ...(COUNT_PANELS.has(id) ? { axis: { format: 'd', tickMinStep: 1 } } : {}),
        },
        color: {
          field: 'series',
          type: 'nominal' as const,
          title: null,
          legend: { orient: 'right' as const },
        },
        tooltip: [
          { field: 'series', type: 'nominal' as const },
          { field: 't', type: 'quantitative' as const, title: 's' },
          { field: 'value', type: 'quantitative' as const, format: ',.3~f' },
        ],
      },
    },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${s.config} / ${s.workload} / ${s.concurrency} client${s.concurrency === 1 ? '' : 's'} / rep ${s.rep}`,
      subtitle: [
        'dark rules: the measured window (pgbench -T); a log second [s, s+1) is drawn at s+1, so the first and last are partial',
        ...(s.segments.length > 0 ? [`grey: ${s.segments.map((g) => g.label).join(', ')}`] : []),
      ],
    },
    config: PLOT_CONFIG,
    vconcat: panels.map((id) => ({
      title: { text: PANELS[id].title, fontSize: 12, fontWeight: 'normal' as const },
      width: WIDTH,
      height: PANEL_HEIGHT,
      layer: marks(id),
    })),
    spacing: 14,
    resolve: { scale: { color: 'independent', y: 'independent' }, legend: { color: 'independent' } },
  } as TopLevelSpec;
}
