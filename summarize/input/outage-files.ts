import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Timeline } from '../../src/pgbench/timeline.js';
import { CELL_FILES, runPaths } from '../../src/results/paths.js';
import type { CellSeries } from '../model/cell-series.js';
import { cellOutages, type EventOutage, type UnsentEvent, unsentEvents } from '../model/outage.js';
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

/** The planned measured duration, s: pgbench's `-T`, else its own "duration: N s"; undefined when neither. */
function plannedDurationS(cell: SourcedCell['cell']): number | undefined {
  const i = cell.argv.indexOf('-T');
  const t = i >= 0 ? Number(cell.argv[i + 1]) : Number.NaN;
  if (Number.isFinite(t) && t > 0) return t;
  const d = cell.summary?.durationS;
  return d !== undefined && d > 0 ? d : undefined;
}

/**
 * The I/O half of the outage figures: every fired event of every cell, with its cell's ms timeline
 * and time axis (the series' start, the planned duration; without a series, the cell's start and
 * its planned `-T`; with neither duration, no time axis: the outages say so). `effectiveEvents`:
 * run.json's events, whose indices the event gates use; `configs`: run.json's effective configs
 * (each one's strategy).
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
    const durationS = s?.durationS ? s.durationS : plannedDurationS(cell);
    return cellOutages({
      ...(strategy !== undefined ? { strategy } : {}),
      cell,
      ...(timeline ? { timeline } : {}),
      startMs,
      endMs: durationS === undefined ? undefined : startMs + durationS * 1000,
      matrixIndex: matrixIndexer(effectiveEvents, cell.config, cell.events ?? []),
    });
  });
}

/** Every gated-or-not event a cell never sent, for the event gates (a gate nobody checked fails). */
export function loadUnsentEvents(cells: readonly SourcedCell[], effectiveEvents: unknown): UnsentEvent[] {
  return cells.flatMap(({ cell }) =>
    unsentEvents(cell, matrixIndexer(effectiveEvents, cell.config, cell.events ?? [])),
  );
}
