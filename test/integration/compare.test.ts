import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../summarize/compare/compare.js';
import { bench, onlyRunDir, ROOT, readCells, tempResults, writeMatrix } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
const DUTY = path.join(ROOT, 'bench/duty-cycle.mjs');
const SOCAT = [
  'socat',
  'TCP-LISTEN:{port},bind={host},reuseaddr,fork',
  'TCP:{upstream_host}:{upstream_port}',
];
const argv = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

/**
 * One run, three socat proxies interleaved rep by rep: `plain` and its twin `plain-2`, and `slowed`,
 * whose whole process group the duty-cycle injector freezes 70 ms out of every 100. Measured by
 * hand, 10 ms cost about 22% and 30 ms about 74% (docs/sensitivity.md); but 2 s cells on this busy
 * shared machine vary by 25-50% per pair, so 5 pairs only reliably resolve a slowdown far beyond
 * that. The test checks the verdict path and exit code; bench/sensitivity.ts measures small ones.
 */
const paired = `name: compare-paired
duration: 2s
warmup: 1s
settle: 200ms
scale: 1
reps: 5
concurrency: [8]
configs:
  - { name: plain, kind: proxy, command: ${argv(SOCAT)} }
  - { name: plain-2, kind: proxy, command: ${argv(SOCAT)} }
  - name: slowed
    kind: proxy
    command: ${argv([process.execPath, DUTY, '--off-ms', '70', '--period-ms', '100', '--', ...SOCAT])}
workloads: [readonly]
`;

const single = `name: one-rep
duration: 1s
settle: 100ms
scale: 1
reps: 1
concurrency: [1]
configs:
  - { name: direct, kind: direct }
workloads: [readonly]
`;

async function runOnce(file: string): Promise<string> {
  const results = tempResults();
  const r = await bench([
    'run',
    file,
    '--provider',
    'native',
    '--no-summarize',
    '--no-sampling',
    '--results-dir',
    results,
  ]);
  expect(r.exitCode, String(r.all)).toBe(0);
  return onlyRunDir(results);
}

function readCompare(out: string): CompareResult {
  return JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')) as CompareResult;
}

/**
 * Real runs through the CLI. Two separate runs minutes apart drift by more than 10% on this shared
 * machine, so a slowdown is found by pairing two configs of ONE run rep by rep; two 1-rep runs can
 * decide nothing and must say so with a non-zero exit.
 */
describe('bench compare on real runs', () => {
  let run: string;
  let oneA: string;
  let oneB: string;
  beforeAll(async () => {
    run = await runOnce(writeMatrix(dir, 'paired.yaml', paired));
    const file = writeMatrix(dir, 'single.yaml', single);
    oneA = await runOnce(file);
    oneB = await runOnce(file);
  }, 170_000);

  it('ran every cell of the paired run', () => {
    const cells = readCells(run);
    expect(cells).toHaveLength(15);
    expect(cells.every((c) => c.state === 'completed')).toBe(true);
  });

  it('paired: the duty-cycled proxy is slower than the plain one, exit 1', async () => {
    const out = path.join(dir, 'slowed');
    const r = await bench([
      'compare',
      run,
      '--baseline-config',
      'plain',
      '--candidate-config',
      'slowed',
      '--threshold',
      '5%',
      '--out',
      out,
    ]);
    expect(r.exitCode, String(r.all)).toBe(1);
    expect(String(r.stdout)).toMatch(/slower/);
    expect(String(r.stderr)).toMatch(/1 regression/);
    const c = readCompare(out);
    expect(c.mode).toBe('paired');
    const g = c.groups[0];
    expect(g?.verdict).toBe('slower');
    expect(g?.tps.n).toBe(5);
    expect(g?.tps.ciHigh).toBeLessThan(1);
    expect(g?.tps.ratio).toBeLessThan(1 / 1.05);
  });

  it('paired A/A: two identical proxies are not slower (exit 0 with --allow-inconclusive)', async () => {
    const out = path.join(dir, 'aa');
    const r = await bench([
      'compare',
      run,
      '--baseline-config',
      'plain',
      '--candidate-config',
      'plain-2',
      '--allow-inconclusive',
      '--out',
      out,
    ]);
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(['no-change', 'inconclusive']).toContain(readCompare(out).groups[0]?.verdict);
  });

  it('two 1-rep runs: inconclusive, exit non-zero, and says why', async () => {
    const r = await bench(['compare', oneA, oneB]);
    expect(r.exitCode, String(r.all)).toBe(1);
    expect(String(r.stdout)).toMatch(/inconclusive/);
    expect(String(r.stdout)).toMatch(/nothing can be decided/);
    expect(String(r.stderr)).toMatch(/1 inconclusive group/);
    const allowed = await bench(['compare', oneA, oneB, '--allow-inconclusive']);
    expect(allowed.exitCode, String(allowed.all)).toBe(0);
  });
});
