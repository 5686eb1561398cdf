import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { runPaths } from './paths.js';
import { cellRecordSchema, describeIssues, runInfoSchema } from './schema.js';
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
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(p.runJson, 'utf8'));
  } catch (e) {
    throw new ConfigurationError(
      `${p.runJson}: expected JSON written by bench run (${(e as Error).message})`,
    );
  }
  const head = (json ?? {}) as { tool?: { name?: unknown }; schema?: unknown };
  if (head.tool?.name !== 'bench' || typeof head.schema !== 'number') {
    throw new ConfigurationError(
      `${p.runJson}: expected a run.json written by bench run, this one is another tool's`,
    );
  }
  if (head.schema > RESULTS_SCHEMA) {
    throw new ConfigurationError(
      `${p.runJson}: results schema ${head.schema} is newer than this bench understands (${RESULTS_SCHEMA}); upgrade bench`,
    );
  }
  const parsed = runInfoSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigurationError(
      `${p.runJson}: expected a run.json of results schema ${head.schema}, ${describeIssues(parsed.error)}`,
    );
  }
  const run = parsed.data;
  const { cells, warnings } = existsSync(p.cellsJsonl)
    ? parseCellsJsonl(readFileSync(p.cellsJsonl, 'utf8'), p.cellsJsonl)
    : { cells: [], warnings: [`${p.cellsJsonl}: no cells recorded`] };
  return { dir: path.resolve(dir), run, cells, warnings };
}

/**
 * The cell records of a cells.jsonl, the last one per id. A line that is not a valid record (a
 * truncated last line after a crash, a hand edit) is skipped with a warning naming it, never fatal:
 * the other cells still summarize, and a resumed run reruns the cell.
 */
export function parseCellsJsonl(text: string, file: string): { cells: CellRecord[]; warnings: string[] } {
  const warnings: string[] = [];
  const byId = new Map<string, CellRecord>();
  const lines = text.split('\n');
  const lastNonEmpty = lines.reduce((acc, l, i) => (l.trim() === '' ? acc : i), -1);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      warnings.push(
        i === lastNonEmpty && !text.endsWith('\n')
          ? `${file}:${i + 1}: truncated last line skipped (the run was probably killed mid-write)`
          : `${file}:${i + 1}: not JSON, line skipped`,
      );
      return;
    }
    const schema = (json as { schema?: unknown } | null)?.schema;
    if (typeof schema === 'number' && schema > RESULTS_SCHEMA) {
      warnings.push(
        `${file}:${i + 1}: results schema ${schema} is newer than this bench understands; line skipped`,
      );
      return;
    }
    const rec = cellRecordSchema.safeParse(json);
    if (!rec.success) {
      warnings.push(`${file}:${i + 1}: not a cell record (${describeIssues(rec.error)}), line skipped`);
      return;
    }
    byId.set(rec.data.id, rec.data);
  });
  return { cells: [...byId.values()].sort((a, b) => a.index - b.index), warnings };
}
