#!/usr/bin/env node
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { clean } from './commands/clean.js';
import { COMPARE_DEFAULTS, COST_DEFAULTS, compare, compareExit, parseThreshold } from './commands/compare.js';
import { doctor } from './commands/doctor.js';
import { run } from './commands/run.js';
import { summarize } from './commands/summarize.js';
import { ConfigurationError, EXIT, interruptedExitCode, MissingToolError, StackError } from './errors.js';
import type { MatrixOverrides } from './matrix/load.js';
import { parseShard, type Shard } from './matrix/shard.js';
import { runPaths } from './results/paths.js';
import { TOOL_VERSION } from './runner/version.js';
import { parseImageFlags } from './stack/container-images.js';
import { renderDoctor } from './ui/doctor.js';
import { renderGateFailures } from './ui/gates.js';
import { progressReporter } from './ui/progress.js';
import { redact } from './util/redact.js';

function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

function intList(value: string): number[] {
  return list(value).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0)
      throw new InvalidArgumentError(`expected positive integers, got "${s}"`);
    return n;
  });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1))
    throw new InvalidArgumentError(`expected a fraction between 0 and 1 (e.g. 0.05), got "${value}"`);
  return n;
}

/** Reports a known error as one `ERROR:` line (plus details) and returns its exit code. */
function reportError(e: unknown): number {
  if (e instanceof ConfigurationError) {
    console.error(`ERROR: ${e.message}`);
    for (const d of e.details) console.error(`  ${d}`);
    return EXIT.usage;
  }
  if (e instanceof StackError) {
    console.error(`ERROR: ${redact(e.message)}`);
    if (e.logTail) console.error(redact(e.logTail).replace(/^/gm, '  | '));
    return EXIT.usage;
  }
  if (e instanceof MissingToolError) {
    console.error(`ERROR: ${e.message}. Install it with: ${e.install}`);
    return EXIT.missingTool;
  }
  console.error(redact(e instanceof Error ? (e.stack ?? e.message) : String(e)));
  return EXIT.usage;
}

/**
 * First Ctrl-C, SIGTERM or SIGHUP: stop gracefully (record the cell as interrupted, stop the
 * stack). Second: now. `received()` names the first one, whose exit code the run ends with.
 */
function interruptSignal(onFirst: (sig: string) => void): {
  signal: AbortSignal;
  received: () => NodeJS.Signals | undefined;
} {
  const ac = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (first === undefined) {
      first = sig;
      onFirst(sig);
      ac.abort();
    } else {
      console.error(`\n${sig} again: exiting now (started processes are killed by PID on exit)`);
      process.exit(interruptedExitCode(first));
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  // A closed terminal must not leave the stack running either.
  process.on('SIGHUP', handler);
  return { signal: ac.signal, received: () => first };
}

/**
 * `bench run`'s options as commander hands them over: each parser above fixes a value's type, and
 * `--no-sampling`/`--no-summarize` default to true. Overrides stay strings where the matrix
 * validator parses them (durations), so a bad value is reported with the matrix's wording.
 */
interface RunFlags {
  duration?: string;
  warmup?: string;
  reps?: number;
  scale?: number;
  concurrency?: number[];
  configs?: string[];
  workloads?: string[];
  provider?: 'auto' | 'native' | 'testcontainers' | 'external';
  image?: string[];
  resultsDir: string;
  resume?: string;
  allowChangedMatrix?: boolean;
  failFast?: boolean;
  sampling: boolean;
  summarize: boolean;
  shard?: Shard;
  costOnly?: boolean;
  cost: boolean;
  profile?: boolean;
}

/** --cost-only and --no-cost contradict each other: bad flags, exit 2 before anything starts. */
function costModeOf(o: RunFlags): 'run' | 'only' | 'skip' {
  if (o.costOnly && !o.cost)
    throw new ConfigurationError('--cost-only and --no-cost: expected one of them, not both');
  return o.costOnly ? 'only' : o.cost ? 'run' : 'skip';
}

interface CleanFlags {
  dryRun?: boolean;
  run?: string;
  all?: boolean;
}

/** Flags (and their environment variables) that override the matrix file, validated with it. */
function overridesFrom(o: RunFlags): MatrixOverrides {
  return {
    ...(o.duration !== undefined ? { duration: o.duration } : {}),
    ...(o.warmup !== undefined ? { warmup: o.warmup } : {}),
    ...(o.reps !== undefined ? { reps: o.reps } : {}),
    ...(o.scale !== undefined ? { scale: o.scale } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.configs !== undefined ? { configs: o.configs } : {}),
    ...(o.workloads !== undefined ? { workloads: o.workloads } : {}),
    ...(o.provider !== undefined ? { provider: o.provider } : {}),
    ...(o.image !== undefined ? { images: parseImageFlags(o.image) } : {}),
    ...(o.profile ? { profile: true } : {}),
  };
}

const program = new Command()
  .name('bench')
  .description('Benchmark PostgreSQL connection poolers and proxies with pgbench over a matrix')
  .version(TOOL_VERSION)
  // A bad flag is one ERROR line (commander's: what was wrong) plus where to read more, never the
  // whole help; each command names its own help at the end of this file.
  .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, 'ERROR: ')) })
  .showHelpAfterError('see bench --help')
  // Bad flags are bad input: exit 2 like a bad matrix, not 1 (which means a failed gate or cell).
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
  });

