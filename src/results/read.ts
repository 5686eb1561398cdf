import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { runPaths } from './paths.js';
import { type CellRecord, RESULTS_SCHEMA, type RunInfo } from './types.js';

export interface RunData {
  dir: string;
  run: RunInfo;
  /** The last record per cell id wins (a resumed or retried cell supersedes the earlier one). */
  cells: CellRecord[];
  /** Problems the reader tolerated, e.g. a truncated last line after a crash mid-write. */
  warnings: string[];
}

/**
 * Reads a run directory. Tolerant where a crash could have left damage (a truncated last line of
 * cells.jsonl is skipped with a warning); strict where the directory is not ours at all.
 */
export function readRun(dir: string): RunData {
  const p = runPaths(dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigurationError(`${dir}: expected a run directory (results/<run-id>), it does not exist`);
  }
  if (!existsSync(p.runJson)) {
    throw new ConfigurationError(`${dir}: expected a bench run directory containing run.json, found none`);
  }
  let run: RunInfo;
  try {
    run = JSON.parse(readFileSync(p.runJson, 'utf8')) as RunInfo;
  } catch (e) {
    throw new ConfigurationError(
      `${p.runJson}: expected JSON written by bench run (${(e as Error).message})`,
    );
  }
  if (run?.tool?.name !== 'bench' || typeof run.schema !== 'number') {
    throw new ConfigurationError(
      `${p.runJson}: expected a run.json written by bench run, this one is another tool's`,
    );
  }
  if (run.schema > RESULTS_SCHEMA) {
    throw new ConfigurationError(
      `${p.runJson}: results schema ${run.schema} is newer than this bench understands (${RESULTS_SCHEMA}); upgrade bench`,
    );
  }
  const { cells, warnings } = existsSync(p.cellsJsonl)
    ? parseCellsJsonl(readFileSync(p.cellsJsonl, 'utf8'), p.cellsJsonl)
    : { cells: [], warnings: [`${p.cellsJsonl}: no cells recorded`] };
  return { dir: path.resolve(dir), run, cells, warnings };
}

export function parseCellsJsonl(text: string, file: string): { cells: CellRecord[]; warnings: string[] } {
  const warnings: string[] = [];
  const byId = new Map<string, CellRecord>();
  const lines = text.split('\n');
  const lastNonEmpty = lines.reduce((acc, l, i) => (l.trim() === '' ? acc : i), -1);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let rec: CellRecord;
    try {
      rec = JSON.parse(line) as CellRecord;
    } catch {
      if (i === lastNonEmpty && !text.endsWith('\n')) {
        warnings.push(
          `${file}:${i + 1}: truncated last line skipped (the run was probably killed mid-write)`,
        );
        return;
      }
      throw new ConfigurationError(
        `${file}:${i + 1}: expected one JSON cell record per line, found invalid JSON`,
      );
    }
    if (typeof rec?.id !== 'string' || typeof rec.state !== 'string') {
      throw new ConfigurationError(`${file}:${i + 1}: expected a cell record with id and state`);
    }
    byId.set(rec.id, rec);
  });
  return { cells: [...byId.values()].sort((a, b) => a.index - b.index), warnings };
}
