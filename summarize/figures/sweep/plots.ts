import { plotFile } from '../../../src/results/paths.js';
import { isNum } from '../../model/format.js';
import type { SweepSeries } from '../../model/sweep.js';
import { HEIGHT, PLOT_CONFIG, SCHEMA, WIDTH } from '../../plots/specs.js';
import type { PlotJob } from '../figure.js';

/** The series' legend name: the config, the other swept values, the concurrency. */
const seriesName = (s: SweepSeries) =>
  `${s.of}${Object.entries(s.fixed)
    .map(([f, v]) => ` ${f}=${String(v)}`)
    .join('')} @${s.concurrency} clients`;

/** The series of one swept setting and workload, and whether every value is a number. */
function groups(series: readonly SweepSeries[]) {
  const keys = [...new Set(series.map((s) => `${s.setting}\u0000${s.workload}`))];
  return keys.map((k) => {
    const [setting = '', workload = ''] = k.split('\u0000');
    const mine = series.filter((s) => s.setting === setting && s.workload === workload);
    const numeric = mine.every((s) => s.points.every((p) => typeof p.value === 'number'));
    const x = {
      field: 'value',
      type: numeric ? ('quantitative' as const) : ('ordinal' as const),
      title: setting,
    };
    return { setting, workload, mine, numeric, x };
  });
}

/**
 * Per swept setting and workload: mean TPS against the value, one line per concurrency (and per
 * other swept values), the knee marked; and latency (mean and p99, each with its rep-to-rep 95 %
 * interval as a bar) against the value. Numeric values on a linear axis; others in order.
 */
export function sweepJobs(series: readonly SweepSeries[]): PlotJob[] {
  return groups(series).flatMap((g) => [throughputJob(g), ...latencyJobs(g)]);
}

type Group = ReturnType<typeof groups>[number];

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
        subtitle: 'the knee is the ringed point',
      },
      width: WIDTH,
      height: HEIGHT,
      config: PLOT_CONFIG,
      data: { values },
      layer: [
        {
          mark: { type: 'line', point: { filled: true, size: 50 } },
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

/** Mean and p99 at each value (when the rows have latency), each with its interval's bounds. */
function latencyValues({ mine, numeric }: Group) {
  return mine.flatMap((s) =>
    s.points.flatMap((p) => {
      const l = p.latency;
      if (!l) return [];
      return (
        [
          ['mean', l.meanMs, l.meanCi95],
          ['p99', l.p99Ms, l.p99Ci95],
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
  const { setting, workload, x } = g;
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
          subtitle: 'mean (solid) and p99 (dashed), ms; bars: 95 % interval over reps',
        },
        width: WIDTH,
        height: HEIGHT,
        config: PLOT_CONFIG,
        data: { values },
        layer: [
          {
            mark: { type: 'line', point: { filled: true, size: 50 } },
            encoding: {
              x,
              y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
              color,
              strokeDash: { field: 'stat', type: 'nominal', sort: ['mean', 'p99'], title: 'statistic' },
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
