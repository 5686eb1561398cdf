import type { CellRecord } from '../src/results/types.js';
import {
  fixed,
  fmtCores,
  fmtInt,
  fmtMiB,
  fmtMs,
  fmtPct,
  fmtRatio,
  fmtTps,
  isNum,
  ratioDecimals,
} from './format.js';
import type { MatrixInfo } from './matrix-info.js';
import type { Row } from './model.js';
import type { RenderOptions } from './report.js';
import {
  metaLine,
  RESOURCE_CAPTION,
  resourceTable,
  warningList,
  workloadNames,
  workloadTable,
} from './reporters/markdown.js';
import { RULES } from './rules.js';

/**
 * A number quoted in FINDINGS.md, with where it lives in summary.json (a JSON pointer), its exact
 * value and the text printed. A test resolves every pointer and checks the value: no number in the
 * prose can drift from the data.
 */
export interface NumberRef {
  pointer: string;
  value: number;
  text: string;
  /** The printed text is value × scale (100 for percentages). */
  scale?: number;
}

export interface Sentence {
  kind: 'overhead' | 'pooling-gain' | 'saturation' | 'backends' | 'memory' | 'cpu' | 'anomaly' | 'isolation';
  text: string;
  numbers: NumberRef[];
}

/** Adding clients beyond the saturation point buys less than this fraction of TPS. */
const SCALING_GAIN = 0.1;

const where = (r: Row) => `${r.workload} at ${r.concurrency} client${r.concurrency === 1 ? '' : 's'}`;

/** Builds NumberRefs for one row, by its index in summary.json's rows. */
function refs(rows: readonly Row[]) {
  return (r: Row) => {
    const i = rows.indexOf(r);
    const at = (path: string, value: number, text: string, scale?: number): NumberRef => ({
      pointer: `/rows/${i}/${path}`,
      value,
      text,
      ...(scale ? { scale } : {}),
    });
    return {
      clients: () => at('concurrency', r.concurrency, String(r.concurrency)),
      tps: () => at('tps/mean', r.tps.mean, fmtTps(r.tps.mean)),
      ratio: () =>
        at('vsBaseline/tpsRatio', r.vsBaseline?.tpsRatio ?? Number.NaN, fmtRatio(r.vsBaseline?.tpsRatio)),
      ratioErr: () => {
        const v = r.vsBaseline;
        const d = ratioDecimals(v?.tpsRatio ?? 0);
        return at('vsBaseline/tpsRatioError', v?.tpsRatioError ?? Number.NaN, fixed(v?.tpsRatioError, d));
      },
      p99: () => at('latency/p99Ms', r.latency?.p99Ms ?? Number.NaN, fmtMs(r.latency?.p99Ms)),
      conn: () => at('connectionMs/mean', r.connectionMs?.mean ?? Number.NaN, fmtMs(r.connectionMs?.mean)),
      cv: () => at('tps/cv', r.tps.cv, fmtPct(r.tps.cv), 100),
      backends: () =>
        at(
          'sampling/serverBackendsPeak',
          r.sampling?.serverBackendsPeak ?? Number.NaN,
          fmtInt(r.sampling?.serverBackendsPeak),
        ),
      pss: (j: number) => {
        const c = r.sampling?.components[j];
        return at(
          `sampling/components/${j}/pssPeakBytes`,
          c?.pssPeakBytes ?? Number.NaN,
          fmtMiB(c?.pssPeakBytes),
          MIB,
        );
      },
      perBackend: () =>
        at(
          'sampling/pssPerBackendBytes',
          r.sampling?.pssPerBackendBytes ?? Number.NaN,
          fmtMiB(r.sampling?.pssPerBackendBytes),
          MIB,
        ),
      foreign: () =>
        at(
          'sampling/foreignBackendsPeak',
          r.sampling?.foreignBackendsPeak ?? Number.NaN,
          fmtInt(r.sampling?.foreignBackendsPeak),
        ),
      cpu: (j: number) => {
        const c = r.sampling?.components[j];
        return at(
          `sampling/components/${j}/cpuCoresMean`,
          c?.cpuCoresMean ?? Number.NaN,
          fmtCores(c?.cpuCoresMean),
        );
      },
      failedTx: () => at('failedTransactions', r.failedTransactions, fmtInt(r.failedTransactions)),
    };
  };
}

