import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Timeline } from '../../src/pgbench/timeline.js';
import { CELL_FILES, runPaths } from '../../src/results/paths.js';
import type { CellSeries } from '../model/cell-series.js';
import { cellOutages, type EventOutage } from '../model/outage.js';
import { configStrategy } from '../model/outage-compare.js';
import { matrixIndexer } from '../model/outage-index.js';
import type { SourcedCell } from './merge.js';

/** timeline.json of a cell, or none (an older run, a cell without a log, a torn file). */
function readTimeline(dir: string, id: string): Timeline | undefined {
  const file = path.join(runPaths(dir).cellDir(id), CELL_FILES.timeline);
  if (!existsSync(file)) return undefined;
  try {
    const t = JSON.parse(readFileSync(file, 'utf8')) as Timeline;
    return t?.v === 1 && Array.isArray(t.count) ? t : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The I/O half of the outage figures: every fired event of every cell, with its cell's ms timeline
 * and time axis (the series' start, the planned duration). `effectiveEvents`: run.json's events,
 * whose indices the event gates use; `configs`: run.json's effective configs (each one's strategy).
 */
export function loadOutages(
  cells: readonly SourcedCell[],
  series: readonly CellSeries[],
  effectiveEvents: unknown,
  configs: ReadonlyArray<Record<string, unknown>> = [],
): EventOutage[] {
  const byId = new Map(series.map((s) => [s.cellId, s]));
  const strategyOf = (name: string) => configStrategy(configs.find((c) => c.name === name));
  return cells.flatMap(({ cell, dir }) => {
    if (!(cell.events ?? []).some((e) => e.firedAt !== undefined)) return [];
    const s = byId.get(cell.id);
    const startMs = s?.startMs ?? Date.parse(cell.startedAt);
    const timeline = readTimeline(dir, cell.id);
    const strategy = strategyOf(cell.config);
    return cellOutages({
      ...(strategy !== undefined ? { strategy } : {}),
      cell,
      ...(timeline ? { timeline } : {}),
      startMs,
      endMs: startMs + (s?.durationS ?? 0) * 1000,
      matrixIndex: matrixIndexer(effectiveEvents, cell.config, cell.events ?? []),
    });
  });
}
