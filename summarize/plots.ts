import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Row } from './model.js';

/**
 * SVG plots from the rows: Vega-Lite specs compiled to Vega and rendered headless (renderer
 * 'none' + toSVG: no browser, no canvas). White background and explicit axis titles with units
 * so they read on GitHub in light and dark mode.
 */
export interface Plot {
  /** File name inside plots/, e.g. tps-readonly.svg. */
  name: string;
  title: string;
  svg: string;
}

const WIDTH = 460;
const HEIGHT = 280;
const CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 12, titleFontSize: 12, grid: true, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'right' as const, labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start' as const },
  view: { stroke: '#cccccc' },
};

const CLIENTS_X = {
  field: 'clients',
  type: 'ordinal' as const,
  title: 'clients (pgbench -c)',
  sort: 'ascending' as const,
  axis: { labelAngle: 0 },
};

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function finite(x: number | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

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
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${workload}: throughput`, subtitle: 'mean over reps; error bars ± 1 σ' },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
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

function lineSpec(
  title: string,
  subtitle: string,
  yTitle: string,
  data: { series: string; clients: number; value: number }[],
  seriesTitle: string,
  reference?: { clients: number; value: number }[],
): TopLevelSpec {
  const series = {
    data: { values: data },
    mark: { type: 'line' as const, point: { filled: true, size: 50 } },
    encoding: {
      x: CLIENTS_X,
      y: { field: 'value', type: 'quantitative' as const, title: yTitle },
      color: { field: 'series', type: 'nominal' as const, title: seriesTitle },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: reference
      ? [
          {
            data: { values: reference },
            mark: { type: 'line', color: '#888888', strokeDash: [4, 4] },
            encoding: { x: CLIENTS_X, y: { field: 'value', type: 'quantitative', title: yTitle } },
          },
          series,
        ]
      : [series],
  };
}

/** Renders every plot the rows support; plots without data (e.g. no sampling) are not made. */
export async function renderPlots(rows: readonly Row[]): Promise<Plot[]> {
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const jobs: { name: string; title: string; spec: TopLevelSpec }[] = [];
  for (const w of workloads) {
    const rs = rows.filter((r) => r.workload === w && r.repsCompleted > 0);
    if (rs.length === 0) continue;
    jobs.push({ name: `tps-${w}.svg`, title: `${w}: TPS vs clients`, spec: tpsSpec(w, rs) });

    const p99 = rs.flatMap((r) =>
      finite(r.latency?.p99Ms) ? [{ series: r.config, clients: r.concurrency, value: r.latency.p99Ms }] : [],
    );
    if (p99.length > 0) {
      const reconnect = rs.some((r) => r.reconnect);
      jobs.push({
        name: `p99-${w}.svg`,
        title: `${w}: p99 latency vs clients`,
        spec: lineSpec(
          `${w}: p99 latency`,
          `nearest rank over all reps' transactions merged${reconnect ? '; excludes connecting (-C)' : ''}`,
          'p99 latency (ms)',
          p99,
          'config',
        ),
      });
    }

    const backends = rs.flatMap((r) =>
      finite(r.sampling?.serverBackendsPeak)
        ? [{ series: r.config, clients: r.concurrency, value: r.sampling.serverBackendsPeak }]
        : [],
    );
    if (backends.length > 0) {
      const clients = [...new Set(rs.map((r) => r.concurrency))].map((c) => ({ clients: c, value: c }));
      jobs.push({
        name: `backends-${w}.svg`,
        title: `${w}: server backends vs clients`,
        spec: lineSpec(
          `${w}: server backends (pg_stat_activity)`,
          'peak over reps; grey dashed line: one backend per client',
          'server backends (peak)',
          backends,
          'config',
          clients,
        ),
      });
    }

    const rss = rs.flatMap((r) =>
      (r.sampling?.components ?? []).flatMap((c) =>
        finite(c.rssPeakBytes)
          ? [{ series: `${r.config}: ${c.role}`, clients: r.concurrency, value: c.rssPeakBytes / 1048576 }]
          : [],
      ),
    );
    if (rss.length > 0) {
      jobs.push({
        name: `rss-${w}.svg`,
        title: `${w}: RSS per component`,
        spec: lineSpec(
          `${w}: memory per component`,
          'peak RSS of the process tree over reps',
          'RSS (MiB)',
          rss,
          'config: component',
        ),
      });
    }
    const cpu = rs.flatMap((r) =>
      (r.sampling?.components ?? []).flatMap((c) =>
        finite(c.cpuCoresMean)
          ? [{ series: `${r.config}: ${c.role}`, clients: r.concurrency, value: c.cpuCoresMean }]
          : [],
      ),
    );
    if (cpu.length > 0) {
      jobs.push({
        name: `cpu-${w}.svg`,
        title: `${w}: CPU per component`,
        spec: lineSpec(
          `${w}: CPU per component`,
          'mean over the run, averaged over reps; 1 = one core busy',
          'CPU (cores)',
          cpu,
          'config: component',
        ),
      });
    }
  }
  return Promise.all(jobs.map(async (j) => ({ name: j.name, title: j.title, svg: await render(j.spec) })));
}
