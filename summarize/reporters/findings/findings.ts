import path from 'node:path';
import { SECONDS_RULE } from '../../../src/pgbench/txlog.js';
import type { CellRecord } from '../../../src/results/types.js';
import type { FigureContext, RunRecords } from '../../figures/figure.js';
import type { CellSeries } from '../../model/cell-series.js';
import { fixed, fmtInt, isNum } from '../../model/format.js';
import type { MatrixInfo } from '../../model/matrix-info.js';
import type { RenderOptions } from '../../model/report-options.js';
import type { Row } from '../../model/row.js';
import { RULES } from '../../model/rules.js';
import { tldr } from '../../tldr/index.js';
import { refs, type Sentence, sentence, where } from '../../tldr/refs.js';
import { metaLine, warningList, workloadNames } from '../markdown.js';
import { figureMethods, runSections, workloadTables } from '../tables/markdown-figures.js';
import { externalMethodLines, externalSetupLine } from './external-method.js';
import { mixMethodLines } from './mix-method.js';
import { poolLabel } from './pool-label.js';

export { tldr } from '../../tldr/index.js';
export type { NumberRef, Sentence } from '../../tldr/refs.js';

export interface FindingsOptions extends RenderOptions {
  matrix: MatrixInfo;
  /** One cell record per workload is enough: the method section quotes its pgbench argv. */
  cells: readonly CellRecord[];
  /** Plot files relative to the output dir (e.g. plots/tps-readonly.svg), with the figure and workload of each. */
  plots: readonly { file: string; figure: string; workload?: string }[];
  /** The directories summarized, for the reproduce section, and the working directory they are printed relative to. */
  dirs: readonly string[];
  cwd: string;
  totals: { cellsFailed: number; cellsIsolationChecked?: number; cellsWithForeignBackends?: number };
  /** The cells' time series and run.json's effective configs, for the figures that read them. */
  series?: readonly CellSeries[];
  configs?: ReadonlyArray<Record<string, unknown>>;
  /** The profiled components' folded stacks (flame graphs), when configs were profiled. */
  flames?: RunRecords['flames'];
}

function figureContext(rows: readonly Row[], o: FindingsOptions): FigureContext {
  return {
    rows,
    options: o,
    run: {
      cells: o.cells,
      series: o.series ?? [],
      configs: o.configs ?? [],
      ...(o.flames ? { flames: o.flames } : {}),
    },
  };
}

/** The isolation rule, as the runner enforces it (src/runner/run.ts, src/runner/isolation.ts). */
export const ISOLATION_RULE =
  "Only the config under test holds server connections during its cells: each config's pooler/proxy is started " +
  'before its cells and stopped after them, in every rep; before each cell the harness checks pg_stat_activity ' +
  'for client backends of other configs and waits, then fails the cell, if any remain. Each config reaches ' +
  'PostgreSQL as its own role, so server backends are counted per config.';

/**
 * The isolation rule and what the data says about it, for the method section: how many cells recorded the
 * runner's check and how many found foreign backends (from summary.json's totals), and the most
 * foreign backends the samplers saw during a cell (from a row). Runs from an older bench recorded
 * no check: that is said in words, with no number.
 */
