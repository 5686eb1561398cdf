/*
 * How sensitive is the cost verdict of `bench compare`, and how does it do beside the TPS verdict of
 * the same runs, on this (shared, loaded) machine? Each trial is one `bench run` of five configs of
 * the exact-cost relay (tools/cost-relay), throughput cells and cost cells:
 *   A    relay --loops L
 *   A2   the same as A (the A/A control: every cost "slower"/"faster" is a false alarm)
 *   B1   relay --loops L + dL (about 1 % more instructions per transaction)
 *   S1   relay --loops L --extra-syscall (one more syscall per message: 2 per readonly transaction)
 * and each trial is judged as `bench compare --baseline-config A --candidate-config X` judges it:
 * the cost verdict of instructions_per_tx and syscalls_per_tx per workload, and the TPS verdict of
 * the throughput cells of the same run. Recorded per trial: the 1-minute load average before and
 * after, the wall time, every verdict and every figure; one JSON line per trial in --out, then a
 * markdown table on stdout. docs/cost.md has the figures measured with it.
 *
 *   npm run build && bash tools/cost-relay/build.sh && node --experimental-strip-types bench/cost-sensitivity.ts \
 *     [--minutes 25] [--trials 20] [--workloads readonly,tpcb] [--loops 1000] [--extra-loops 11] \
 *     [--transactions 200,600] [--repeats 2] [--reps 3] [--duration 2] [--threshold 0.01] \
 *     [--out cost-sensitivity.jsonl] [--analyse cost-sensitivity.jsonl]
 *
 * Runs against the compiled dist/ (the sources import each other with `.js` suffixes, which Node's
 * type stripping does not map back to `.ts`). --analyse re-renders the table from a trials file.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (p: string) => new URL(`../dist/${p}`, import.meta.url).href;
const { compare } = (await import(
  dist('src/commands/compare.js')
)) as typeof import('../src/commands/compare.js');

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '25' },
    trials: { type: 'string', default: '20' },
    workloads: { type: 'string', default: 'readonly,tpcb' },
    loops: { type: 'string', default: '1000' },
    'extra-loops': { type: 'string', default: '11' },
    transactions: { type: 'string', default: '200,600' },
    repeats: { type: 'string', default: '2' },
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '2' },
    threshold: { type: 'string', default: '0.01' },
    out: { type: 'string', default: join(tmpdir(), `cost-sensitivity-${Date.now()}.jsonl`) },
    analyse: { type: 'string' },
  },
});
const CANDIDATES = ['A2', 'B1', 'S1'] as const;
type Candidate = (typeof CANDIDATES)[number];
const GATING = ['instructions_per_tx', 'syscalls_per_tx'] as const;

interface Judged {
  workload: string;
  /** Cost verdict and figures per gating figure (the proxy component). */
  cost: Record<
    string,
    { verdict: string; baseline: number; candidate: number; change: number; spreadPct: number }
  >;
  /** TPS verdict of the throughput cells of the same run. */
  tps: { verdict: string; ratio: number; ciLow: number; ciHigh: number; n: number } | null;
}
interface Trial {
  trial: number;
  runDir: string;
  load1Before: number;
  load1After: number;
  wallSeconds: number;
  /** Seconds from the first cost cell's start to the last one's end (all five configs). */
  costSpanSeconds: number;
  /** Seconds inside the cost cells of A plus those of one candidate: what one A/B pair costs. */
  costPairSeconds: number;
  verdicts: Record<Candidate, Judged[]>;
}

function relay(binary: string, extra: string[]): string {
  const argv = [
    binary,
    '--listen',
    '{host}:{port}',
    '--upstream',
    '{upstream_host}:{upstream_port}',
    ...extra,
  ];
  return `[${argv.map((x) => JSON.stringify(x)).join(', ')}]`;
}

