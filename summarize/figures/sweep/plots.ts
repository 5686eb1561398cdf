import { plotFile } from '../../../src/results/paths.js';
import type { SweepSeries } from '../../model/sweep.js';
import { HEIGHT, PLOT_CONFIG, SCHEMA, WIDTH } from '../../plots/specs.js';
import type { PlotJob } from '../figure.js';

/**
 * One plot per swept setting and workload: mean TPS against the value, one line per concurrency
 * (and per other swept values), the knee marked. Numeric values on a linear axis; others in order.
 */
export function sweepJobs(series: readonly SweepSeries[]): PlotJob[] {
  const keys = [...new Set(series.map((s) => `${s.setting}\u0000${s.workload}`))];
  return keys.map((k) => {
    const [setting = '', workload = ''] = k.split('\u0000');
    const mine = series.filter((s) => s.setting === setting && s.workload === workload);
    const numeric = mine.every((s) => s.points.every((p) => typeof p.value === 'number'));
    const values = mine.flatMap((s) =>
      s.points.map((p, i) => ({
        value: numeric ? p.value : String(p.value),
        tps: p.tps,
        series: `${s.of}${Object.entries(s.fixed)
          .map(([f, v]) => ` ${f}=${String(v)}`)
          .join('')} @${s.concurrency} clients`,
        knee: s.verdict === 'knee' && s.knee === i,
      })),
    );
    const x = {
      field: 'value',
      type: numeric ? ('quantitative' as const) : ('ordinal' as const),
      title: setting,
    };
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
  });
}
