/*
 * How sensitive is `bench compare`'s paired verdict on this machine? One long interleaved run with
 * four socat proxy configs (readonly, one concurrency, many short reps):
 *   A    socat
 *   A2   socat, identical to A (the A/A control: every "slower"/"faster" is a false alarm)
 *   B5   socat under bench/duty-cycle.mjs, frozen --off5 ms of every --period-ms (about 5% fewer TPS)
 *   B10  the same with --off10 ms (about 10%)
 * then the reps are cut into non-overlapping windows of k consecutive reps (trials of k pairs) and
 * each trial is judged as `bench compare --baseline-config A --candidate-config X` would judge it.
 * Printed as a markdown table: per k, the A/A false-alarm rate, the detection rates of B5 and B10,
 * the measured noise (s of the per-pair log ratio over the whole run) and the detectable change at k
 * pairs. Design and the injector's measured size: docs/sensitivity.md.
 *
 *   npm run build && node --experimental-strip-types bench/sensitivity.ts \
 *     [--reps 120] [--duration 2] [--warmup 1] [--pairs-per-trial 5,10,20,30] [--clients 8] \
 *     [--period-ms 100] [--off5 2] [--off10 4] [--thresholds 0,0.025,0.05] [--run <existing-run-dir>]
 *
 * Runs against the compiled dist/ (the sources import each other with `.js` suffixes, which Node's
 * type stripping does not map back to `.ts`). --run re-analyses a run made earlier by this script.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (p: string) => new URL(`../dist/${p}`, import.meta.url).href;
const { loadSummary } = (await import(
  dist('summarize/load.js')
)) as typeof import('../summarize/input/load.js');
const { pairedMetric, COMPARE_DEFAULTS } = (await import(
  dist('summarize/compare.js')
)) as typeof import('../summarize/compare/compare.js');
const { std, minimumDetectableEffect } = (await import(
  dist('summarize/stats.js')
)) as typeof import('../summarize/model/stats.js');
type Row = import('../summarize/model/row.js').Row;

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '120' },
    duration: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    'pairs-per-trial': { type: 'string', default: '5,10,20,30' },
    clients: { type: 'string', default: '8' },
    'period-ms': { type: 'string', default: '100' },
    off5: { type: 'string', default: '2' },
    off10: { type: 'string', default: '4' },
    thresholds: { type: 'string', default: `0,0.025,${COMPARE_DEFAULTS.threshold}` },
    run: { type: 'string' },
  },
});
const ks = args['pairs-per-trial'].split(',').map(Number);
const thresholds = args.thresholds.split(',').map(Number);
const threshold = Math.max(...thresholds);
const CANDIDATES = ['A2', 'B5', 'B10'] as const;

function matrixYaml(): string {
  const socat = [
    'socat',
    'TCP-LISTEN:{port},bind={host},reuseaddr,fork',
    'TCP:{upstream_host}:{upstream_port}',
  ];
  const duty = (off: string) => [
    process.execPath,
    join(root, 'bench/duty-cycle.mjs'),
    '--off-ms',
    off,
    '--period-ms',
    args['period-ms'],
    '--',
    ...socat,
  ];
  const argv = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return `name: sensitivity
duration: ${Number(args.duration)}s
warmup: ${Number(args.warmup)}s
settle: 200ms
scale: 1
reps: ${Number(args.reps)}
concurrency: [${Number(args.clients)}]
configs:
  - { name: A, kind: proxy, command: ${argv(socat)} }
  - { name: A2, kind: proxy, command: ${argv(socat)} }
  - { name: B5, kind: proxy, command: ${argv(duty(args.off5))} }
  - { name: B10, kind: proxy, command: ${argv(duty(args.off10))} }
workloads: [readonly]
`;
}

/** Runs the matrix with the built CLI, output on our stderr so stdout stays the table. */
function runMatrix(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sensitivity-'));
  const matrix = join(dir, 'sensitivity.yaml');
  writeFileSync(matrix, matrixYaml());
  const results = join(dir, 'results');
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'dist/src/cli.js'),
      'run',
      matrix,
      '--provider',
      'native',
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

/** rep -> TPS of one config's completed cells. */
function tpsByRep(rows: readonly Row[], config: string): Map<number, number> {
  const row = rows.find((r) => r.config === config);
  if (!row) throw new Error(`no results for config ${config}`);
  return new Map(row.samples.map((s) => [s.rep, s.tps]));
}

