import { plotFile } from '../../../src/results/paths.js';
import { isNum } from '../../model/format.js';
import type { SweepSeries } from '../../model/sweep.js';
import { HEIGHT, PLOT_CONFIG, SCHEMA, WIDTH } from '../../plots/specs.js';
import type { PlotJob } from '../figure.js';

/** The series' legend name: the config, the other swept values, the mix group, the concurrency. */
const seriesName = (s: SweepSeries) =>
  `${s.of}${Object.entries(s.fixed)
    .map(([f, v]) => ` ${f}=${String(v)}`)
    .join('')}${s.group === undefined ? '' : ` group ${s.group}`} @${s.concurrency} clients`;

/** The series of one swept setting and workload, and whether every value is a number. */
function groups(series: readonly SweepSeries[]) {
  const keys = [...new Set(series.map((s) => `${s.setting}\u0000${s.workload}`))];
  return keys.map((k) => {
    const [setting = '', workload = ''] = k.split('\u0000');
    const mine = series.filter((s) => s.setting === setting && s.workload === workload);
    const numeric = mine.every((s) => s.ordered);
    // Values without an order: nominal, in the file's order (the first is what the others are paired against).
    const x = numeric
      ? { field: 'value', type: 'quantitative' as const, title: setting }
      : { field: 'value', type: 'nominal' as const, title: setting, sort: null };
    return { setting, workload, mine, numeric, x };
  });
}

/**
 * Per swept setting and workload: mean TPS against the value, one line per concurrency (and per
 * other swept values), the knee marked; and latency (the average over reps of each rep's mean and
 * p99, each with its 95 % interval as a bar centred on it) against the value. Numeric values on a
 * linear axis, joined by lines; others as points in the file's order, with no line and no knee.
 */
export function sweepJobs(series: readonly SweepSeries[]): PlotJob[] {
  return groups(series).flatMap((g) => [throughputJob(g), ...latencyJobs(g)]);
}

type Group = ReturnType<typeof groups>[number];

/** Numeric values joined by lines; values without an order as points only (a line would order them). */
const mark = (numeric: boolean) =>
  numeric
    ? { type: 'line' as const, point: { filled: true, size: 50 } }
    : { type: 'point' as const, filled: true, size: 50 };

function throughputJob({ setting, workload, mine, numeric, x }: Group): PlotJob {
  const values = mine.flatMap((s) =>
    s.points.map((p, i) => ({
      value: numeric ? p.value : String(p.value),
      tps: p.tps,
      series: seriesName(s),
      knee: s.verdict === 'knee' && s.knee === i,
    })),
  );
  const y = { field: 'tps', type: 'quantitative' as const, title: 'TPS (mean over reps)' };
  return {
    name: plotFile('sweep', `${setting}-${workload}`),
    title: `${workload}: throughput against ${setting}`,
    workload,
    spec: {
      $schema: SCHEMA,
      title: {
        text: `${workload}: throughput against ${setting}`,
        subtitle: numeric ? 'the knee is the ringed point' : 'values without an order: no knee',
      },
      width: WIDTH,
      height: HEIGHT,
      config: PLOT_CONFIG,
      data: { values },
      layer: [
        {
          mark: mark(numeric),
          encoding: { x, y, color: { field: 'series', type: 'nominal', title: 'series' } },
        },
        {
          transform: [{ filter: 'datum.knee' }],
          mark: { type: 'point', size: 220, strokeWidth: 2, color: '#d62728' },
          encoding: { x, y },
        },
      ],
    },
  };
}

/** Mean and p99 over reps at each value (when the rows have latency), each with its interval's bounds around it. */
function latencyValues({ mine, numeric }: Group) {
  return mine.flatMap((s) =>
    s.points.flatMap((p) => {
      const l = p.latency;
      if (!l) return [];
      return (
        [
          ['mean', l.repMeanMs, l.repMeanCi95],
          ['p99', l.repP99Ms, l.repP99Ci95],
        ] as const
      ).map(([stat, ms, ci]) => ({
        value: numeric ? p.value : String(p.value),
        series: seriesName(s),
        stat,
        ms,
        // Linear axis: an interval wider than the figure stops at 0.
        ...(isNum(ci) ? { low: Math.max(ms - ci, 0), high: ms + ci } : {}),
      }));
    }),
  );
}

function latencyJobs(g: Group): PlotJob[] {
  const values = latencyValues(g);
  if (values.length === 0) return [];
  const { setting, workload, x, numeric } = g;
  const title = `${workload}: latency against ${setting}`;
  const color = { field: 'series', type: 'nominal' as const, title: 'series' };
  return [
    {
      name: plotFile('sweep-latency', `${setting}-${workload}`),
      title,
      workload,
      spec: {
        $schema: SCHEMA,
        title: {
          text: title,
          subtitle: `average over reps of each rep's mean (${numeric ? 'solid' : 'circle'}) and p99 (${numeric ? 'dashed' : 'square'}), ms; bars: its 95 % interval`,
        },
        width: WIDTH,
        height: HEIGHT,
        config: PLOT_CONFIG,
        data: { values },
        layer: [
          {
            mark: mark(numeric),
            encoding: {
              x,
              y: { field: 'ms', type: 'quantitative', title: 'latency (ms, average over reps)' },
              color,
              // Lines tell mean from p99 by their dash, points by their shape.
              [numeric ? 'strokeDash' : 'shape']: {
                field: 'stat',
                type: 'nominal',
                sort: ['mean', 'p99'],
                title: 'statistic',
              },
            },
          },
          {
            transform: [{ filter: 'isValid(datum.low)' }],
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              x,
              y: { field: 'low', type: 'quantitative' },
              y2: { field: 'high' },
              color,
            },
          },
        ],
      },
    },
  ];
}
