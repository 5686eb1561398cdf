import { repsCell, rowNotes } from '../figures/throughput/notes.js';
import { PER_CORE_RULE, perCoreTable } from '../model/connections-per-core.js';
import {
  fixed,
  fmtCores,
  fmtInt,
  fmtMiB,
  fmtMs,
  fmtPct,
  fmtTps,
  isNum,
  MISSING,
  meanPm,
  msDecimals,
  range,
  ratioDecimals,
  tpsDecimals,
} from '../model/format.js';
import type { RenderOptions, ReportMeta } from '../model/report-options.js';
import { roleFigures, sumNote } from '../model/role-figures.js';
import type { ComponentFigures, Row, Warning } from '../model/row.js';
import { RULES } from '../model/rules.js';
import { collapseWarnings } from '../model/warnings.js';
import { runSections, workloadTables } from './tables/markdown-figures.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(header: string[], align: ('l' | 'r')[], body: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '--:' : ':--'));
  return [header, sep, ...body].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

function vsBaseline(r: Row): string {
  if (r.isBaseline) return 'baseline';
  const v = r.vsBaseline;
  if (!v || !isNum(v.tpsRatio)) return MISSING;
  const d = ratioDecimals(v.tpsRatio);
  return isNum(v.tpsRatioError)
    ? `${fixed(v.tpsRatio, d)} ± ${fixed(v.tpsRatioError, d)}`
    : fixed(v.tpsRatio, d);
}

export function workloadNames(rows: readonly Row[]): string[] {
  return [...new Set(rows.map((r) => r.workload))];
}

/** The main table of one workload: TPS over reps, latency from merged histograms, ratio to the baseline. */
export function workloadTable(rows: readonly Row[], workload: string, options: RenderOptions): string {
  const rs = rows.filter((r) => r.workload === workload);
  const reconnect = rs.some((r) => r.reconnect);
  const header = [
    'config',
    'clients',
    'reps',
    'TPS (mean ± σ)',
    'TPS (min … max)',
    'TPS 95% CI (±)',
    'CV',
    ...(options.baseline ? [`TPS × ${options.baseline}`] : []),
    'p50 (ms)',
    'p90 (ms)',
    'p99 (ms)',
    'p99.9 (ms)',
    'max (ms)',
    ...(reconnect ? ['connect (ms)'] : []),
    'failed tx',
    'notes',
  ];
  const align: ('l' | 'r')[] = header.map((h) => (h === 'config' || h === 'notes' ? 'l' : 'r'));
  const body = rs.map((r) => [
    r.config,
    String(r.concurrency),
    repsCell(r),
    meanPm(r.tps.mean, r.tps.std, tpsDecimals),
    range(r.tps.min, r.tps.max, tpsDecimals),
    isNum(r.tps.ci95) ? fmtTps(r.tps.ci95) : MISSING,
    fmtPct(r.tps.cv),
    ...(options.baseline ? [vsBaseline(r)] : []),
    fmtMs(r.latency?.p50Ms),
    fmtMs(r.latency?.p90Ms),
    fmtMs(r.latency?.p99Ms),
    fmtMs(r.latency?.p999Ms),
    fmtMs(r.latency?.maxMs),
    ...(reconnect
      ? [r.connectionMs ? meanPm(r.connectionMs.mean, r.connectionMs.std, msDecimals) : MISSING]
      : []),
    fmtInt(r.failedTransactions),
    rowNotes(r, options.warnings).join('; '),
  ]);
  const out = [table(header, align, body)];
  if (reconnect) out.push('', `Note: ${RULES.reconnect}`);
  return out.join('\n');
}

/** A component's PSS for a table cell: "not read" (not a bare dash) when the sampler could not read it. */
export function pssCell(
  c: Pick<ComponentFigures, 'pssMissing'> | undefined,
  bytes: number | undefined,
): string {
  if (c === undefined) return MISSING;
  if (isNum(bytes)) return fmtMiB(bytes);
  return c.pssMissing ? 'not read' : MISSING;
}

/** The caption above a resource table, naming what each memory column means. */
export const RESOURCE_CAPTION =
  'Sampled while the cells ran (peaks over reps; CPU in cores, 1 = one core busy). Memory is PSS: ' +
  'shared pages divided among the processes sharing them, the memory a component really uses. ' +
  'The RSS sum counts shared pages (shared_buffers) once per process, so it grows with backends. ' +
  'PSS per server backend is postgres PSS / server backends at the same tick. "not read": see the warnings.';

