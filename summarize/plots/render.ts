import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { plotFile } from '../../src/results/paths.js';
import { offeredLoadJobs } from '../figures/offered-load/plots.js';
import type { Row } from '../model/row.js';

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
export const PLOT_CONFIG = {
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

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
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
    config: PLOT_CONFIG,
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

type Panel = { panel: string; series: string; clients: number; value: number };

/**
 * Small multiples: one panel per component (and one for PostgreSQL memory per server backend),
 * each with its own y scale, so an 8 MiB pooler reads next to a 500 MiB server.
 */
function facetSpec(
  title: string,
  subtitle: string,
  yTitle: string,
  data: Panel[],
  panels: string[],
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    config: PLOT_CONFIG,
    data: { values: data },
    columns: 2,
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12 } },
    spec: {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      mark: { type: 'line', point: { filled: true, size: 50 } },
      encoding: {
        x: CLIENTS_X,
        y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: true } },
        color: { field: 'series', type: 'nominal', title: 'config' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

const PANEL_WIDTH = 300;
const PANEL_HEIGHT = 200;

/**
 * Memory per component: peak PSS of each process tree (the memory it really uses) and PostgreSQL
 * PSS per server backend. Runs without any PSS (an older bench) get the RSS sum instead, titled as
 * such. Components whose PSS was not read are named in the subtitle.
 */
export function memoryPlot(
  w: string,
  rs: readonly Row[],
): { name: string; title: string; spec: TopLevelSpec } | undefined {
  const comps = rs.flatMap((r) => (r.sampling?.components ?? []).map((c) => ({ r, c })));
  const havePss = comps.some(({ c }) => finite(c.pssPeakBytes));
  const data: Panel[] = comps.flatMap(({ r, c }) => {
    const bytes = havePss ? c.pssPeakBytes : c.rssPeakBytes;
    const panel = havePss ? `${c.role}: PSS (peak)` : `${c.role}: RSS sum (peak)`;
    return finite(bytes) ? [{ panel, series: r.config, clients: r.concurrency, value: bytes / 1048576 }] : [];
  });
  if (data.length === 0) return undefined;
  const perBackend = 'postgres: PSS per server backend (mean)';
  if (havePss) {
    for (const r of rs) {
      const v = r.sampling?.pssPerBackendBytes;
      if (finite(v))
        data.push({ panel: perBackend, series: r.config, clients: r.concurrency, value: v / 1048576 });
    }
  }
  const order = ['postgres', 'pgbouncer', 'proxy'];
  const rank = (p: string) => (p === perBackend ? 0.5 : (order.indexOf(p.split(':')[0] ?? '') + 100) % 100);
  const panels = [...new Set(data.map((d) => d.panel))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  const notRead = [...new Set(comps.filter(({ c }) => c.pssMissing).map(({ c }) => c.name))];
  const subtitle = [
    havePss
      ? 'peak PSS of each process tree over reps (shared pages divided among sharers); own y scale per panel'
      : 'no PSS in these runs: RSS summed over each tree, shared pages counted once per process; own y scale per panel',
    ...(notRead.length > 0 ? [`PSS not read for ${notRead.join(', ')} (see the warnings)`] : []),
  ];
  return {
    name: plotFile('memory', w),
    title: `${w}: memory per component`,
    spec: facetSpec(`${w}: memory per component`, subtitle.join('; '), 'MiB', data, panels),
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
export function spectrumPlot(
  w: string,
  rs: readonly Row[],
): { name: string; title: string; spec: TopLevelSpec } | undefined {
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
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
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

/** Renders every plot the rows support; plots without data (e.g. no sampling) are not made. */
export async function renderPlots(rows: readonly Row[]): Promise<Plot[]> {
  // A rate value or profile segment is plotted against offered load, not as a workload of its own.
  const workloads = [...new Set(rows.filter((r) => r.load === undefined).map((r) => r.workload))];
  const jobs: { name: string; title: string; spec: TopLevelSpec }[] = [...offeredLoadJobs(rows)];
  for (const w of workloads) {
    const rs = rows.filter((r) => r.workload === w && r.repsCompleted > 0);
    if (rs.length === 0) continue;
    jobs.push({ name: plotFile('tps', w), title: `${w}: TPS vs clients`, spec: tpsSpec(w, rs) });

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
        name: plotFile('backends', w),
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

    const spectrum = spectrumPlot(w, rs);
    if (spectrum) jobs.push(spectrum);

    const memory = memoryPlot(w, rs);
    if (memory) jobs.push(memory);
    const cpu = rs.flatMap((r) =>
      (r.sampling?.components ?? []).flatMap((c) =>
        finite(c.cpuCoresMean)
          ? [{ series: `${r.config}: ${c.role}`, clients: r.concurrency, value: c.cpuCoresMean }]
          : [],
      ),
    );
    if (cpu.length > 0) {
      jobs.push({
        name: plotFile('cpu', w),
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
  return Promise.all(jobs.map(async (j) => ({ name: j.name, title: j.title, svg: await renderSvg(j.spec) })));
}
