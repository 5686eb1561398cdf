import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CostMethod } from '../results/cost-types.js';
import { COST_OUTPUT } from '../stack/count-wrap.js';
import { CachegrindParseError, parseCachegrind } from './cost-cachegrind.js';
import { parsePerfStat } from './cost-perf-stat.js';
import type { ProcessOutput } from './cost-record.js';

/**
 * Reads what one counted process left in its output directory (after it stopped): every cachegrind
 * out file (one per process of its tree), or perf stat's CSV, which is copied into the cost cell's
 * results directory as `<name>.perf.csv` (cachegrind's files stay in the scratch directory and go
 * with it: the record keeps their totals and top functions).
 */
export function readProcessOutput(method: CostMethod, dir: string, keepDir: string): ProcessOutput {
  if (method === 'perf') {
    const file = path.join(dir, COST_OUTPUT.perfCsv);
    if (!existsSync(file))
      return { method, perf: { ok: false, error: 'perf stat wrote no output (it did not exit cleanly)' } };
    mkdirSync(keepDir, { recursive: true });
    copyFileSync(file, path.join(keepDir, `${path.basename(dir)}.perf.csv`));
    return { method, perf: parsePerfStat(readFileSync(file, 'utf8')) };
  }
  const names = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.startsWith(COST_OUTPUT.cachegrindPrefix))
    : [];
  try {
    return {
      method,
      files: names.sort().map((f) => parseCachegrind(readFileSync(path.join(dir, f), 'utf8'))),
    };
  } catch (e) {
    if (!(e instanceof CachegrindParseError)) throw e;
    return { method, files: [], error: `a cachegrind out file could not be read: ${e.message}` };
  }
}
