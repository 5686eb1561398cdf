import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { FigureContext } from '../figures/figure.js';
import { FIGURES } from '../figures/index.js';
import type { RenderOptions } from '../model/report-options.js';
import type { Row } from '../model/row.js';

/**
 * SVG plots of every figure that applies: Vega-Lite specs compiled to Vega and rendered headless
 * (renderer 'none' + toSVG: no browser, no canvas).
 */
export interface Plot {
  /** File name inside plots/, e.g. tps-readonly.svg. */
  name: string;
  title: string;
  svg: string;
  /** The figure that declared it, and the workload it belongs to (FINDINGS.md places it there). */
  figure: string;
  workload?: string;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders every plot the figures declare for these rows; plots without data are not made. */
export async function renderPlots(
  rows: readonly Row[],
  options: RenderOptions = { warnings: [] },
): Promise<Plot[]> {
  const ctx: FigureContext = { rows, options };
  const jobs = FIGURES.filter((f) => f.applies(ctx)).flatMap((f) =>
    (f.plots?.(ctx, f.rows(ctx)) ?? []).map((j) => ({ ...j, figure: f.id })),
  );
  return Promise.all(
    jobs.map(async (j) => ({
      name: j.name,
      title: j.title,
      svg: await renderSvg(j.spec),
      figure: j.figure,
      ...(j.workload !== undefined ? { workload: j.workload } : {}),
    })),
  );
}
