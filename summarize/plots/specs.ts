import type { TopLevelSpec } from 'vega-lite';

/**
 * What every plot shares: the look (white background, explicit axis titles with units, so they
 * read on GitHub in light and dark mode), the clients axis, and the line and small-multiple specs
 * that most figures draw. Pure Vega-Lite specs; plots/render.ts renders them.
 */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export const WIDTH = 460;
export const HEIGHT = 280;
export const PLOT_CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 12, titleFontSize: 12, grid: true, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'right' as const, labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start' as const },
  view: { stroke: '#cccccc' },
};

export const CLIENTS_X = {
  field: 'clients',
  type: 'ordinal' as const,
  title: 'clients (pgbench -c)',
  sort: 'ascending' as const,
  axis: { labelAngle: 0 },
};

export function finite(x: number | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function lineSpec(
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
    $schema: SCHEMA,
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

export type Panel = { panel: string; series: string; clients: number; value: number };

/**
 * Small multiples: one panel per component (and one for PostgreSQL memory per server backend),
 * each with its own y scale, so an 8 MiB pooler reads next to a 500 MiB server.
 */
export function facetSpec(
  title: string,
  subtitle: string,
  yTitle: string,
  data: Panel[],
  panels: string[],
): TopLevelSpec {
  return {
    $schema: SCHEMA,
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

export const PANEL_WIDTH = 300;
export const PANEL_HEIGHT = 200;
