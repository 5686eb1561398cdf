import type { Row, Thresholds, WarningDraft } from '../model/row.js';
import type { Figure } from './figure.js';
import { offeredLoadFigure } from './offered-load/figure.js';
import { resourcesFigure } from './resources/figure.js';
import { sweepFigure } from './sweep/figure.js';
import { throughputFigure } from './throughput/figure.js';

/**
 * Every figure of the report, in the report's order. Reporters walk this list and render each
 * figure that applies; adding a figure is one folder and one line here (figures/README.md).
 */
export const FIGURES: readonly Figure[] = [throughputFigure, resourcesFigure, offeredLoadFigure, sweepFigure];

/** The warnings every figure raises for a row, in FIGURES' order (model/build-rows.ts appends them). */
export function figureWarnings(row: Row, t: Thresholds): WarningDraft[] {
  return FIGURES.flatMap((f) => f.warnings?.(row, t) ?? []);
}
