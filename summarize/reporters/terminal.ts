import { repsCell, rowNotes } from '../figures/throughput/notes.js';
import {
  fixed,
  fmtInt,
  fmtMiB,
  fmtMs,
  isNum,
  MISSING,
  meanPm,
  range,
  ratioDecimals,
  tpsDecimals,
} from '../model/format.js';
import type { RenderOptions } from '../model/report-options.js';
import type { Row } from '../model/row.js';
import { collapseWarnings } from '../model/warnings.js';
import { denseTable } from './terminal-table.js';

/**
 * Peak PSS of every sampled component, postgres first ("212.0 / 6.3"); "n/r" where PSS was not
 * read (the warnings say why), "–" without sampling.
 */
function pssColumn(r: Row): string {
  const cs = [...(r.sampling?.components ?? [])].sort(
    (a, b) => Number(b.role === 'postgres') - Number(a.role === 'postgres') || a.name.localeCompare(b.name),
  );
  if (cs.length === 0) return MISSING;
  return cs
    .map((c) => (isNum(c.pssPeakBytes) ? fmtMiB(c.pssPeakBytes) : c.pssMissing ? 'n/r' : MISSING))
    .join(' / ');
}

/**
 * The terminal table the CLI prints: one row per group, the workload as the first column, no
 * colours (the output is often piped into CI logs), then every warning with its hint.
 */
export function terminal(rows: readonly Row[], options: RenderOptions): string {
  const t = denseTable([
    ['workload', 'left'],
    ['config', 'left'],
    ['clients', 'right'],
    ['reps', 'right'],
    ['TPS mean ± σ', 'right'],
    ['TPS min … max', 'right'],
    ...(options.baseline ? [[`× ${options.baseline}`, 'right'] as [string, 'right']] : []),
    ['p50 ms', 'right'],
    ['p99 ms', 'right'],
    ['max ms', 'right'],
    ['failed tx', 'right'],
    ['PSS MiB (pg / others)', 'right'],
    ['notes', 'left'],
  ]);
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
      pssColumn(r),
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
