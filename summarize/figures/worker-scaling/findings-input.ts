import type { CellRecord } from '../../../src/results/types.js';
import type { CellSeries } from '../../model/cell-series.js';
import type { Row } from '../../model/row.js';
import { type EventBlip, eventBlips } from '../event-blips/blips.js';
import { type ScalingRow, scalingRows, workersByConfig } from './scaling.js';

/**
 * What FINDINGS.md says about PgBouncer workers and scheduled events: the scaling rows of configs
 * with workers and the blip of every event that was sent; each absent when the run has none.
 */
export function workerFindings(
  rows: readonly Row[],
  configs: ReadonlyArray<Record<string, unknown>>,
  cells: readonly CellRecord[],
  series: readonly CellSeries[],
): { scaling?: ScalingRow[]; blips?: EventBlip[] } {
  const workers = workersByConfig(configs);
  const scaling = [...workers.values()].some((n) => n > 1) ? scalingRows(rows, workers) : [];
  const byId = new Map(series.map((s) => [s.cellId, s]));
  const blips = cells.flatMap((c) => eventBlips(c, byId.get(c.id)));
  return { ...(scaling.length > 0 ? { scaling } : {}), ...(blips.length > 0 ? { blips } : {}) };
}