const pct = (x: number, d = 1) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : '–');

const runDir = args.run ?? runMatrix();
const { rows } = loadSummary([runDir]);
const a = tpsByRep(rows, 'A');
const reps = [...a.keys()].sort((x, y) => x - y);

interface Tally {
  trials: number;
  slower: number;
  faster: number;
  noChange: number;
  inconclusive: number;
}

const pairsOf = (cand: Map<number, number>, window: readonly number[]) =>
  window.flatMap((rep) => {
    const x = a.get(rep);
    const y = cand.get(rep);
    return x !== undefined && y !== undefined ? [[x, y] as const] : [];
  });

const whole = Object.fromEntries(
  CANDIDATES.map((c) => {
    const m = tpsByRep(rows, c);
    const d = pairsOf(m, reps).map(([x, y]) => Math.log(y / x));
    return [
      c,
      {
        map: m,
        noise: std(d),
        metric: pairedMetric(pairsOf(m, reps), { baseline: NaN, candidate: NaN }, true, { threshold }),
      },
    ];
  }),
) as Record<
  (typeof CANDIDATES)[number],
  { map: Map<number, number>; noise: number; metric: ReturnType<typeof pairedMetric> }
>;

const out: string[] = [
  `Run \`${runDir}\`: ${reps.length} reps of ${args.duration} s (warm-up ${args.warmup} s), readonly, ${args.clients} clients; duty cycle period ${args['period-ms']} ms, B5 off ${args.off5} ms, B10 off ${args.off10} ms; thresholds ${thresholds.map((t) => `±${pct(t, 1)}`).join(', ')}.${args.run ? " (Re-analysis: the settings shown are this invocation's flags; the run's own are in its run.json.)" : ''}`,
  '',
  '| config vs A | ratio over all reps [95% CI] | noise (s of ln ratio per pair) |',
  '| :-- | --: | --: |',
  ...CANDIDATES.map((c) => {
    const m = whole[c].metric;
    return `| ${c} | ${m.ratio.toFixed(3)} [${m.ciLow.toFixed(3)}, ${m.ciHigh.toFixed(3)}] | ${pct(whole[c].noise)} |`;
  }),
  '',
];
for (const t of thresholds) {
  out.push(
    '',
    `Threshold ±${pct(t, 1)}${t === 0 ? ' (significance alone: slower = the 95% interval lies below 1)' : ''}:`,
    '',
    '| pairs per trial (k) | trials | A/A false alarms (slower or faster) | A/A no change | B5 detected (slower) | B10 detected (slower) | noise (A/A) | detectable change at k (80% power) |',
    '| --: | --: | --: | --: | --: | --: | --: | --: |',
  );
  for (const k of ks) out.push(trialRow(k, t));
}

function trialRow(k: number, t: number): string {
  const tally = Object.fromEntries(
    CANDIDATES.map((c) => [c, { trials: 0, slower: 0, faster: 0, noChange: 0, inconclusive: 0 } as Tally]),
  ) as Record<(typeof CANDIDATES)[number], Tally>;
  for (let start = 0; start + k <= reps.length; start += k) {
    const window = reps.slice(start, start + k);
    for (const c of CANDIDATES) {
      const v = pairedMetric(pairsOf(whole[c].map, window), { baseline: NaN, candidate: NaN }, true, {
        threshold: t,
      }).verdict;
      const tl = tally[c];
      tl.trials++;
      if (v === 'slower') tl.slower++;
      else if (v === 'faster') tl.faster++;
      else if (v === 'no-change') tl.noChange++;
      else tl.inconclusive++;
    }
  }
  const rate = (n: number, tl: Tally) =>
    tl.trials === 0 ? '–' : `${n}/${tl.trials} (${pct(n / tl.trials, 0)})`;
  const noise = whole.A2.noise;
  const mde = Math.expm1(minimumDetectableEffect(noise / Math.sqrt(k), k - 1));
  return `| ${k} | ${tally.A2.trials} | ${rate(tally.A2.slower + tally.A2.faster, tally.A2)} | ${rate(tally.A2.noChange, tally.A2)} | ${rate(tally.B5.slower, tally.B5)} | ${rate(tally.B10.slower, tally.B10)} | ${pct(noise)} | ±${pct(mde)} |`;
}
console.log(out.join('\n'));
