import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { ROOT } from './cli.js';
import { tempDir } from './tmp.js';

/**
 * A local dry run of a GitHub Actions workflow: every `run:` step executes with bash in this
 * checkout, in order, with the environment GitHub would give it; the `uses:` steps are replaced by
 * local stand-ins working on directories (artifacts are folders, the baseline is a folder of an
 * earlier "run"). Expressions are looked up in a table of the ones the shipped workflow uses; an
 * unknown one fails the dry run, so the table and the workflow cannot drift apart silently.
 */

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  env?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
}

export interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

export interface StepResult {
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  output: string;
}

export interface JobContext {
  /** github.ref_name and the repository's default branch. */
  refName: string;
  defaultBranch: string;
  /** This run's artifacts: one folder per artifact name. */
  artifacts: string;
  /** Artifacts of the default branch's last successful run (the baseline), if any. */
  previousArtifacts?: string;
  /** Extra environment for the run steps (shortening the matrix for a test). */
  env?: Record<string, string>;
  matrix?: Record<string, string>;
  jobTotal?: number;
}

interface State extends JobContext {
  temp: string;
  failed: boolean;
  steps: Record<string, { outcome: string; outputs: Record<string, string> }>;
  summary: string;
}

export function readWorkflow(file: string): Workflow {
  return parse(readFileSync(file, 'utf8')) as Workflow;
}

type Expr = (s: State) => string | boolean;

const EXPRESSIONS: Record<string, Expr> = {
  'matrix.shard': (s) => s.matrix?.shard ?? '',
  'strategy.job-total': (s) => String(s.jobTotal ?? 1),
  'runner.temp': (s) => s.temp,
  'github.run_id': () => '1',
  'github.event.repository.default_branch': (s) => s.defaultBranch,
  '!cancelled()': () => true,
  "!cancelled() && steps.baseline.outputs.found_artifact == 'true'": (s) =>
    s.steps.baseline?.outputs.found_artifact === 'true',
  "!cancelled() && steps.baseline.outputs.found_artifact != 'true'": (s) =>
    s.steps.baseline?.outputs.found_artifact !== 'true',
  'success() && github.ref_name == github.event.repository.default_branch': (s) =>
    !s.failed && s.refName === s.defaultBranch,
  "!cancelled() && steps.summarize.outcome != 'skipped'": (s) => s.steps.summarize?.outcome !== 'skipped',
};

function evaluate(expr: string, s: State): string | boolean {
  const f = EXPRESSIONS[expr.trim()];
  if (!f) throw new Error(`dry run: unknown expression \${{ ${expr} }}: add it to EXPRESSIONS`);
  return f(s);
}

function substitute(text: string, s: State): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => String(evaluate(e, s)));
}

function condition(step: Step, s: State): boolean {
  if (step.if === undefined) return !s.failed;
  const m = /^\$\{\{(.*)\}\}$/s.exec(step.if.trim());
  return Boolean(evaluate(m?.[1] ?? step.if, s));
}

function subst(env: Record<string, string> | undefined, s: State): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, substitute(String(v), s)]));
}

function input(step: Step, key: string, s: State): string | undefined {
  const v = step.with?.[key];
  return v === undefined ? undefined : substitute(String(v), s);
}