function matrixYaml(binary: string): string {
  const loops = Number(args.loops);
  return `name: cost-sensitivity
provider: native
auth: trust
duration: ${Number(args.duration)}s
warmup: 0s
settle: 200ms
scale: 1
reps: ${Number(args.reps)}
concurrency: [4]
configs:
  - { name: A, kind: proxy, command: ${relay(binary, ['--loops', String(loops)])} }
  - { name: A2, kind: proxy, command: ${relay(binary, ['--loops', String(loops)])} }
  - { name: B1, kind: proxy, command: ${relay(binary, ['--loops', String(loops + Number(args['extra-loops']))])} }
  - { name: S1, kind: proxy, command: ${relay(binary, ['--loops', String(loops), '--extra-syscall'])} }
workloads: [${args.workloads}]
cost:
  clients: 1
  transactions: [${args.transactions}]
  repeats: ${Number(args.repeats)}
  components: [proxy]
`;
}

function buildRelay(): string {
  const r = spawnSync('bash', [join(root, 'tools/cost-relay/build.sh')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tools/cost-relay/build.sh exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

/** One bench run with the built CLI, its output on our stderr so stdout stays the table. */
function runTrial(matrix: string): string {
  const results = mkdtempSync(join(tmpdir(), 'bench-cost-sensitivity-'));
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'dist/src/cli.js'),
      'run',
      matrix,
      '--no-summarize',
      '--no-sampling',
      '--results-dir',
      results,
    ],
    { stdio: ['ignore', 2, 2] },
  );
  if (r.status !== 0) throw new Error(`bench run exited ${r.status}; results in ${results}`);
  const [id] = readdirSync(results);
  if (id === undefined) throw new Error(`no run directory in ${results}`);
  return join(results, id);
}

async function judge(runDir: string, candidate: Candidate): Promise<Judged[]> {
  const c = await compare({
    baseline: runDir,
    baselineConfig: 'A',
    candidateConfig: candidate,
    costThreshold: Number(args.threshold),
  });
  const workloads = [...new Set((c.result.cost?.groups ?? []).map((g) => g.workload))];
  return workloads.map((workload) => {
    const g = c.result.cost?.groups.find((x) => x.workload === workload);
    const cost: Judged['cost'] = {};
    for (const f of g?.figures ?? [])
      if ((GATING as readonly string[]).includes(f.figure))
        cost[f.figure] = {
          verdict: f.verdict,
          baseline: f.baseline,
          candidate: f.candidate,
          change: f.change,
          spreadPct: Math.max(f.baselineSpreadPct, f.candidateSpreadPct),
        };
    const t = c.result.groups.find((x) => x.workload === workload);
    return {
      workload,
      cost,
      tps: t
        ? { verdict: t.verdict, ratio: t.tps.ratio, ciLow: t.tps.ciLow, ciHigh: t.tps.ciHigh, n: t.tps.n }
        : null,
    };
  });
}