export function isolationSentences(
  rows: readonly Row[],
  totals: FindingsOptions['totals'],
): { text: string; sentences: Sentence[] } {
  const out: (Sentence | undefined)[] = [];
  const checked = totals.cellsIsolationChecked ?? 0;
  if (checked === 0) {
    const text =
      "These results come from a bench that did not record the check (no `isolation:` line in any cell's `prepared` list): isolation was not checked.";
    out.push({ kind: 'isolation', text, numbers: [] });
  } else {
    const foreign = totals.cellsWithForeignBackends ?? 0;
    out.push(
      sentence(
        'isolation',
        `{0} cell${checked === 1 ? '' : 's'} recorded the check; {1} of them found client backends of other configs before ${checked === 1 ? 'it' : 'they'} ran.`,
        [
          { pointer: '/totals/cellsIsolationChecked', value: checked, text: fmtInt(checked) },
          { pointer: '/totals/cellsWithForeignBackends', value: foreign, text: fmtInt(foreign) },
        ],
      ),
    );
  }
  const sampled = rows.filter((r) => isNum(r.sampling?.foreignBackendsPeak));
  const worst = sampled.reduce<Row | undefined>(
    (m, r) => (!m || (r.sampling?.foreignBackendsPeak ?? 0) > (m.sampling?.foreignBackendsPeak ?? 0) ? r : m),
    undefined,
  );
  if (worst) {
    const none = (worst.sampling?.foreignBackendsPeak ?? 0) === 0;
    out.push(
      sentence(
        'isolation',
        none
          ? "While the cells ran, the samplers saw {0} client backends of other users than the config's role in any cell (pg_stat_activity, the samplers' own connections excluded)."
          : `While the cells ran, the samplers saw at most {0} client backends of other users than the config's role (pg_stat_activity, the samplers' own connections excluded; ${where(worst)} through ${worst.config}).`,
        [refs(rows)(worst).foreign()],
      ),
    );
  }
  const sentences = out.filter((x): x is Sentence => x !== undefined);
  const rule = checked === 0 ? `The current bench enforces this rule: ${ISOLATION_RULE}` : ISOLATION_RULE;
  return { text: [rule, ...sentences.map((x) => x.text)].join(' '), sentences };
}

/** pgbench argv without the connection details, which differ per machine and config. */
export function flagsOf(argv: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (['-h', '-p', '-U', '--host', '--port', '--username'].includes(a)) {
      i++;
      continue;
    }
    if (i === argv.length - 1 && !a.startsWith('-')) break; // the database name
    out.push(a);
  }
  return `pgbench ${out.join(' ')}`;
}

const sec = (ms: number | undefined) =>
  isNum(ms) ? `${fixed(ms / 1000, ms % 1000 === 0 ? 0 : 1)} s` : undefined;