/** NumberRef scale for bytes printed in MiB. */
const MIB = 1 / 1048576;

/** Fills `{0}`, `{1}`... with the numbers' texts; a sentence with any missing number is dropped. */
function sentence(kind: Sentence['kind'], template: string, numbers: NumberRef[]): Sentence | undefined {
  if (numbers.some((n) => !isNum(n.value))) return undefined;
  const text = template
    .replace(/\{(\d+)\}/g, (_m, k: string) => numbers[Number(k)]?.text ?? '?')
    .replace(/(^|[^\d.,])1 clients\b/g, '$11 client');
  return { kind, text, numbers };
}

/** Index of the postgres component in a row's sampling figures, -1 when it was not sampled. */
function pgIndex(r: Row): number {
  return r.sampling?.components.findIndex((c) => c.role === 'postgres') ?? -1;
}

/** "0.48 ± 0.01" when the spread is known, else "0.48" (one rep on a side). */
function ratioTemplate(r: Row, base: number): { t: string; n: number } {
  return isNum(r.vsBaseline?.tpsRatioError)
    ? { t: `{${base}} ± {${base + 1}}`, n: 2 }
    : { t: `{${base}}`, n: 1 };
}

/**
 * The TL;DR: sentences generated from the rows. Each is an object with the numbers it quotes, so a
 * test can check them against summary.json; a sentence that would need a missing number is left out.
 */
