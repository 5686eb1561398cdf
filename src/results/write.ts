import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { redactDeep } from '../util/redact.js';
import type { CostCellRecord } from './cost-types.js';
import { runPaths } from './paths.js';
import type { CellRecord, RunInfo } from './types.js';

/**
 * Writes run.json atomically (temp file + rename) so a crash never leaves half a file. Secrets a
 * matrix or command line may carry (a DSN's password, `password=`) are redacted on the way.
 */
export function writeRunInfo(dir: string, info: RunInfo): void {
  const p = runPaths(dir);
  const tmp = `${p.runJson}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(redactDeep(info), null, 2)}\n`);
  renameSync(tmp, p.runJson);
}

/**
 * Appends one cell record as a single line and fsyncs, so the record is on disk before the next
 * cell starts: an interrupted run loses at most the cell that was running.
 */
export function appendCell(dir: string, rec: CellRecord): void {
  appendLine(runPaths(dir).cellsJsonl, rec);
}

/**
 * A cost cell's record goes to cost.jsonl, never to cells.jsonl (src/results/cost-types.ts), with
 * the same append-and-fsync as a cell's.
 */
export function appendCost(dir: string, rec: CostCellRecord): void {
  appendLine(runPaths(dir).costJsonl, rec);
}

function appendLine(file: string, rec: CellRecord | CostCellRecord): void {
  const fd = openSync(file, 'a');
  try {
    appendFileSync(fd, `${JSON.stringify(redactDeep(rec))}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function ensureRunDir(dir: string): void {
  mkdirSync(runPaths(dir).cellsDir, { recursive: true });
}

/**
 * Before appending to a resumed run: a crash mid-write can leave cells.jsonl without a final
 * newline. The partial line is moved to cells.jsonl.partial (kept for inspection) and the file cut
 * back to its last complete record, so the next append starts on a line of its own.
 */
export function repairCellsJsonl(dir: string): string | undefined {
  const p = runPaths(dir);
  if (!existsSync(p.cellsJsonl)) return undefined;
  const buf = readFileSync(p.cellsJsonl);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return undefined;
  const keep = buf.lastIndexOf(0x0a) + 1;
  appendFileSync(`${p.cellsJsonl}.partial`, buf.subarray(keep));
  truncateSync(p.cellsJsonl, keep);
  return `${p.cellsJsonl}: cut a partial last record (${buf.length - keep} bytes, kept in cells.jsonl.partial)`;
}
