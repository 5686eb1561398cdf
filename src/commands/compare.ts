import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CompareResult, comparePaired, compareRows } from '../../summarize/compare/compare.js';
import { compareCost } from '../../summarize/compare/cost.js';
import { defaultControl, sharesOtherConfig } from '../../summarize/compare/drift.js';
import { type FlameDiffPlot, flameDiffMarkdown, flameDiffs } from '../../summarize/figures/flame/pairs.js';
import { loadCost } from '../../summarize/input/cost.js';
import { loadFlameGroups } from '../../summarize/input/flame-files.js';
import { type LoadedSummary, loadSummary } from '../../summarize/input/load.js';
import { runDifferences } from '../../summarize/input/merge.js';
import type { CostRow } from '../../summarize/model/cost-rows.js';
import type { Row } from '../../summarize/model/row.js';
import { type GithubBenchmarkFile, githubBenchmark } from '../../summarize/reporters/github-benchmark.js';
import { compareReporters } from '../../summarize/reporters/index.js';
import { ConfigurationError } from '../errors.js';
import { ensureResultsDir } from '../results/dir.js';
import { COMPARE_FILES } from '../results/paths.js';

export { COMPARE_DEFAULTS } from '../../summarize/compare/compare.js';
export { COST_DEFAULTS } from '../../summarize/compare/cost.js';
export { compareExit } from '../../summarize/compare/exit.js';