/** Sampled figures of one workload, or undefined when nothing was sampled. */
export function resourceTable(rows: readonly Row[], workload: string): string | undefined {
  const rs = rows.filter((r) => r.workload === workload && r.sampling);
  if (rs.length === 0) return undefined;
  const roles = [...new Set(rs.flatMap((r) => r.sampling?.components.map((c) => c.role) ?? []))].sort();
  const hasPooler = rs.some((r) => r.sampling?.clWaitingPeak !== undefined);
  const hasForeign = rs.some((r) => r.sampling?.foreignBackendsPeak !== undefined);
  const hasPerBackend = rs.some((r) => r.sampling?.pssPerBackendBytes !== undefined);
  const header = [
    'config',
    'clients',
    'server backends (peak)',
    ...(hasForeign ? ['foreign backends (peak)'] : []),
    ...(hasPooler ? ['pooler server conns (peak)', 'cl_waiting (peak)'] : []),
    ...roles.flatMap((role) => [
      `${role} PSS (MiB, peak)`,
      `${role} RSS sum (MiB, peak; shared pages counted per process)`,
      `${role} CPU (cores, mean)`,
    ]),
    ...(hasPerBackend ? ['postgres PSS per server backend (MiB)'] : []),
  ];
  const align: ('l' | 'r')[] = header.map((h) => (h === 'config' ? 'l' : 'r'));
  let summed = false;
  const body = rs.map((r) => {
    const s = r.sampling;
    return [
      r.config,
      String(r.concurrency),
      fmtInt(s?.serverBackendsPeak),
      ...(hasForeign ? [fmtInt(s?.foreignBackendsPeak)] : []),
      ...(hasPooler ? [fmtInt(s?.poolerServerConnectionsPeak), fmtInt(s?.clWaitingPeak)] : []),
      ...roles.flatMap((role) => {
        const c = roleFigures(r, role);
        const sum = sumNote(c);
        summed ||= sum !== '';
        const tag = (text: string) => (text === MISSING ? text : text + sum);
        return [
          tag(pssCell(c, c?.pssPeakBytes)),
          tag(fmtMiB(c?.rssPeakBytes)),
          tag(fmtCores(c?.cpuCoresMean)),
        ];
      }),
      ...(hasPerBackend ? [fmtMiB(s?.pssPerBackendBytes)] : []),
    ];
  });
  const out = table(header, align, body);
  return summed ? `${out}\n\n${SUM_NOTE}` : out;
}

/** Under a resource table with a row of several processes of one role (PgBouncer `workers: N`). */
const SUM_NOTE =
  '"(sum of N)": the config runs N processes of that role (PgBouncer `workers: N`); its PSS, RSS and CPU ' +
  "are the sum over the N processes (a peak is the sum of each process's own peak).";

export function warningList(warnings: readonly Warning[]): string {
  return collapseWarnings(warnings)
    .map((w) => `- **${w.kind}**: ${w.message}.  \n  _Hint:_ ${w.hint}`)
    .join('\n');
}

export function metaLine(meta: ReportMeta | undefined): string | undefined {
  if (!meta) return undefined;
  const parts = [`run${meta.runIds.length > 1 ? 's' : ''} ${meta.runIds.map((r) => `\`${r}\``).join(', ')}`];
  if (meta.matrix) parts.push(`matrix \`${meta.matrix.file}\` (sha256 \`${meta.matrix.hash.slice(0, 12)}\`)`);
  if (meta.provider) parts.push(`provider ${meta.provider}`);
  const v = Object.entries(meta.versions).map(([k, val]) => `${k} ${val}`);
  if (v.length > 0) parts.push(v.join(', '));
  return parts.join(' · ');
}

/** summary.md: one table per workload (plus sampled resources), then every warning with its hint. */
export function markdown(rows: readonly Row[], options: RenderOptions): string {
  const out: string[] = [`# Summary${options.meta?.matrix?.name ? `: ${options.meta.matrix.name}` : ''}`, ''];
  const line = metaLine(options.meta);
  if (line) out.push(line, '');
  out.push(
    `TPS: mean ± sample standard deviation (n − 1) over completed reps; failed cells are listed, never averaged. ${RULES.percentiles}`,
    '',
  );
  for (const w of workloadNames(rows)) {
    out.push(`## ${w}`, '', workloadTable(rows, w, options), '');
    const res = resourceTable(rows, w);
    if (res) out.push(`${RESOURCE_CAPTION}`, '', res, '');
    const perCore = perCoreTable(rows, w);
    if (perCore) out.push(PER_CORE_RULE, '', perCore, '');
    out.push(...workloadTables({ rows, options }, 'summary', w));
  }
  out.push(...runSections({ rows, options }, 'summary'));
  if (options.warnings.length > 0) out.push('## Warnings', '', warningList(options.warnings), '');
  if (options.gates && options.gates.failures.length > 0) {
    out.push('## Gates failed', '', ...options.gates.failures.map((f) => `- ${f.message}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