export function tldr(
  rows: readonly Row[],
  options: { baseline?: string; totals?: { cellsFailed: number }; cvThreshold?: number },
): Sentence[] {
  const cvThreshold = options.cvThreshold ?? 0.1;
  const out: (Sentence | undefined)[] = [];
  const R = refs(rows);
  // Headlines only from groups where every cell completed: a ratio over the survivors of a failed
  // group would be a claim the data does not support (the failure is its own sentence below).
  const completed = rows.filter((r) => r.repsCompleted > 0 && r.failedCells.length === 0);
  const baseRow = (r: Row) =>
    rows.find(
      (b) => b.config === options.baseline && b.workload === r.workload && b.concurrency === r.concurrency,
    );

  // Largest overhead: the lowest TPS ratio below 1 on a workload that keeps its connections.
  const slower = completed
    .filter((r) => !r.reconnect && isNum(r.vsBaseline?.tpsRatio) && (r.vsBaseline?.tpsRatio ?? 1) < 1)
    .sort((a, b) => (a.vsBaseline?.tpsRatio ?? 0) - (b.vsBaseline?.tpsRatio ?? 0));
  const worst = slower[0];
  const worstBase = worst ? baseRow(worst) : undefined;
  if (worst && worstBase) {
    const rt = ratioTemplate(worst, 0);
    const a = R(worst);
    const b = R(worstBase);
    const nums = [...(rt.n === 2 ? [a.ratio(), a.ratioErr()] : [a.ratio()]), a.tps(), b.tps()];
    const k = rt.n;
    const withP99 = worst.latency && worstBase.latency;
    out.push(
      sentence(
        'overhead',
        `Largest overhead against ${worstBase.config}: through ${worst.config}, ${worst.workload} at {${k + 2}} clients ran at ${rt.t} times the TPS of ${worstBase.config} ({${k}} vs {${k + 1}} tps${withP99 ? `; p99 {${k + 3}} ms vs {${k + 4}} ms` : ''}).`,
        [...nums, a.clients(), ...(withP99 ? [a.p99(), b.p99()] : [])],
      ),
    );
  }

  // Pooling gain on the reconnect workloads: per config and workload, at the highest concurrency.
  const reconnectRows = completed.filter(
    (r) => r.reconnect && !r.isBaseline && isNum(r.vsBaseline?.tpsRatio),
  );
  const byCfgWl = new Map<string, Row>();
  for (const r of reconnectRows) {
    const key = `${r.config}@${r.workload}`;
    const prev = byCfgWl.get(key);
    if (!prev || r.concurrency > prev.concurrency) byCfgWl.set(key, r);
  }
  for (const r of byCfgWl.values()) {
    const b = baseRow(r);
    if (!b) continue;
    const rt = ratioTemplate(r, 0);
    const a = R(r);
    const bb = R(b);
    const k = rt.n;
    const conn = r.connectionMs && b.connectionMs;
    out.push(
      sentence(
        'pooling-gain',
        `Through ${r.config}, ${r.workload} (a new connection per transaction) at {${k}} clients ran ${rt.t} times the TPS of ${b.config} ({${k + 1}} vs {${k + 2}} tps${conn ? `; connecting took {${k + 3}} ms vs {${k + 4}} ms` : ''}).`,
        [
          ...(rt.n === 2 ? [a.ratio(), a.ratioErr()] : [a.ratio()]),
          a.clients(),
          a.tps(),
          bb.tps(),
          ...(conn ? [a.conn(), bb.conn()] : []),
        ],
      ),
    );
  }

  // Where a config stops scaling: the lowest concurrency beyond which no level gains 10% more TPS.
  const series = new Map<string, Row[]>();
  for (const r of completed)
    series.set(`${r.config}@${r.workload}`, [...(series.get(`${r.config}@${r.workload}`) ?? []), r]);
  for (const s of series.values()) {
    const sorted = [...s].sort((a, b) => a.concurrency - b.concurrency).filter((r) => isNum(r.tps.mean));
    for (let i = 0; i < sorted.length - 1; i++) {
      const at = sorted[i] as Row;
      const beyond = sorted.slice(i + 1);
      const best = beyond.reduce((m, r) => (r.tps.mean > m.tps.mean ? r : m));
      if (best.tps.mean < at.tps.mean * (1 + SCALING_GAIN)) {
        const a = R(at);
        const c = R(best);
        const peak = best.tps.mean > at.tps.mean;
        out.push(
          sentence(
            'saturation',
            peak
              ? `${at.config} stops scaling on ${at.workload} at {0} clients: {1} tps there, at most {2} tps (at {3} clients) beyond.`
              : `${at.config} stops scaling on ${at.workload} at {0} clients: {1} tps there, and no more with more clients (at most {2} tps, at {3} clients).`,
            [a.clients(), a.tps(), c.tps(), c.clients()],
          ),
        );
        break;
      }
    }
  }

  // Multiplexing: how many server backends a pooled config held at its highest concurrency.
  const pooled = completed.filter(
    (r) => !r.isBaseline && r.configKind !== 'direct' && isNum(r.sampling?.serverBackendsPeak),
  );
  const byCfg = new Map<string, Row>();
  for (const r of pooled) {
    const prev = byCfg.get(r.config);
    const ratio = (x: Row) => (x.sampling?.serverBackendsPeak ?? 0) / x.concurrency;
    if (
      !prev ||
      r.concurrency > prev.concurrency ||
      (r.concurrency === prev.concurrency && ratio(r) < ratio(prev))
    )
      byCfg.set(r.config, r);
  }
  for (const r of byCfg.values()) {
    const a = R(r);
    out.push(
      sentence(
        'backends',
        `${r.config} served {0} clients on ${r.workload} with at most {1} server backends.`,
        [a.clients(), a.backends()],
      ),
    );
  }

  // Memory: what PostgreSQL (PSS, the memory it really uses) and the pooler held, against the
  // baseline at the same workload and concurrency, at each pooled config's highest concurrency.
  for (const r of byCfg.values()) {
    const b = baseRow(r);
    const j = pgIndex(r);
    const bj = b ? pgIndex(b) : -1;
    if (!b || j < 0 || bj < 0) continue;
    const a = R(r);
    const bb = R(b);
    const perBackend = isNum(r.sampling?.pssPerBackendBytes) && isNum(b.sampling?.pssPerBackendBytes);
    const tiers = (r.sampling?.components ?? []).flatMap((c, k) =>
      c.role !== 'postgres' && isNum(c.pssPeakBytes) ? [{ name: c.name, k }] : [],
    );
    let n = 5;
    const tierText = tiers.map((t) => `; ${t.name} itself {${n++}} MiB`).join('');
    const pbText = perBackend ? `; {${n}} vs {${n + 1}} MiB per server backend` : '';
    out.push(
      sentence(
        'memory',
        `PostgreSQL's memory (PSS, peak) on ${r.workload} at {0} clients was {1} MiB through ${r.config} against {2} MiB through ${b.config}, with {3} vs {4} server backends${tierText}${pbText}.`,
        [
          a.clients(),
          a.pss(j),
          bb.pss(bj),
          a.backends(),
          bb.backends(),
          ...tiers.map((t) => a.pss(t.k)),
          ...(perBackend ? [a.perBackend(), bb.perBackend()] : []),
        ],
      ),
    );
  }

  // A single-threaded tier saturating its core.
  for (const r of completed) {
    r.sampling?.components.forEach((c, j) => {
      if (c.role === 'postgres' || !isNum(c.cpuCoresMean) || c.cpuCoresMean < 0.9) return;
      const a = R(r);
      out.push(
        sentence(
          'cpu',
          `${c.name} used {0} cores on average on ${r.workload} at {1} clients: it is CPU-bound there.`,
          [a.cpu(j), a.clients()],
        ),
      );
    });
  }

  // Anomalies: failed cells, failed transactions, spreads too wide to compare.
  if (options.totals && options.totals.cellsFailed > 0) {
    const n = options.totals.cellsFailed;
    const ids = rows.flatMap((r) => r.failedCells.map((c) => `${c.cellId} (${c.state})`));
    out.push(
      sentence(
        'anomaly',
        `{0} cell${n === 1 ? '' : 's'} did not complete and ${n === 1 ? 'is' : 'are'} excluded from every figure: ${ids.join(', ')}.`,
        [{ pointer: '/totals/cellsFailed', value: n, text: fmtInt(n) }],
      ),
    );
  }
  for (const r of rows.filter((x) => x.failedTransactions > 0)) {
    const a = R(r);
    out.push(sentence('anomaly', `${r.config} had {0} failed transactions on ${where(r)}.`, [a.failedTx()]));
  }
  for (const r of rows.filter((x) => x.tps.n >= 2 && x.tps.cv > cvThreshold)) {
    const a = R(r);
    out.push(
      sentence(
        'anomaly',
        `The TPS of ${r.config} on ${where(r)} varied by {0} (CV) over reps: differences smaller than that are noise there.`,
        [a.cv()],
      ),
    );
  }
  return out.filter((s): s is Sentence => s !== undefined);
}