function setup(o: FindingsOptions): string[] {
  const m = o.meta;
  const lines: string[] = [];
  if (m?.host) {
    lines.push(
      `- Host: \`${m.host.hostname}\`, ${m.host.cpus} × ${m.host.cpuModel}, ${fixed(m.host.memoryBytes / 1073741824, 1)} GiB RAM, ${m.host.platform}, kernel ${m.host.kernel}. ${m.external ? 'pgbench ran here; the pooler and server ran where their DSNs point.' : 'Client (pgbench), pooler and server share these cores.'}`,
    );
  }
  if (m?.external) lines.push(externalSetupLine(m.external));
  else if (m?.provider)
    lines.push(
      `- Provider: ${m.provider}${m.providerReason ? ` (${m.providerReason})` : ''}; every component listens on 127.0.0.1.`,
    );
  const v = Object.entries(m?.versions ?? {});
  if (v.length > 0) lines.push(`- Versions: ${v.map(([k, val]) => `${k} \`${val}\``).join(', ')}.`);
  if (m?.tool)
    lines.push(`- Harness: bench ${m.tool.version}${m.tool.gitSha ? ` (git ${m.tool.gitSha})` : ''}.`);
  if (m?.startedAt)
    lines.push(
      `- Ran from ${m.startedAt} to ${m.endedAt ?? '(not recorded)'}; run${m.runIds.length > 1 ? 's' : ''} ${m.runIds.map((r) => `\`${r}\``).join(', ')}.`,
    );
  const cfgs = o.matrix.configs.map((c) => {
    const bits = [
      c.kind,
      c.poolMode ? `${c.poolMode} mode` : undefined,
      poolLabel(
        c,
        o.matrix.workloads.some((w) => !w.groups),
      ),
      c.tls,
    ].filter(Boolean);
    return `\`${c.name}\`${bits.length ? ` (${bits.join(', ')})` : ''}`;
  });
  if (cfgs.length > 0)
    lines.push(`- Configs: ${cfgs.join(', ')}${o.baseline ? `; baseline \`${o.baseline}\`` : ''}.`);
  return lines;
}

function method(rows: readonly Row[], o: FindingsOptions): string[] {
  const m = o.matrix;
  const lines: string[] = [];
  if (o.meta?.matrix) lines.push(`- Matrix: \`${o.meta.matrix.file}\` (sha256 \`${o.meta.matrix.hash}\`).`);
  const shape = [
    m.workloads.length ? `workloads ${m.workloads.map((w) => `\`${w.name}\``).join(', ')}` : undefined,
    m.concurrency.length ? `concurrency ${m.concurrency.join(', ')}` : undefined,
    m.reps !== undefined
      ? `${m.reps} rep${m.reps === 1 ? '' : 's'} (interleaved: every cell of rep 1 before any of rep 2)`
      : undefined,
    sec(m.durationMs) ? `${sec(m.durationMs)} per cell` : undefined,
    sec(m.warmupMs) && m.warmupMs ? `warmup ${sec(m.warmupMs)}` : m.warmupMs === 0 ? 'no warmup' : undefined,
    m.scale !== undefined ? `scale ${m.scale}` : undefined,
    m.protocol ? `protocol ${m.protocol}` : undefined,
  ].filter(Boolean);
  if (shape.length > 0) lines.push(`- ${shape.join('; ')}.`);
  const seen = new Set<string>();
  for (const c of o.cells) {
    if (seen.has(c.workload) || c.argv.length === 0) continue;
    seen.add(c.workload);
    // A mix (docs/tenants.md): each group's own pgbench, with its clients at this concurrency.
    if (c.groups && c.groups.length > 0) {
      const tenantGroups = m.workloads.find((w) => w.name === c.workload)?.tenantGroups;
      lines.push(...mixMethodLines(c, o.cells, tenantGroups, flagsOf));
      continue;
    }
    lines.push(
      `- \`${c.workload}\`: \`${flagsOf(c.argv)}\` (as run for ${c.concurrency} client${c.concurrency === 1 ? '' : 's'}; -c and -j vary per cell).`,
    );
  }
  // The isolation line differs per cell; it is summed up below instead.
  const prepared = [
    ...new Set(
      o.cells
        .flatMap((c) => c.prepared)
        .filter((p) => !p.startsWith('isolation:') && !p.startsWith('profile segment')),
    ),
  ];
  if (prepared.length > 0)
    lines.push(
      `- Before each cell the harness ran: ${prepared.map((p) => `\`${p}\``).join(', ')} (as recorded per cell).`,
    );
  lines.push(
    `- ${RULES.percentiles} Memory is bounded by the number of distinct microsecond values, not by the number of transactions.`,
  );
  const interval =
    m.sampleIntervalMs ??
    o.cells.find((c) => typeof c.sampling?.intervalMs === 'number')?.sampling?.intervalMs;
  if (o.meta?.external) lines.push(...externalMethodLines(o.meta.external, o.totals));
  else lines.push(`- Isolation: ${isolationSentences(rows, o.totals).text}`);
  lines.push(...figureMethods(figureContext(rows, o)));
  if (o.cells.some((c) => c.sampling) && typeof interval === 'number') {
    lines.push(
      `- Sampling every ${interval} ms while pgbench ran (a cell shorter than 4 intervals is sampled every quarter of its duration): pg_stat_activity (server backends), PgBouncer SHOW POOLS/STATS, memory and CPU of each component's process tree.`,
      "- Memory is PSS (proportional set size, from /proc/<pid>/smaps_rollup summed over a component's process tree): shared pages are divided among the processes sharing them, so it is the memory the component really uses, read at least 3 times per cell. " +
        "The RSS sum, shown as a secondary column, counts shared pages (PostgreSQL's shared_buffers) once per process and so grows with the number of backends. " +
        'PostgreSQL PSS per server backend is the postgres PSS divided by the server backends counted at the same tick, averaged over the ticks of a cell, then over reps: it includes the postmaster, the auxiliary processes and shared memory spread over the backends. ' +
        'What one more backend costs (the TL;DR) is the least-squares slope of postgres peak PSS against peak server backends over the client counts of one config and workload; with one client count there is no slope, and no such figure.',
    );
  }
  lines.push(
    `- ${RULES.tps} ${RULES.ci95} ${RULES.cv}`,
    `- ${RULES.ratio}`,
    `- ${RULES.outliers}`,
    `- ${RULES.spectrum}`,
    `- Time series (report.html): ${SECONDS_RULE}.`,
  );
  if (o.matrix.workloads.some((w) => w.reconnect)) lines.push(`- ${RULES.reconnect}`);
  if (m.auth === 'scram-sha-256' && o.matrix.workloads.some((w) => w.reconnect)) {
    lines.push(
      '- Clients authenticate with SCRAM (scram-sha-256), to PostgreSQL and to PgBouncer alike: every new connection ' +
        'costs pgbench a SCRAM key derivation (4,096 PBKDF2 iterations) on the same cores, which weighs on the ' +
        'reconnect workloads. `auth: trust` in the matrix isolates the pooling effect.',
    );
  } else if (m.auth) {
    lines.push(`- Client authentication: ${m.auth}.`);
  }
  return lines;
}

