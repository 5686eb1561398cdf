import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CompareGroup,
  compareRows,
  type GithubBenchmarkFile,
  githubBenchmark,
} from '../../summarize/compare.js';
import { loadSummary } from '../../summarize/load.js';
import { runDifferences } from '../../summarize/merge.js';
import { compareReporters } from '../../summarize/reporters/index.js';

export interface CompareCommandOptions {
  baseline: string;
  candidate: string;
  /** Relative change below which a significant difference is still "no change". Default 0.05. */
  threshold?: number;
  /** Significance level of Welch's t-test. Default 0.05. */
  alpha?: number;
  /** When given: compare.md, compare.json and the github-action-benchmark files are written here. */
  out?: string;
}

export interface CompareCommandResult {
  groups: CompareGroup[];
  markdown: string;
  terminal: string;
  /** Groups significantly slower beyond the threshold; the CLI exits 1 when above 0. */
  regressions: number;
  /** The candidate's figures for github-action-benchmark: one file per tool. */
  githubBenchmark: GithubBenchmarkFile[];
  files: string[];
}

/** `bench compare <baseline-run> <candidate-run>`: per group, did the candidate get faster or slower? */
export async function compare(opts: CompareCommandOptions): Promise<CompareCommandResult> {
  const base = loadSummary([opts.baseline]);
  const cand = loadSummary([opts.candidate]);
  const result = compareRows(base.rows, cand.rows, {
    ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
    ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
  });
  const labels = {
    baselineLabel: base.merged.primary.runId ?? path.basename(opts.baseline),
    candidateLabel: cand.merged.primary.runId ?? path.basename(opts.candidate),
    differences: runDifferences(base.merged.primary, cand.merged.primary),
  };
  const markdown = compareReporters.markdown(result, labels);
  const terminal = compareReporters.terminal(result, labels);
  const gh = githubBenchmark(cand.rows);
  const files: string[] = [];
  if (opts.out !== undefined) {
    mkdirSync(opts.out, { recursive: true });
    const write = (name: string, text: string) => {
      const file = path.resolve(opts.out as string, name);
      writeFileSync(file, text);
      files.push(file);
    };
    write('compare.md', markdown);
    write(
      'compare.json',
      `${JSON.stringify({ ...result, ...labels }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
    );
    for (const g of gh) write(g.file, `${JSON.stringify(g.entries, null, 2)}\n`);
  }
  return {
    groups: result.groups,
    markdown,
    terminal,
    regressions: result.regressions,
    githubBenchmark: gh,
    files,
  };
}
