import type { FigureContext, Output } from '../../figures/figure.js';
import { FIGURES } from '../../figures/index.js';
import { markdownTable } from './markdown-table.js';

type MarkdownOutput = Extract<Output, 'summary' | 'findings'>;

function applicable(ctx: FigureContext) {
  return FIGURES.filter((f) => f.applies(ctx)).map((f) => ({ f, rows: f.rows(ctx) }));
}

/** The per-workload tables of every figure, for one workload's section of summary.md or FINDINGS.md. */
export function workloadTables(ctx: FigureContext, output: MarkdownOutput, workload: string): string[] {
  return applicable(ctx).flatMap(({ f, rows }) =>
    f.tables
      .filter((t) => t.perWorkload && t.in.includes(output))
      .flatMap((t) =>
        markdownTable(
          t,
          rows.filter((r) => t.perWorkload?.(r) === workload),
          ctx,
        ),
      ),
  );
}

/**
 * The run-level sections after the workloads: each figure's heading (shared by consecutive
 * figures of one section), its tables, and (FINDINGS.md) its plots without a workload.
 */
export function runSections(
  ctx: FigureContext,
  output: MarkdownOutput,
  plots: readonly { figure: string; file: string; workload?: string }[] = [],
): string[] {
  const out: string[] = [];
  let section: string | undefined;
  for (const { f, rows } of applicable(ctx)) {
    const tables = f.tables
      .filter((t) => !t.perWorkload && t.in.includes(output))
      .flatMap((t) => markdownTable(t, rows, ctx));
    const images = plots.filter((p) => p.figure === f.id && p.workload === undefined);
    if (tables.length === 0 && images.length === 0) continue;
    if (f.section && f.section.id !== section) out.push(`## ${f.section.title}`, '');
    section = f.section?.id;
    out.push(...tables);
    if (images.length > 0) out.push(images.map((p) => `![${p.file}](${p.file})`).join('\n'), '');
  }
  return out;
}

/** FINDINGS.md's method lines of every figure that applies, in FIGURES' order. */
export function figureMethods(ctx: FigureContext): string[] {
  return applicable(ctx).flatMap(({ f, rows }) => f.method?.(ctx, rows) ?? []);
}
