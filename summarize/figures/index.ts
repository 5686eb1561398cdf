import type { Row, Thresholds, WarningDraft } from '../model/row.js';
import { cancelCheckFigure } from './cancel-check/figure.js';
import { clientsFigure } from './clients/figure.js';
import { connectionsPerCoreFigure } from './connections-per-core/figure.js';
import { costFigure } from './cost/figure.js';
import type { Figure, FigureContext, Graphic } from './figure.js';
import { flameFigure } from './flame/figure.js';
import { noisyNeighbourFigure } from './noisy-neighbour/figure.js';
import { offeredLoadFigure } from './offered-load/figure.js';
import { outageFigure } from './outage/figure.js';
import { outageCompareFigure } from './outage-compare/figure.js';
import { poolsFigure } from './pools/figure.js';
import { resourcesFigure } from './resources/figure.js';
import { sweepFigure } from './sweep/figure.js';
import { throughputFigure } from './throughput/figure.js';
import { timeSeriesFigure } from './time-series/figure.js';
import { workerScalingFigure } from './worker-scaling/figure.js';

/**
 * Every figure of the report, in the report's order. Reporters walk this list and render each
 * figure that applies; adding a figure is one folder and one line here (figures/README.md).
 */
export const FIGURES: readonly Figure[] = [
  throughputFigure,
  resourcesFigure,
  clientsFigure,
  connectionsPerCoreFigure,
  offeredLoadFigure,
  sweepFigure,
  workerScalingFigure,
  outageFigure,
  outageCompareFigure,
  cancelCheckFigure,
  flameFigure,
  timeSeriesFigure,
  costFigure,
  noisyNeighbourFigure,
  poolsFigure,
];

/** Every figure's self-drawn graphics (Figure.graphics), for plots/ (commands/summarize.ts). */
export function figureGraphics(ctx: FigureContext): Graphic[] {
  return FIGURES.filter((f) => f.applies(ctx)).flatMap((f) => f.graphics?.(ctx, f.rows(ctx)) ?? []);
}

/** The warnings every figure raises for a row, in FIGURES' order (model/build-rows.ts appends them). */
export function figureWarnings(row: Row, t: Thresholds): WarningDraft[] {
  return FIGURES.flatMap((f) => f.warnings?.(row, t) ?? []);
}
