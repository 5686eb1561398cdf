import type { RenderOptions, ReportMeta } from '../model/report-options.js';
import type { Row, Warning } from '../model/row.js';
import { RULES } from '../model/rules.js';
import { collapseWarnings } from '../model/warnings.js';
import { runSections, workloadTables } from './tables/markdown-figures.js';

export function workloadNames(rows: readonly Row[]): string[] {
  return [...new Set(rows.map((r) => r.workload))];
}

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

/** summary.md: each workload's figure tables, the run-level figures, then every warning with its hint. */
export function markdown(rows: readonly Row[], options: RenderOptions): string {
  const out: string[] = [`# Summary${options.meta?.matrix?.name ? `: ${options.meta.matrix.name}` : ''}`, ''];
  const line = metaLine(options.meta);
  if (line) out.push(line, '');
  out.push(
    `TPS: mean ± sample standard deviation (n − 1) over completed reps; failed cells are listed, never averaged. ${RULES.percentiles}`,
    '',
  );
  const ctx = { rows, options };
  for (const w of workloadNames(rows)) out.push(`## ${w}`, '', ...workloadTables(ctx, 'summary', w));
  out.push(...runSections(ctx, 'summary'));
  if (options.warnings.length > 0) out.push('## Warnings', '', warningList(options.warnings), '');
  if (options.gates && options.gates.failures.length > 0) {
    out.push('## Gates failed', '', ...options.gates.failures.map((f) => `- ${f.message}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