program
  .command('run')
  .description('start the stack, run every cell of the matrix, record each result as it finishes')
  .argument('<matrix>', 'matrix YAML file (see matrices/)')
  .addOption(new Option('--duration <d>', 'override duration per cell (e.g. 5s)').env('BENCH_DURATION'))
  .addOption(new Option('--warmup <d>', 'override warmup per cell').env('BENCH_WARMUP'))
  .addOption(new Option('--reps <n>', 'override repetitions').argParser(positiveInt).env('BENCH_REPS'))
  .addOption(new Option('--scale <n>', 'override pgbench scale').argParser(positiveInt).env('BENCH_SCALE'))
  .addOption(
    new Option('--concurrency <list>', 'override client counts, e.g. 1,10')
      .argParser(intList)
      .env('BENCH_CONCURRENCY'),
  )
  .addOption(new Option('--configs <list>', 'run only these configs').argParser(list).env('BENCH_CONFIGS'))
  .addOption(
    new Option('--workloads <list>', 'run only these workloads').argParser(list).env('BENCH_WORKLOADS'),
  )
  .addOption(
    new Option('--provider <p>', 'where components run')
      .choices(['auto', 'native', 'testcontainers', 'external'])
      .env('BENCH_PROVIDER'),
  )
  .option(
    '--image <role=ref>',
    'container image for a role (postgres, pgbouncer, pgbench, or all), repeatable',
    (v: string, acc: string[] = []) => [...acc, v],
  )
  .option('--results-dir <dir>', 'where run directories are created', 'results')
  .option('--resume <run-dir>', 'continue an interrupted run: finished cells are kept and skipped')
  .option('--allow-changed-matrix', 'resume even if the matrix file changed since the run started')
  .option('--fail-fast', 'stop at the first failed cell')
  .addOption(
    new Option('--shard <i/N>', 'run shard i of N: whole workload x concurrency groups (docs/ci.md)')
      .argParser((v: string) => {
        try {
          return parseShard(v);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      })
      .env('BENCH_SHARD'),
  )
  .option('--no-sampling', 'do not sample pg_stat_activity, PgBouncer pools and RSS/CPU while cells run')
  .option('--no-summarize', 'do not write the summary, plots and FINDINGS.md at the end')
  .option(
    '--cost-only',
    "run only the matrix's cost cells (instructions and syscalls per transaction, docs/cost.md)",
  )
  .option('--no-cost', "skip the matrix's cost cells")
  .option(
    '--profile',
    'record perf cpu-clock stacks of every pooler and proxy during its cells, for flame graphs (docs/profiling.md)',
  )
  .action(async (matrixFile: string, o: RunFlags) => {
    const events = progressReporter(process.stderr);
    const interrupt = interruptSignal((sig) =>
      events.log(`\n${sig}: stopping after recording the current cell as interrupted (again to force)`),
    );
    const signal = interrupt.signal;
    try {
      const res = await run({
        matrixFile,
        overrides: overridesFrom(o),
        resultsDir: o.resultsDir,
        ...(o.resume ? { resume: o.resume } : {}),
        ...(o.allowChangedMatrix ? { allowChangedMatrix: true } : {}),
        ...(o.failFast ? { failFast: true } : {}),
        ...(o.sampling ? {} : { noSampling: true }),
        ...(o.shard ? { shard: o.shard } : {}),
        cost: costModeOf(o),
        command: ['bench', ...process.argv.slice(2)],
        events,
        signal,
      });
      const rel = path.relative(process.cwd(), res.runDir) || res.runDir;
      let gateFailures = 0;
      const measured = [...res.allRecords, ...res.costRecords].some((r) => r.state === 'completed');
      if (o.summarize && measured) {
        const s = await summarize({ dirs: [res.runDir] });
        console.log(s.terminal);
        gateFailures = s.gates.failures.length;
        if (gateFailures > 0) console.error(renderGateFailures(s.gates.failures));
        console.error(`findings: ${path.relative(process.cwd(), runPaths(s.outDir).findings)}`);
      }
      console.error(`results: ${rel}`);
      if (res.outcome === 'interrupted' || signal.aborted) {
        console.error(`interrupted; resume with: bench run ${matrixFile} --resume ${rel}`);
        process.exitCode = interruptedExitCode(interrupt.received());
        return;
      }
      if (res.failedCells.length > 0) {
        console.error(
          `${res.failedCells.length} cell(s) failed: ${res.failedCells.map((c) => c.id).join(', ')}`,
        );
      }
      const failedCost = res.costRecords.filter((r) => r.state !== 'completed');
      if (failedCost.length > 0) {
        console.error(
          `${failedCost.length} cost cell(s) failed: ${failedCost.map((c) => `${c.id} (${c.reason})`).join(', ')}`,
        );
      }
      if (res.failedCells.length > 0 || failedCost.length > 0 || gateFailures > 0)
        process.exitCode = EXIT.findings;
    } catch (e) {
      process.exitCode = reportError(e);
    }
  });

/**
 * Where human text goes under --json / --quiet: with --json stdout holds exactly one JSON document,
 * so tables move to stderr; --quiet drops them (errors and failures are printed regardless).
 */
function humanOutput(o: { json?: boolean; quiet?: boolean }) {
  return {
    table: (text: string) => {
      if (o.quiet) return;
      if (o.json) console.error(text);
      else console.log(text);
    },
    note: (text: string) => {
      if (!o.quiet) console.error(text);
    },
  };
}

/** `summarize --json`: summary.json as written, with the TL;DR and the files written beside it. */
function summarizeJson(s: Awaited<ReturnType<typeof summarize>>): string {
  const doc = JSON.parse(s.summaryJson) as Record<string, unknown>;
  return JSON.stringify({ ...doc, tldr: s.tldr, outDir: s.outDir, files: s.files }, null, 2);
}

program
  .command('summarize')
  .description(
    'tables (csv, json, markdown, terminal), plots, FINDINGS.md and report.html from one or more run directories',
  )
  .argument(
    '<run-dirs...>',
    'run directories (several merge when their matrices agree; shards of one matrix are checked for completeness), or folders holding them',
  )
  .option('--out <dir>', 'where to write the outputs (default: the first run directory)')
  .option('--allow-mixed', 'merge runs whose matrices or versions differ')
  .option('--check', 'exit 1 when a gate of the matrix fails or a cell failed')
  .option(
    '--json',
    'print summary.json (plus the TL;DR and the files written) on stdout; tables go to stderr',
  )
  .option('--quiet', 'print nothing but errors and gate failures')
  .action(
    async (
      dirs: string[],
      o: { out?: string; allowMixed?: boolean; check?: boolean; json?: boolean; quiet?: boolean },
    ) => {
      try {
        const s = await summarize({
          dirs,
          ...(o.out ? { out: o.out } : {}),
          ...(o.allowMixed ? { allowMixed: true } : {}),
        });
        const say = humanOutput(o);
        if (o.json) console.log(summarizeJson(s));
        say.table(s.terminal);
        say.note(
          `wrote ${s.files.length} files to ${path.relative(process.cwd(), s.outDir) || '.'} (FINDINGS.md, report.html, summary.*, plots/)`,
        );
        if (o.check && s.gates.failures.length > 0) {
          console.error(renderGateFailures(s.gates.failures));
          process.exitCode = EXIT.findings;
        }
        if (s.missingShards.length > 0) {
          console.error(
            `missing shard(s) ${s.missingShards.join(', ')}: the summary covers part of the matrix (see FINDINGS.md)`,
          );
          process.exitCode = EXIT.findings;
        }
      } catch (e) {
        process.exitCode = reportError(e);
      }
    },
  );

program
  .command('compare')
  .description(
    'is the candidate faster, slower, unchanged, or undecided? Two configs of one run paired rep by rep ' +
      '(--baseline-config A --candidate-config B: the reliable form), or two runs, normalized by a control config ' +
      'both ran (without one, verdicts are unpaired: drift between runs is not cancelled). ' +
      'Exit 1 on a regression, and on an inconclusive or unpaired group unless --allow-inconclusive',
  )
  .argument(
    '<run>',
    'the run (paired form), or the baseline run (two-run form); a folder of shard runs stands for them',
  )
  .argument('[candidate-run]', 'the candidate run (two-run form), or a folder of its shard runs')
  .option('--baseline-config <name>', 'paired form: the baseline config of <run>')
  .option('--candidate-config <name>', 'paired form: the candidate config of <run>')
  .option(
    '--control-config <name>',
    'two-run form: a config both runs ran that the change does not touch; each ratio is divided by its ratio between the runs (default: the matrix baseline when both runs have it)',
  )
  .option(
    '--threshold <change>',
    `smallest relative change that matters, 0.05 or 5% (default ${COMPARE_DEFAULTS.threshold})`,
    (v: string) => {
      try {
        return parseThreshold(v);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
    },
  )
  .option(
    '--alpha <p>',
    `1 - confidence of the intervals (default ${COMPARE_DEFAULTS.alpha}: 95% intervals)`,
    fraction,
  )
  .option(
    '--cost-threshold <change>',
    `smallest relative change in work per transaction (cost cells) that matters, 0.01 or 1% (default ${COST_DEFAULTS.threshold})`,
    (v: string) => {
      try {
        return parseThreshold(v);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
    },
  )
  .option('--allow-inconclusive', 'exit 0 when groups are inconclusive or unpaired (still 1 on a regression)')
  .option('--out <dir>', 'write compare.md, compare.json and github-action-benchmark files here')
  .option('--json', 'print compare.json on stdout; the table goes to stderr')
  .option('--quiet', 'print nothing but errors, regressions and inconclusive groups')
  .action(
    async (
      runDir: string,
      candidate: string | undefined,
      o: {
        baselineConfig?: string;
        candidateConfig?: string;
        controlConfig?: string;
        threshold?: number;
        alpha?: number;
        costThreshold?: number;
        allowInconclusive?: boolean;
        out?: string;
        json?: boolean;
        quiet?: boolean;
      },
    ) => {
      try {
        const c = await compare({
          baseline: runDir,
          ...(candidate !== undefined ? { candidate } : {}),
          ...(o.baselineConfig !== undefined ? { baselineConfig: o.baselineConfig } : {}),
          ...(o.candidateConfig !== undefined ? { candidateConfig: o.candidateConfig } : {}),
          ...(o.controlConfig !== undefined ? { controlConfig: o.controlConfig } : {}),
          ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
          ...(o.alpha !== undefined ? { alpha: o.alpha } : {}),
          ...(o.costThreshold !== undefined ? { costThreshold: o.costThreshold } : {}),
          ...(o.out ? { out: o.out } : {}),
        });
        if (o.json) process.stdout.write(c.json.endsWith('\n') ? c.json : `${c.json}\n`);
        humanOutput(o).table(c.terminal);
        const exit = compareExit(c.result, o.allowInconclusive === true, o.quiet === true);
        for (const m of exit.messages) console.error(m);
        if (exit.exitCode !== 0) process.exitCode = EXIT.findings;
      } catch (e) {
        process.exitCode = reportError(e);
      }
    },
  );

program
  .command('doctor')
  .description(
    'check this machine: node, postgres, pgbench, pgbouncer, a Docker engine; print how to install what is missing',
  )
  .option('--json', 'print the checks as JSON on stdout; the human text goes to stderr')
  .option('--quiet', 'print nothing; the exit code says whether a required tool is missing')
  .addOption(
    new Option('--provider <p>', 'judge for this provider (external: only pgbench is required here)').choices(
      ['auto', 'native', 'testcontainers', 'external'],
    ),
  )
  .action(async (o: { json?: boolean; quiet?: boolean; provider?: string }) => {
    const d = await doctor(o.provider ? { provider: o.provider } : {});
    if (o.json) console.log(JSON.stringify(d, null, 2));
    humanOutput(o).table(renderDoctor(d));
    if (d.missingRequired) process.exitCode = EXIT.missingTool;
  });

program
  .command('clean')
  .description('remove containers left behind by a killed run (found by the bench.run label)')
  .option('--dry-run', 'list them only')
  .option('--run <run-id>', 'only the containers of this run')
  .option('--all', 'also containers of runs whose bench process is still running')
  .action(async (o: CleanFlags) => {
    try {
      const r = await clean({
        ...(o.dryRun ? { dryRun: true } : {}),
        ...(o.all ? { all: true } : {}),
        ...(o.run ? { run: o.run } : {}),
        log: (m) => console.error(m),
      });
      for (const c of r.containers)
        console.log(
          `${r.dryRun ? 'would remove' : 'removed'} ${c.id.slice(0, 12)} ${c.image} run=${c.run} ${c.component ?? ''}`,
        );
      if (r.containers.length === 0) console.log('no containers left by bench');
    } catch (e) {
      process.exitCode = reportError(e);
    }
  });

for (const c of program.commands) c.showHelpAfterError(`see bench ${c.name()} --help`);

await program.parseAsync(process.argv);