function copyInto(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  cpSync(src, dest, { recursive: true });
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** The stand-ins for the actions the workflow uses. Each returns its outputs or throws. */
const ACTIONS: Record<string, (step: Step, s: State) => Record<string, string>> = {
  'actions/checkout': () => ({}),
  'actions/setup-node': (step, s) => {
    const want = Number(input(step, 'node-version', s));
    const have = Number(process.versions.node.split('.')[0]);
    if (have < want) throw new Error(`node ${have} here, the workflow sets up ${want}`);
    return {};
  },
  'actions/upload-artifact': (step, s) => {
    const dest = path.join(s.artifacts, input(step, 'name', s) ?? 'artifact');
    const paths = (input(step, 'path', s) ?? '')
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    for (const p of paths) {
      if (!existsSync(p)) throw new Error(`upload-artifact: ${p} does not exist (if-no-files-found: error)`);
      if (isDirectory(p)) copyInto(p, dest);
      else cpSync(p, path.join(dest, path.basename(p)));
    }
    return {};
  },
  'actions/download-artifact': (step, s) => {
    const re = globToRegExp(input(step, 'pattern', s) ?? '*');
    const dest = input(step, 'path', s) ?? '.';
    const merge = input(step, 'merge-multiple', s) === 'true';
    const names = existsSync(s.artifacts) ? readdirSync(s.artifacts).filter((n) => re.test(n)) : [];
    for (const n of names) copyInto(path.join(s.artifacts, n), merge ? dest : path.join(dest, n));
    return {};
  },
  'dawidd6/action-download-artifact': (step, s) => {
    const name = input(step, 'name', s) ?? '';
    const src = s.previousArtifacts ? path.join(s.previousArtifacts, name) : undefined;
    if (!src || !existsSync(src)) return { found_artifact: 'false' };
    copyInto(src, input(step, 'path', s) ?? '.');
    return { found_artifact: 'true' };
  },
  'actions/cache': (step, s) => {
    mkdirSync(input(step, 'path', s) ?? '.', { recursive: true });
    return {};
  },
  'benchmark-action/github-action-benchmark': (step, s) => {
    const tool = input(step, 'tool', s);
    if (tool !== 'customBiggerIsBetter' && tool !== 'customSmallerIsBetter')
      throw new Error(`github-action-benchmark: tool ${tool} is not a custom tool`);
    const entries = JSON.parse(readFileSync(input(step, 'output-file-path', s) ?? '', 'utf8')) as unknown[];
    if (!Array.isArray(entries) || entries.length === 0)
      throw new Error('github-action-benchmark: no entries');
    for (const e of entries as Array<Record<string, unknown>>) {
      if (typeof e.name !== 'string' || typeof e.unit !== 'string' || typeof e.value !== 'number')
        throw new Error(`github-action-benchmark: bad entry ${JSON.stringify(e)}`);
    }
    s.summary += `\n[github-action-benchmark ${tool}: ${entries.length} entries]\n`;
    return {};
  },
};

function isDirectory(p: string): boolean {
  return statSync(p).isDirectory();
}

async function runStep(step: Step, env: Record<string, string>, s: State): Promise<StepResult> {
  const name = step.name ?? step.uses ?? 'run';
  const summaryFile = path.join(s.temp, 'step-summary.md');
  const outputFile = path.join(s.temp, 'github-output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run ?? ''], {
    cwd: ROOT,
    env: { ...env, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile, RUNNER_TEMP: s.temp },
    reject: false,
    all: true,
    timeout: 600_000,
  });
  s.summary += readFileSync(summaryFile, 'utf8');
  return { name, outcome: r.exitCode === 0 ? 'success' : 'failure', output: String(r.all) };
}

async function useAction(step: Step, s: State): Promise<StepResult & { outputs: Record<string, string> }> {
  const action = (step.uses ?? '').split('@')[0] ?? '';
  const impl = ACTIONS[action];
  if (!impl) throw new Error(`dry run: no local stand-in for ${step.uses}`);
  try {
    return { name: step.name ?? action, outcome: 'success', output: '', outputs: impl(step, s) };
  } catch (e) {
    return { name: step.name ?? action, outcome: 'failure', output: (e as Error).message, outputs: {} };
  }
}

/** Runs one job (one matrix entry of it) and returns every step's outcome and the job summary. */
export async function runJob(
  wf: Workflow,
  jobName: string,
  ctx: JobContext,
): Promise<{ steps: StepResult[]; failed: boolean; summary: string }> {
  const job = wf.jobs[jobName];
  if (!job) throw new Error(`no job ${jobName}`);
  const s: State = {
    ...ctx,
    temp: tempDir(`bench-wf-${jobName}-`),
    failed: false,
    steps: {},
    summary: '',
  };
  const results: StepResult[] = [];
  for (const step of job.steps) {
    if (!condition(step, s)) {
      results.push({ name: step.name ?? step.uses ?? 'run', outcome: 'skipped', output: '' });
      if (step.id) s.steps[step.id] = { outcome: 'skipped', outputs: {} };
      continue;
    }
    const env = {
      ...(process.env as Record<string, string>),
      ...subst(wf.env, s),
      ...subst(job.env, s),
      ...subst(step.env, s),
      ...ctx.env,
    };
    const r = step.uses ? await useAction(step, s) : { ...(await runStep(step, env, s)), outputs: {} };
    results.push({ name: r.name, outcome: r.outcome, output: r.output });
    if (step.id) s.steps[step.id] = { outcome: r.outcome, outputs: r.outputs };
    if (r.outcome === 'failure') s.failed = true;
  }
  return { steps: results, failed: s.failed, summary: s.summary };
}