export interface FindingsOptions extends RenderOptions {
  matrix: MatrixInfo;
  /** One cell record per workload is enough: the method section quotes its pgbench argv. */
  cells: readonly CellRecord[];
  /** Plot files relative to the output dir, e.g. plots/tps-readonly.svg. */
  plots: readonly string[];
  /** The directories summarized, for the reproduce section. */
  dirs: readonly string[];
  totals: { cellsFailed: number; cellsIsolationChecked?: number; cellsWithForeignBackends?: number };
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
      `- Host: \`${m.host.hostname}\`, ${m.host.cpus} × ${m.host.cpuModel}, ${fixed(m.host.memoryBytes / 1073741824, 1)} GiB RAM, ${m.host.platform}, kernel ${m.host.kernel}. Client (pgbench), pooler and server share these cores.`,
    );
  }
  if (m?.provider)
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
      c.poolSize ? `pool ${c.poolSize}` : undefined,
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
    lines.push(
      `- \`${c.workload}\`: \`${flagsOf(c.argv)}\` (as run for ${c.concurrency} client${c.concurrency === 1 ? '' : 's'}; -c and -j vary per cell).`,
    );
  }
  // The isolation line differs per cell; it is summed up below instead.
  const prepared = [
    ...new Set(o.cells.flatMap((c) => c.prepared).filter((p) => !p.startsWith('isolation:'))),
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
  lines.push(`- Isolation: ${isolationSentences(rows, o.totals).text}`);
  if (o.cells.some((c) => c.sampling) && typeof interval === 'number') {
    lines.push(
      `- Sampling every ${interval} ms while pgbench ran (a cell shorter than 4 intervals is sampled every quarter of its duration): pg_stat_activity (server backends), PgBouncer SHOW POOLS/STATS, memory and CPU of each component's process tree.`,
      "- Memory is PSS (proportional set size, from /proc/<pid>/smaps_rollup summed over a component's process tree): shared pages are divided among the processes sharing them, so it is the memory the component really uses, read at least 3 times per cell. " +
        "The RSS sum, shown as a secondary column, counts shared pages (PostgreSQL's shared_buffers) once per process and so grows with the number of backends. " +
        'PostgreSQL PSS per server backend is the postgres PSS divided by the server backends counted at the same tick, averaged over the ticks of a cell, then over reps: it includes the postmaster, the auxiliary processes and shared memory spread over the backends.',
    );
  }
  lines.push(`- ${RULES.tps} ${RULES.ci95} ${RULES.cv}`, `- ${RULES.ratio}`, `- ${RULES.outliers}`);
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

function reproduce(o: FindingsOptions): string[] {
  const cmd = o.meta?.command?.length
    ? o.meta.command.join(' ')
    : o.meta?.matrix
      ? `bench run ${o.meta.matrix.file}`
      : undefined;
  const lines = ['```sh'];
  if (cmd) lines.push(cmd);
  lines.push(`bench summarize ${o.dirs.join(' ')}`, '```');
  return lines;
}

/** FINDINGS.md: a draft for humans to edit; every number in it comes from the rows. */
export function findings(rows: readonly Row[], o: FindingsOptions): { markdown: string; tldr: Sentence[] } {
  const sentences = tldr(rows, {
    ...(o.baseline ? { baseline: o.baseline } : {}),
    totals: o.totals,
    ...(o.thresholds ? { cvThreshold: o.thresholds.cv } : {}),
  });
  const title = o.meta?.matrix?.name ?? o.meta?.runIds[0] ?? 'benchmark';
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
    ...setup(o),
    '',
    '## Method',
    '',
    ...method(rows, o),
    '',
    '## Results',
    '',
  ];
  const line = metaLine(o.meta);
  if (line) out.push(line, '');
  for (const w of workloadNames(rows)) {
    out.push(`### ${w}`, '', workloadTable(rows, w, o), '');
    const res = resourceTable(rows, w);
    if (res) out.push(RESOURCE_CAPTION, '', res, '');
    const plots = o.plots.filter((p) => p.endsWith(`-${w}.svg`));
    if (plots.length > 0) out.push(plots.map((p) => `![${p}](${p})`).join('\n'), '');
  }
  const other = o.plots.filter((p) => !workloadNames(rows).some((w) => p.endsWith(`-${w}.svg`)));
  if (other.length > 0) out.push(other.map((p) => `![${p}](${p})`).join('\n'), '');
  out.push('## Warnings and caveats', '');
  if (o.warnings.length > 0) out.push(warningList(o.warnings), '');
  else out.push('- No warning was raised.', '');
  if (o.gates && o.gates.failures.length > 0)
    out.push('Gates failed:', '', ...o.gates.failures.map((f) => `- ${f.message}`), '');
  out.push('## Reproduce', '', ...reproduce(o), '');
  return { markdown: `${out.join('\n').trimEnd()}\n`, tldr: sentences };
}
