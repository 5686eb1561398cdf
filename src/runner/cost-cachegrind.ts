import type { CostFunction } from '../results/cost-types.js';

/*
 * Parser for cachegrind's out files (valgrind 3.19, `--tool=cachegrind --cache-sim=no`), checked
 * against recorded files in test/fixtures/cost/valgrind (test/fixtures/cost/README.md).
 *
 * The format: header lines (`desc:`, `cmd:`, `events: Ir`), then `fl=<file>` and `fn=<name>`
 * lines that set the current file and function, each followed by `<line> <Ir>` cost lines; `fi=`
 * and `fe=` switch the file of inlined code without changing the function; the last line is
 * `summary: <Ir>`. With --cache-sim=no the only event is Ir (instructions executed, user space).
 * A function may appear several times (again later, or under another fl= when code of another file
 * was inlined into it): its counts add up under its name, and its file is the one that carries most
 * of them.
 * With --trace-children=yes and cg.%p, every process writes its own file; the cost of a forking
 * component is the sum over its files.
 */

/** What one out file holds. */
export interface CachegrindFile {
  /** The `summary:` total, or the sum of the cost lines when a file has no summary line. */
  instructions: number;
  /** Ir per function name. */
  functions: Map<string, CostFunction>;
}

export class CachegrindParseError extends Error {
  override name = 'CachegrindParseError';
}

const COST_LINE = /^(\d+)\s+(\d+)/;

/** Parses one cachegrind out file; throws CachegrindParseError when it is not one. */
export function parseCachegrind(text: string): CachegrindFile {
  const lines = text.split('\n');
  if (!lines.some((l) => l.startsWith('events:'))) {
    throw new CachegrindParseError('not a cachegrind out file (no "events:" line)');
  }
  const events =
    lines
      .find((l) => l.startsWith('events:'))
      ?.slice(7)
      .trim()
      .split(/\s+/) ?? [];
  const irColumn = events.indexOf('Ir');
  if (irColumn !== 0)
    throw new CachegrindParseError(`expected "events: Ir ..." but found "events: ${events.join(' ')}"`);
  const functions = new Map<string, CostFunction>();
  const byFile = new Map<string, Map<string, number>>();
  let file = '';
  // The files (with their Ir) of the function the cost lines belong to now.
  let current: Map<string, number> | undefined;
  let summed = 0;
  let summary: number | undefined;
  for (const line of lines) {
    if (line.startsWith('fl=')) file = line.slice(3);
    else if (line.startsWith('fn=')) {
      const fn = line.slice(3);
      current = byFile.get(fn) ?? new Map<string, number>();
      byFile.set(fn, current);
    } else if (line.startsWith('summary:')) summary = Number(line.slice(8).trim().split(/\s+/)[0]);
    else {
      const m = COST_LINE.exec(line);
      if (m && current) {
        const ir = Number(m[2]);
        current.set(file, (current.get(file) ?? 0) + ir);
        summed += ir;
      }
    }
  }
  if (summary !== undefined && !Number.isFinite(summary))
    throw new CachegrindParseError('unreadable "summary:" line');
  for (const [name, files] of byFile) functions.set(name, mergeFiles(name, files));
  return { instructions: summary ?? summed, functions };
}

function mergeFiles(fn: string, files: Map<string, number>): CostFunction {
  let total = 0;
  let top: [string, number] = ['', -1];
  for (const [file, ir] of files) {
    total += ir;
    if (ir > top[1]) top = [file, ir];
  }
  const file = top[0];
  return { fn, ...(file && file !== '???' ? { file } : {}), instructions: total };
}

/** The functions' share of instructions that must carry real names for the binary to count as symbolized. */
const SYMBOLIZED_SHARE = 0.5;
export const TOP_FUNCTIONS = 40;

/** valgrind's name for code it has no symbol for, and a bare address. */
function unnamed(fn: string): boolean {
  return fn === '???' || /^0x[0-9a-f]+$/i.test(fn);
}

export interface CachegrindTotals {
  processes: number;
  instructions: number;
  functions: CostFunction[];
  symbolized: boolean;
}

/**
 * One component's cost from the out files of all its processes: instructions summed, functions
 * summed by (file, name) across processes, the top 40 by instructions. `symbolized` is false when
 * less than half of the instructions fall in named functions (a stripped binary: names are `???`).
 */
export function sumCachegrind(files: CachegrindFile[]): CachegrindTotals {
  const merged = new Map<string, CostFunction>();
  let instructions = 0;
  for (const f of files) {
    instructions += f.instructions;
    for (const [key, fn] of f.functions) {
      const m = merged.get(key);
      if (m) m.instructions += fn.instructions;
      else merged.set(key, { ...fn });
    }
  }
  const all = [...merged.values()].sort(
    (a, b) => b.instructions - a.instructions || a.fn.localeCompare(b.fn),
  );
  const named = all.filter((f) => !unnamed(f.fn)).reduce((s, f) => s + f.instructions, 0);
  return {
    processes: files.length,
    instructions,
    functions: all.slice(0, TOP_FUNCTIONS),
    symbolized: instructions > 0 && named / instructions >= SYMBOLIZED_SHARE,
  };
}
