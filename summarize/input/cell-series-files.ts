import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CELL_FILES, groupSecondsFile, runPaths } from '../../src/results/paths.js';
import { type CellSeries, cellSeries, drawsGroupSeries } from '../model/cell-series.js';
import type { SourcedCell } from './merge.js';

function readIf(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The per-second files of a mix cell's groups that exist (older runs and failed cells have none). */
function groupSeconds(d: string, cell: SourcedCell['cell']): { name: string; text: string }[] {
  // Not drawn beyond MAX_GROUP_SERIES groups: not read either.
  if (!drawsGroupSeries(cell.groups?.length ?? 0)) return [];
  return (cell.groups ?? []).flatMap((g) => {
    const text = readIf(path.join(d, groupSecondsFile(g.name)));
    return text === undefined ? [] : [{ name: g.name, text }];
  });
}

/**
 * The I/O half of the time series: reads each cell's progress, samples and per-second latency files
 * (a mix cell's groups' too) and builds its series. Cells the runner never started (skipped, no
 * files) get none.
 */
export function loadCellSeries(cells: readonly SourcedCell[]): CellSeries[] {
  const out: CellSeries[] = [];
  for (const { cell, dir } of cells) {
    const d = runPaths(dir).cellDir(cell.id);
    if (!existsSync(d)) continue;
    const progress = readIf(path.join(d, CELL_FILES.progress));
    const samples = readIf(path.join(d, CELL_FILES.samples));
    const latencySeconds = readIf(path.join(d, CELL_FILES.latencySeconds));
    if (progress === undefined && samples === undefined && latencySeconds === undefined) continue;
    const groups = groupSeconds(d, cell);
    out.push(
      cellSeries({
        cell,
        ...(progress !== undefined ? { progress } : {}),
        ...(samples !== undefined ? { samples } : {}),
        ...(latencySeconds !== undefined ? { latencySeconds } : {}),
        ...(groups.length > 0 ? { groupSeconds: groups } : {}),
      }),
    );
  }
  return out;
}