/** How long the cost cells of a run took: the span of all, and the cells of two configs. */
function costSeconds(runDir: string): { span: number; pair: number } {
  const recs = readFileSync(join(runDir, 'cost.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { config: string; startedAt: string; endedAt: string });
  const t = (x: string) => Date.parse(x) / 1000;
  const span = Math.max(...recs.map((r) => t(r.endedAt))) - Math.min(...recs.map((r) => t(r.startedAt)));
  const pair = recs
    .filter((r) => r.config === 'A' || r.config === 'B1')
    .reduce((a, r) => a + t(r.endedAt) - t(r.startedAt), 0);
  return { span, pair };
}

async function trials(): Promise<Trial[]> {
  const binary = buildRelay();
  const dir = mkdtempSync(join(tmpdir(), 'bench-cost-sensitivity-m-'));
  const matrix = join(dir, 'cost-sensitivity.yaml');
  writeFileSync(matrix, matrixYaml(binary));
  const deadline = Date.now() + Number(args.minutes) * 60_000;
  const out: Trial[] = [];
  let lastWall = 0;
  for (let i = 1; i <= Number(args.trials); i++) {
    // Start a trial only when one as long as the last still fits in the time given.
    if (i > 1 && Date.now() + lastWall * 1000 > deadline) break;
    const load1Before = loadavg()[0] ?? Number.NaN;
    const t0 = Date.now();
    const runDir = runTrial(matrix);
    lastWall = (Date.now() - t0) / 1000;
    const verdicts = {} as Record<Candidate, Judged[]>;
    for (const c of CANDIDATES) verdicts[c] = await judge(runDir, c);
    const cs = costSeconds(runDir);
    const trial: Trial = {
      trial: i,
      runDir,
      load1Before,
      load1After: loadavg()[0] ?? Number.NaN,
      wallSeconds: lastWall,
      costSpanSeconds: cs.span,
      costPairSeconds: cs.pair,
      verdicts,
    };
    appendFileSync(args.out, `${JSON.stringify(trial)}\n`);
    console.error(
      `trial ${i}: ${lastWall.toFixed(0)} s, load ${trial.load1Before.toFixed(2)} -> ${trial.load1After.toFixed(2)}`,
    );
    out.push(trial);
  }
  return out;
}

const pct = (x: number, d = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : '–');
const count = (xs: readonly string[], v: string) => xs.filter((x) => x === v).length;
const range = (xs: readonly number[], f: (x: number) => string) =>
  xs.length === 0 ? '–' : `${f(Math.min(...xs))} … ${f(Math.max(...xs))}`;

function verdictCounts(vs: readonly string[]): string {
  return ['slower', 'faster', 'no-change', 'inconclusive'].map((v) => `${count(vs, v)}`).join(' / ');
}

function table(ts: readonly Trial[]): string {
  const workloads = [...new Set(ts.flatMap((t) => t.verdicts.A2.map((j) => j.workload)))];
  const loads = ts.flatMap((t) => [t.load1Before, t.load1After]);
  const walls = ts.map((t) => t.wallSeconds);
  const pairs = ts.map((t) => t.costPairSeconds);
  const out = [
    `${ts.length} trials (one \`bench run\` each: configs A, A2, B1 = +${args['extra-loops']} of ${args.loops} loop iterations per message, S1 = one extra syscall per message; workloads ${workloads.join(', ')}; throughput cells ${args.reps} reps of ${args.duration} s at 4 clients; cost cells ${args.transactions} transactions × ${args.repeats} repeats, valgrind and perf, 1 client); cost threshold ±${pct(Number(args.threshold), 1)}, TPS threshold ±5% (the default).`,
    '',
    `Load average (1 min) over the trials: ${range(loads, (x) => x.toFixed(2))} on 2 cores. Wall time per trial: ${range(walls, (x) => `${x.toFixed(0)} s`)} (mean ${(walls.reduce((a, x) => a + x, 0) / Math.max(1, walls.length)).toFixed(0)} s); of it, the cost cells of one pair of configs (A and B1, both workloads, inside the cells): ${range(pairs, (x) => `${x.toFixed(0)} s`)}.`,
    '',
    '| candidate vs A | workload | figure | change measured (min … max) | worst spread of repeats | cost verdict slower / faster / no change / inconclusive | TPS verdict slower / faster / no change / inconclusive | TPS ratio (min … max) |',
    '| :-- | :-- | :-- | --: | --: | :-- | :-- | --: |',
  ];
  for (const c of CANDIDATES)
    for (const w of workloads) {
      const js = ts.flatMap((t) => t.verdicts[c].filter((j) => j.workload === w));
      for (const f of GATING) {
        const fs = js.flatMap((j) => (j.cost[f] ? [j.cost[f]] : []));
        const tps = js.flatMap((j) => (j.tps ? [j.tps] : []));
        out.push(
          `| ${c} | ${w} | ${f} | ${range(
            fs.map((x) => x.change),
            (x) => pct(x, 3),
          )} | ${range(
            fs.map((x) => x.spreadPct / 100),
            (x) => pct(x, 3),
          )} | ${verdictCounts(fs.map((x) => x.verdict))} | ${f === 'instructions_per_tx' ? verdictCounts(tps.map((x) => x.verdict)) : '(same runs)'} | ${
            f === 'instructions_per_tx'
              ? range(
                  tps.map((x) => x.ratio),
                  (x) => x.toFixed(3),
                )
              : ''
          } |`,
        );
      }
    }
  return out.join('\n');
}

const done: Trial[] = args.analyse
  ? readFileSync(args.analyse, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Trial)
  : await trials();
if (!args.analyse) console.error(`trials recorded in ${args.out}`);
console.log(table(done));
