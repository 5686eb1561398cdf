import Table from 'cli-table3';
import {
  fixed,
  fmtInt,
  fmtMs,
  isNum,
  MISSING,
  meanPm,
  range,
  ratioDecimals,
  tpsDecimals,
} from '../format.js';
import type { Row } from '../model.js';
import type { RenderOptions } from '../report.js';
import { collapseWarnings } from '../warnings.js';
import { repsCell, rowNotes } from './notes.js';

/**
 * The terminal table the CLI prints: one row per group, the workload as the first column, no
 * colours (the output is often piped into CI logs), then every warning with its hint.
 */
export function terminal(rows: readonly Row[], options: RenderOptions): string {
  const t = new Table({
    head: [
      'workload',
      'config',
      'clients',
      'reps',
      'TPS mean ± σ',
      'TPS min … max',
      ...(options.baseline ? [`× ${options.baseline}`] : []),
      'p50 ms',
      'p99 ms',
      'max ms',
      'failed tx',
      'notes',
    ],
    style: { head: [], border: [] },
    // No rule between body rows: denser, and a long matrix stays on one screen.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: [
      'left',
      'left',
      'right',
      'right',
      'right',
      'right',
      ...(options.baseline ? ['right' as const] : []),
      'right',
      'right',
      'right',
      'right',
      'left',
    ],
  });
  for (const r of rows) {
    const v = r.vsBaseline;
    const ratio = r.isBaseline
      ? 'baseline'
      : v && isNum(v.tpsRatio)
        ? isNum(v.tpsRatioError)
          ? `${fixed(v.tpsRatio, ratioDecimals(v.tpsRatio))} ± ${fixed(v.tpsRatioError, ratioDecimals(v.tpsRatio))}`
          : fixed(v.tpsRatio, ratioDecimals(v.tpsRatio))
        : MISSING;
    t.push([
      r.workload,
      r.config,
      String(r.concurrency),
      repsCell(r),
      meanPm(r.tps.mean, r.tps.std, tpsDecimals),
      range(r.tps.min, r.tps.max, tpsDecimals),
      ...(options.baseline ? [ratio] : []),
      fmtMs(r.latency?.p50Ms),
      fmtMs(r.latency?.p99Ms),
      fmtMs(r.latency?.maxMs),
      fmtInt(r.failedTransactions),
      rowNotes(r, options.warnings).join('; '),
    ]);
  }
  const out = [t.toString()];
  if (options.warnings.length > 0) {
    out.push('');
    for (const w of collapseWarnings(options.warnings))
      out.push(`warning (${w.kind}): ${w.message}`, `  hint: ${w.hint}`);
  }
  if (options.gates && options.gates.failures.length > 0) {
    out.push('');
    for (const f of options.gates.failures) out.push(`gate failed: ${f.message}`);
  }
  return `${out.join('\n')}\n`;
}