/**
 * A summarized directory as the reproduce section prints it: relative to the working directory,
 * so it holds on another machine; `<results-dir>` when it lies outside it (an absolute path of the
 * machine that ran it would mean nothing elsewhere).
 */
export function reproduceDir(dir: string, cwd: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, dir));
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? '<results-dir>' : rel;
}

function reproduce(o: FindingsOptions): string[] {
  const cmd = o.meta?.command?.length
    ? o.meta.command.join(' ')
    : o.meta?.matrix
      ? `bench run ${o.meta.matrix.file}`
      : undefined;
  const lines = ['```sh'];
  if (cmd) lines.push(cmd);
  lines.push(`bench summarize ${o.dirs.map((d) => reproduceDir(d, o.cwd)).join(' ')}`, '```');
  return lines;
}

/** FINDINGS.md: a draft for humans to edit; every number in it comes from the rows. */
export function findings(
  rows: readonly Row[],
  o: FindingsOptions,
): { markdown: string; tldr: Sentence[]; setup: string[]; method: string[] } {
  const sentences = tldr(
    rows,
    {
      ...(o.baseline ? { baseline: o.baseline } : {}),
      totals: o.totals,
      ...(o.thresholds
        ? { cvThreshold: o.thresholds.cv, cpuSaturationCores: o.thresholds.cpuSaturationCores }
        : {}),
    },
    figureContext(rows, o),
  );
  const title = o.meta?.matrix?.name ?? o.meta?.runIds[0] ?? 'benchmark';
  const setupLines = setup(o);
  const methodLines = method(rows, o);
  const out: string[] = [
    `# Findings: ${title}`,
    '',
    `> Draft generated by \`bench summarize\`. Every number below is computed from the results (see summary.json); edit the prose, regenerate the numbers.`,
    '',
    '## TL;DR',
    '',
    ...(sentences.length > 0
      ? sentences.map((s) => `- ${s.text}`)
      : ['- No headline could be computed from the data (see the tables and warnings).']),
    '',
    '## Setup',
    '',
    ...setupLines,
    '',
    '## Method',
    '',
    ...methodLines,
    '',
    '## Results',
    '',
  ];
  const line = metaLine(o.meta);
  if (line) out.push(line, '');
  for (const w of workloadNames(rows)) {
    out.push(`### ${w}`, '', ...workloadTables(figureContext(rows, o), 'findings', w));
    const plots = o.plots.filter((p) => p.workload === w);
    if (plots.length > 0) out.push(plots.map((p) => `![${p.file}](${p.file})`).join('\n'), '');
  }
  out.push(...runSections(figureContext(rows, o), 'findings', o.plots));
  out.push('## Warnings and caveats', '');
  if (o.warnings.length > 0) out.push(warningList(o.warnings), '');
  else out.push('- No warning was raised.', '');
  if (o.gates && o.gates.failures.length > 0)
    out.push('Gates failed:', '', ...o.gates.failures.map((f) => `- ${f.message}`), '');
  out.push('## Reproduce', '', ...reproduce(o), '');
  return {
    markdown: `${out.join('\n').trimEnd()}\n`,
    tldr: sentences,
    setup: setupLines,
    method: methodLines,
  };
}
