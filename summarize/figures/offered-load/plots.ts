import type { TopLevelSpec } from 'vega-lite';
import { plotFile } from '../../../src/results/paths.js';
import { loadRows } from '../../model/offered-load.js';
import type { LoadFigures, Row } from '../../model/row.js';
import { HEIGHT, PLOT_CONFIG, SCHEMA, WIDTH } from '../../plots/specs.js';
import type { PlotJob } from '../figure.js';

/**
 * Plots of rate-limited workloads: latency against offered load for a rate axis (where each
 * config's knee is), and offered against achieved rate over a profile's segments.
 */
function seriesName(r: Row, several: boolean): string {
  return several ? `${r.config}, ${r.concurrency} clients` : r.config;
}

/** p50 and p99 against offered tps (log-log), a cross on every rate the config did not serve. */
function kneeSpec(workload: string, rows: Row[]): TopLevelSpec {
  const several = new Set(rows.map((r) => r.concurrency)).size > 1;
  const data = rows.flatMap((r) => {
    const l = r.load as LoadFigures;
    const base = { series: seriesName(r, several), offered: l.offeredTps, met: l.met ? 'met' : 'not met' };
    return [
      ...(r.latency ? [{ ...base, percentile: 'p99', ms: r.latency.p99Ms }] : []),
      ...(r.latency ? [{ ...base, percentile: 'p50', ms: r.latency.p50Ms }] : []),
    ];
  });
  return {
    $schema: SCHEMA,
    title: {
      text: `${workload}: latency vs offered load`,
      subtitle: 'pgbench -R (total over all clients); solid p99, dashed p50; cross: the rate was not met',
    },
    width: WIDTH,
    height: HEIGHT,
    config: PLOT_CONFIG,
    data: { values: data },
    mark: { type: 'line', point: { size: 60 } },
    encoding: {
      x: {
        field: 'offered',
        type: 'quantitative',
        title: 'offered rate (tx/s, log)',
        scale: { type: 'log' },
      },
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms, log)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: 'config' },
      strokeDash: { field: 'percentile', type: 'nominal', sort: ['p99', 'p50'], title: 'percentile' },
      shape: {
        field: 'met',
        type: 'nominal',
        scale: { domain: ['met', 'not met'], range: ['circle', 'cross'] },
      },
    },
  };
}

/** A profile: offered (grey steps) and achieved rate per segment and config, on the profile's time axis. */
function profileSpec(workload: string, rows: Row[]): TopLevelSpec {
  const several = new Set(rows.map((r) => r.concurrency)).size > 1;
  const points = rows.flatMap((r) => {
    const l = r.load as LoadFigures;
    const s = l.segment;
    if (!s) return [];
    const mid = s.startS + s.durationS / 2;
    return [{ series: seriesName(r, several), t: mid, tps: l.achievedTps, met: l.met ? 'met' : 'not met' }];
  });
  const offered = [
    ...new Map(
      rows.flatMap((r) => {
        const s = r.load?.segment;
        return s ? [[s.index, { s, rate: r.load?.offeredTps ?? 0 }] as const] : [];
      }),
    ).values(),
  ].flatMap(({ s, rate }) => [
    { t: s.startS, tps: rate },
    { t: s.startS + s.durationS, tps: rate },
  ]);
  return {
    $schema: SCHEMA,
    title: {
      text: `${workload}: offered vs achieved rate over the profile`,
      subtitle: 'grey: offered (pgbench -R per segment); points: achieved per segment; cross: not met',
    },
    width: WIDTH,
    height: HEIGHT,
    config: PLOT_CONFIG,
    layer: [
      {
        data: { values: offered },
        mark: { type: 'line', color: '#888888' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time in the profile (s, planned)' },
          y: { field: 'tps', type: 'quantitative', title: 'transactions / s' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'line', point: { size: 60 } },
        encoding: {
          x: { field: 't', type: 'quantitative' },
          y: { field: 'tps', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: 'config' },
          shape: {
            field: 'met',
            type: 'nominal',
            scale: { domain: ['met', 'not met'], range: ['circle', 'cross'] },
          },
        },
      },
    ],
  };
}

/** One plot per rate-limited workload: a knee plot for a rate axis, a time plot for a profile. */
export function offeredLoadJobs(rows: readonly Row[]): PlotJob[] {
  const lr = loadRows(rows).filter((r) => r.repsCompleted > 0);
  const jobs: PlotJob[] = [];
  for (const w of new Set(lr.map((r) => r.load?.workload ?? ''))) {
    const mine = lr.filter((r) => r.load?.workload === w);
    const axis = mine.filter((r) => r.load?.segment === undefined);
    const profile = mine.filter((r) => r.load?.segment !== undefined);
    if (new Set(axis.map((r) => r.load?.offeredTps)).size > 1)
      jobs.push({
        name: plotFile('offered-load', w),
        title: `${w}: latency vs offered load`,
        spec: kneeSpec(w, axis),
      });
    if (profile.length > 0)
      jobs.push({
        name: plotFile('profile', w),
        title: `${w}: offered vs achieved over the profile`,
        spec: profileSpec(w, profile),
      });
  }
  return jobs;
}
