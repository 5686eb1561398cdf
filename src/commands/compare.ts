import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CompareResult,
  comparePaired,
  compareRows,
  type GithubBenchmarkFile,
  githubBenchmark,
} from '../../summarize/compare/compare.js';
import { loadSummary } from '../../summarize/input/load.js';
import { runDifferences } from '../../summarize/input/merge.js';
import type { Row } from '../../summarize/model/row.js';
import { compareReporters } from '../../summarize/reporters/index.js';
import { ConfigurationError } from '../errors.js';
import { ensureResultsDir } from '../results/dir.js';
import { COMPARE_FILES } from '../results/paths.js';

export { COMPARE_DEFAULTS } from '../../summarize/compare/compare.js';

export interface CompareCommandOptions {
  /** The baseline run; in the paired form, the one run holding both configs. */
  baseline: string;
  /** The candidate run (two-run form). Leave out for the paired form. */
  candidate?: string;
  /** Paired form: compare these two configs of `baseline`, rep by rep. */
  baselineConfig?: string;
  candidateConfig?: string;
  /** Relative change that counts; default COMPARE_DEFAULTS.threshold. */
  threshold?: number;
  /** 1 − confidence of the intervals; default COMPARE_DEFAULTS.alpha. */
  alpha?: number;
  /** When given: compare.md, compare.json and the github-action-benchmark files are written here. */
  out?: string;
}

export interface CompareCommandResult {
  result: CompareResult;
  groups: CompareResult['groups'];
  markdown: string;
  terminal: string;
  json: string;
  /** Groups slower (or broken) beyond the threshold; the CLI exits 1 when above 0. */
  regressions: number;
  /** Groups that could not be decided; the CLI exits 1 unless --allow-inconclusive. */
  inconclusive: number;
  /** The candidate's figures for github-action-benchmark: one file per tool. */
  githubBenchmark: GithubBenchmarkFile[];
  files: string[];
}

/** `threshold` as given on the command line: a fraction (0.05) or a percentage (5%). */
export function parseThreshold(value: string): number {
  const pct = value.trim().endsWith('%');
  const n = Number(pct ? value.trim().slice(0, -1) : value) / (pct ? 100 : 1);
  if (!(n > 0 && n < 1))
    throw new ConfigurationError(`expected a fraction or percentage in (0, 1), got "${value}"`);
  return n;
}

/** The run's recorded config order per rep (run.json `order`), when the runner wrote one. */
function orderInfo(run: unknown, a: string, b: string): string[] {
  const order = (run as { order?: { seed?: unknown; reps?: Record<string, unknown> } }).order;
  if (!order?.reps || typeof order.reps !== 'object') return [];
  const reps = Object.values(order.reps).filter((v): v is string[] => Array.isArray(v));
  const aFirst = reps.filter(
    (cs) => cs.includes(a) && cs.includes(b) && cs.indexOf(a) < cs.indexOf(b),
  ).length;
  const both = reps.filter((cs) => cs.includes(a) && cs.includes(b)).length;
  return [
    `config order shuffled per rep (seed ${String(order.seed)}): ${a} ran before ${b} in ${aFirst} of ${both} reps`,
  ];
}

function requireConfig(rows: readonly Row[], name: string, flag: string, dir: string): void {
  if (!rows.some((r) => r.config === name)) {
    const known = [...new Set(rows.map((r) => r.config))].join(', ');
    throw new ConfigurationError(`compare: ${flag} "${name}" has no results in ${dir} (configs: ${known})`);
  }
}

/**
 * `bench compare`: per group, did the candidate get faster or slower, or can this data not tell?
 * Paired form (`--baseline-config A --candidate-config B` on one run) or two-run form.
 */
export async function compare(opts: CompareCommandOptions): Promise<CompareCommandResult> {
  const settings = {
    ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
    ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
  };
  const paired = opts.baselineConfig !== undefined || opts.candidateConfig !== undefined;
  let result: CompareResult;
  let labels: { baselineLabel: string; candidateLabel: string; differences?: string[]; info?: string[] };
  let candidateRows: readonly Row[];
  if (paired) {
    if (opts.candidate !== undefined)
      throw new ConfigurationError(
        'compare: --baseline-config/--candidate-config compare two configs of ONE run; give one run directory',
      );
    if (opts.baselineConfig === undefined || opts.candidateConfig === undefined)
      throw new ConfigurationError(
        'compare: the paired form needs both --baseline-config and --candidate-config',
      );
    const run = loadSummary([opts.baseline]);
    requireConfig(run.rows, opts.baselineConfig, '--baseline-config', opts.baseline);
    requireConfig(run.rows, opts.candidateConfig, '--candidate-config', opts.baseline);
    result = comparePaired(run.rows, opts.baselineConfig, opts.candidateConfig, settings);
    const id = run.merged.primary.runId ?? path.basename(opts.baseline);
    labels = {
      baselineLabel: `${opts.baselineConfig} (${id})`,
      candidateLabel: `${opts.candidateConfig} (${id})`,
      info: orderInfo(run.merged.primary, opts.baselineConfig, opts.candidateConfig),
    };
    candidateRows = run.rows.filter((r) => r.config === opts.candidateConfig);
  } else {
    if (opts.candidate === undefined)
      throw new ConfigurationError(
        'compare: give a candidate run directory, or --baseline-config and --candidate-config for two configs of one run',
      );
    const base = loadSummary([opts.baseline]);
    const cand = loadSummary([opts.candidate]);
    result = compareRows(base.rows, cand.rows, settings);
    labels = {
      baselineLabel: base.merged.primary.runId ?? path.basename(opts.baseline),
      candidateLabel: cand.merged.primary.runId ?? path.basename(opts.candidate),
      differences: runDifferences(base.merged.primary, cand.merged.primary),
    };
    candidateRows = cand.rows;
  }
  const markdown = compareReporters.markdown(result, labels);
  const terminal = compareReporters.terminal(result, labels);
  const json = compareReporters.json(result, labels);
  const gh = githubBenchmark(candidateRows);
  const files: string[] = [];
  if (opts.out !== undefined) {
    mkdirSync(ensureResultsDir(opts.out), { recursive: true });
    const write = (name: string, text: string) => {
      const file = path.resolve(opts.out as string, name);
      writeFileSync(file, text);
      files.push(file);
    };
    write(COMPARE_FILES.markdown, markdown);
    write(COMPARE_FILES.json, json);
    for (const g of gh) write(g.file, `${JSON.stringify(g.entries, null, 2)}\n`);
  }
  return {
    result,
    groups: result.groups,
    markdown,
    terminal,
    json,
    regressions: result.regressions,
    inconclusive: result.inconclusive,
    githubBenchmark: gh,
    files,
  };
}
