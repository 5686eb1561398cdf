import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { runPaths } from './paths.js';
import type { CellRecord, RunInfo } from './types.js';

/** Writes run.json atomically (temp file + rename) so a crash never leaves half a file. */
export function writeRunInfo(dir: string, info: RunInfo): void {
  const p = runPaths(dir);
  const tmp = `${p.runJson}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(tmp, p.runJson);
}

/**
 * Appends one cell record as a single line and fsyncs, so the record is on disk before the next
 * cell starts: an interrupted run loses at most the cell that was running.
 */
export function appendCell(dir: string, rec: CellRecord): void {
  const p = runPaths(dir);
  const fd = openSync(p.cellsJsonl, 'a');
  try {
    appendFileSync(fd, `${JSON.stringify(rec)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function ensureRunDir(dir: string): void {
  mkdirSync(runPaths(dir).cellsDir, { recursive: true });
}
