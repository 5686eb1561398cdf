import type { TopLevelSpec } from 'vega-lite';
import { plotFile } from '../../../src/results/paths.js';
import type { Row } from '../../model/row.js';
import {
  CLIENTS_X,
  finite,
  HEIGHT,
  lineSpec,
  PANEL_HEIGHT,
  PANEL_WIDTH,
  PLOT_CONFIG,
  SCHEMA,
  WIDTH,
} from '../../plots/specs.js';
import type { PlotJob } from '../figure.js';

function tpsSpec(workload: string, rows: Row[]): TopLevelSpec {
  const data = rows
    .filter((r) => finite(r.tps.mean))
    .map((r) => ({
      config: r.config,
      clients: r.concurrency,
      tps: r.tps.mean,
      lo: finite(r.tps.std) ? r.tps.mean - r.tps.std : r.tps.mean,
      hi: finite(r.tps.std) ? r.tps.mean + r.tps.std : r.tps.mean,
      reps: r.tps.n,
    }));
  return {
    $schema: SCHEMA,
    title: { text: `${workload}: throughput`, subtitle: 'mean over reps; error bars ± 1 σ' },
    width: WIDTH,
    height: HEIGHT,
    config: PLOT_CONFIG,
    data: { values: data },
    encoding: {
      x: CLIENTS_X,
      color: { field: 'config', type: 'nominal', title: 'config' },
    },
    layer: [
      {
        mark: { type: 'line', point: { filled: true, size: 50 } },
        encoding: { y: { field: 'tps', type: 'quantitative', title: 'TPS (transactions / s)' } },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
    ],
  };
}

/** x of a percentile on the spectrum plot: the number of nines, −log10(1 − p/100) (p90 → 1, p99.9 → 3). */
export function nines(p: number): number {
  return -Math.log10(1 - p / 100);
}

/**
 * The latency distribution of a workload: for each concurrency a panel with every config's
 * percentile spectrum overlaid, the tail stretched by plotting against the number of nines, latency
 * on a log scale. Only the percentiles the count supports are in the data (rows.ts, SPECTRUM_RULE).
 */
export function spectrumPlot(w: string, rs: readonly Row[]): PlotJob | undefined {
  const data = rs.flatMap((r) =>
    (r.latency?.spectrum ?? []).map((pt) => ({
      config: r.config,
      clients: `${r.concurrency} client${r.concurrency === 1 ? '' : 's'}`,
      c: r.concurrency,
      p: pt.p,
      x: nines(pt.p),
      ms: pt.ms,
    })),
  );
  if (data.length === 0) return undefined;
  const ticks = [50, 90, 99, 99.9, 99.99, 99.999]
    .map(nines)
    .filter((t) => t <= Math.max(...data.map((d) => d.x)) + 1e-9);
  const reconnect = rs.some((r) => r.reconnect);
  return {
    name: plotFile('latency-spectrum', w),
    title: `${w}: latency distribution`,
    spec: {
      $schema: SCHEMA,
      title: {
        text: `${w}: latency percentile spectrum`,
        subtitle: `all reps' transactions merged; a percentile is drawn only when >= 10 transactions lie above it${reconnect ? '; excludes connecting (-C)' : ''}`,
      },
      config: PLOT_CONFIG,
      data: { values: data },
      columns: 3,
      facet: {
        field: 'clients',
        type: 'ordinal',
        title: null,
        sort: { field: 'c', op: 'min' },
        header: { labelFontSize: 12 },
      },
      spec: {
        width: PANEL_WIDTH,
        height: PANEL_HEIGHT,
        mark: { type: 'line', point: { filled: true, size: 40 } },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: 'percentile',
            scale: { domain: [nines(50), Math.max(...ticks, nines(99))] },
            axis: {
              values: ticks,
              labelExpr: "'p' + format(100 - 100 * pow(10, -datum.value), '.4~f')",
            },
          },
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
          color: { field: 'config', type: 'nominal', title: 'config' },
          tooltip: [
            { field: 'config', type: 'nominal' },
            { field: 'p', type: 'quantitative', title: 'percentile' },
            { field: 'ms', type: 'quantitative', title: 'ms', format: ',.3~f' },
          ],
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
  };
}

/** Per workload: throughput and p99 against clients, and the latency percentile spectrum. */
export function throughputPlots(rows: readonly Row[], workloads: readonly string[]): PlotJob[] {
  return workloads.flatMap((w) => {
    const rs = rows.filter((r) => r.workload === w && r.repsCompleted > 0);
    if (rs.length === 0) return [];
    const jobs: PlotJob[] = [
      { name: plotFile('tps', w), title: `${w}: TPS vs clients`, spec: tpsSpec(w, rs), workload: w },
    ];
    const p99 = rs.flatMap((r) =>
      finite(r.latency?.p99Ms) ? [{ series: r.config, clients: r.concurrency, value: r.latency.p99Ms }] : [],
    );
    if (p99.length > 0) {
      const reconnect = rs.some((r) => r.reconnect);
      jobs.push({
        name: plotFile('p99', w),
        title: `${w}: p99 latency vs clients`,
        spec: lineSpec(
          `${w}: p99 latency`,
          `nearest rank over all reps' transactions merged${reconnect ? '; excludes connecting (-C)' : ''}`,
          'p99 latency (ms)',
          p99,
          'config',
        ),
        workload: w,
      });
    }
    const spectrum = spectrumPlot(w, rs);
    if (spectrum) jobs.push({ ...spectrum, workload: w });
    return jobs;
  });
}