export interface CompareCommandOptions {
  /** The baseline run; in the paired form, the one run holding both configs. */
  baseline: string;
  /** The candidate run (two-run form). Leave out for the paired form. */
  candidate?: string;
  /** Paired form: compare these two configs of `baseline`, rep by rep. */
  baselineConfig?: string;
  candidateConfig?: string;
  /**
   * Two-run form: a config both runs ran that the change did not touch; each group's ratio is
   * divided by its ratio between the runs. Default: the matrix baseline when both runs have it.
   */
  controlConfig?: string;
  /** Relative change that counts; default COMPARE_DEFAULTS.threshold. */
  threshold?: number;
  /** 1 − confidence of the intervals; default COMPARE_DEFAULTS.alpha. */
  alpha?: number;
  /** Relative change in work per transaction that counts; default COST_DEFAULTS.threshold (1 %). */
  costThreshold?: number;
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
  /** Two-run groups whose verdict no control normalized: not conclusive, exit 1 unless --allow-inconclusive. */
  unpaired: number;
  /** Two-run form: the control config that normalized the ratios, when there was one. */
  control?: string;
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

function requireConfig(rows: readonly Pick<Row, 'config'>[], name: string, flag: string, dir: string): void {
  if (!rows.some((r) => r.config === name)) {
    const known = [...new Set(rows.map((r) => r.config))].join(', ');
    throw new ConfigurationError(`compare: ${flag} "${name}" has no results in ${dir} (configs: ${known})`);
  }
}

/** The cost rows of the runs a summary read (their cost.jsonl; empty without cost cells). */
function costOf(s: LoadedSummary) {
  return loadCost(s.merged.runs.map((r) => r.dir));
}

function costSettings(o: CompareCommandOptions) {
  return o.costThreshold !== undefined ? { threshold: o.costThreshold } : {};
}

/** The TPS result with the cost verdict beside it, when either side has cost rows. */
function withCost(
  r: CompareResult,
  baseline: readonly CostRow[],
  candidate: readonly CostRow[],
  o: { threshold?: number; sameConfig: boolean },
): CompareResult {
  if (baseline.length === 0 && candidate.length === 0) return r;
  return { ...r, cost: compareCost(baseline, candidate, o) };
}

/**
 * The two-run form's control: the one named (which both runs must have, next to another shared
 * config), else the matrix baseline when it qualifies; with a line for the notes saying which.
 */
function chooseControl(
  base: readonly Row[],
  cand: readonly Row[],
  named: string | undefined,
  dirs: { baseline: string; candidate: string },
): { control?: string; info: string } {
  if (named !== undefined) {
    requireConfig(base, named, '--control-config', dirs.baseline);
    requireConfig(cand, named, '--control-config', dirs.candidate);
    if (!sharesOtherConfig(base, cand, named))
      throw new ConfigurationError(
        `compare: --control-config "${named}" is the only config both runs ran: there is nothing to normalize by it`,
      );
    return {
      control: named,
      info: `control config ${named} (--control-config): drift between the runs is cancelled by its ratio`,
    };
  }
  const control = defaultControl(base, cand);
  if (control !== undefined)
    return {
      control,
      info: `control config ${control} (the matrix baseline, in both runs; another with --control-config): drift between the runs is cancelled by its ratio`,
    };
  return {
    info: 'no control config: the two runs share no matrix baseline next to another config (name one with --control-config); verdicts are unpaired',
  };
}

type CompareSettings = { threshold?: number; alpha?: number };
type CompareLabels = {
  baselineLabel: string;
  candidateLabel: string;
  differences?: string[];
  info?: string[];
};
interface ComparedForm {
  result: CompareResult;
  labels: CompareLabels;
  candidateRows: readonly Row[];
  /** Paired form: a differential flame graph per profiled component both configs share. */
  flames?: FlameDiffPlot[];
}

/** Two configs of one run, paired rep by rep (`--baseline-config A --candidate-config B`). */
function pairedForm(opts: CompareCommandOptions, settings: CompareSettings): ComparedForm {
  if (opts.candidate !== undefined)
    throw new ConfigurationError(
      'compare: --baseline-config/--candidate-config compare two configs of ONE run; give one run directory',
    );
  if (opts.controlConfig !== undefined)
    throw new ConfigurationError(
      'compare: --control-config is for two runs; the paired form cancels drift by pairing the reps',
    );
  if (opts.baselineConfig === undefined || opts.candidateConfig === undefined)
    throw new ConfigurationError(
      'compare: the paired form needs both --baseline-config and --candidate-config',
    );
  const run = loadSummary([opts.baseline]);
  const loadedCost = costOf(run);
  const cost = loadedCost.rows;
  const both = [...run.rows, ...cost];
  requireConfig(both, opts.baselineConfig, '--baseline-config', opts.baseline);
  requireConfig(both, opts.candidateConfig, '--candidate-config', opts.baseline);
  const result = withCost(
    comparePaired(run.rows, opts.baselineConfig, opts.candidateConfig, settings),
    cost.filter((r) => r.config === opts.baselineConfig),
    cost.filter((r) => r.config === opts.candidateConfig),
    { ...costSettings(opts), sameConfig: false },
  );
  const id = run.merged.primary.runId ?? path.basename(opts.baseline);
  const labels = {
    baselineLabel: `${opts.baselineConfig} (${id})`,
    candidateLabel: `${opts.candidateConfig} (${id})`,
    info: [
      ...orderInfo(run.merged.primary, opts.baselineConfig, opts.candidateConfig),
      ...loadedCost.warnings,
    ],
  };
  return {
    result,
    labels,
    candidateRows: run.rows.filter((r) => r.config === opts.candidateConfig),
    flames: flameDiffs(loadFlameGroups(run.merged.cells), opts.baselineConfig, opts.candidateConfig),
  };
}

/** Two runs (other days): normalized by a control config both ran, else labelled unpaired. */
function twoRunForm(opts: CompareCommandOptions, settings: CompareSettings): ComparedForm {
  if (opts.candidate === undefined)
    throw new ConfigurationError(
      'compare: give a candidate run directory, or --baseline-config and --candidate-config for two configs of one run',
    );
  const base = loadSummary([opts.baseline]);
  const cand = loadSummary([opts.candidate]);
  const control = chooseControl(base.rows, cand.rows, opts.controlConfig, {
    baseline: opts.baseline,
    candidate: opts.candidate,
  });
  const result = withCost(
    compareRows(base.rows, cand.rows, {
      ...settings,
      ...(control.control !== undefined ? { control: control.control } : {}),
    }),
    costOf(base).rows,
    costOf(cand).rows,
    { ...costSettings(opts), sameConfig: true },
  );
  const labels = {
    baselineLabel: base.merged.primary.runId ?? path.basename(opts.baseline),
    candidateLabel: cand.merged.primary.runId ?? path.basename(opts.candidate),
    differences: runDifferences(base.merged.primary, cand.merged.primary),
    info: [control.info],
  };
  return { result, labels, candidateRows: cand.rows };
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
  const {
    result,
    labels,
    candidateRows,
    flames = [],
  } = paired ? pairedForm(opts, settings) : twoRunForm(opts, settings);
  // The differential flame graphs are files beside compare.md: named in it only when written.
  const markdown =
    compareReporters.markdown(result, labels) + (opts.out !== undefined ? flameDiffMarkdown(flames) : '');
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
    for (const f of flames) write(f.name, f.svg);
  }
  return {
    result,
    groups: result.groups,
    markdown,
    terminal,
    json,
    regressions: result.regressions,
    inconclusive: result.inconclusive,
    unpaired: result.unpaired ?? 0,
    ...(result.control !== undefined ? { control: result.control } : {}),
    githubBenchmark: gh,
    files,
  };
}
