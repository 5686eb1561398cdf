import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../summarize/compare/compare.js';
import { bench, onlyRunDir, ROOT, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('bench-cost-compare-');

const relay = (binary: string, loops: number) =>
  `[${[binary, '--listen', '{host}:{port}', '--upstream', '{upstream_host}:{upstream_port}', '--loops', String(loops)].map((x) => JSON.stringify(x)).join(', ')}]`;

/**
 * Cost cells only, on real components: the exact-cost relay three times (A, its twin A2, and B with
 * 304 instead of 300 loop iterations per message: about 1.2 % more instructions per transaction on
 * readonly, measured 1,956 and 1,980) and PgBouncer. 200 and 600 transactions, 2 repeats, valgrind
 * and perf: 32 cost cells, about a minute here.
 */
const matrix = (binary: string) => `name: cost-compare
provider: native
auth: trust
duration: 1s
settle: 100ms
reps: 1
scale: 1
concurrency: [1]
configs:
  - { name: pgb, kind: pgbouncer, pool_mode: transaction }
  - { name: A, kind: proxy, command: ${relay(binary, 300)} }
  - { name: A2, kind: proxy, command: ${relay(binary, 300)} }
  - { name: B, kind: proxy, command: ${relay(binary, 304)} }
workloads: [readonly]
cost:
  clients: 1
  transactions: [200, 600]
  repeats: 2
  components: [proxy, pgbouncer]
`;

function readCompare(out: string): CompareResult {
  return JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')) as CompareResult;
}

const instructions = (c: CompareResult) =>
  c.cost?.groups[0]?.figures.find((f) => f.figure === 'instructions_per_tx');

describe('bench compare on cost cells (exact-cost relay, PgBouncer)', () => {
  let run: string;
  beforeAll(async () => {
    const built = await execa('bash', [path.join(ROOT, 'tools/cost-relay/build.sh')], { reject: false });
    expect(built.exitCode, String(built.stderr)).toBe(0);
    const results = tempResults();
    const r = await bench([
      'run',
      writeMatrix(dir, 'cost.yaml', matrix(String(built.stdout).trim())),
      '--cost-only',
      '--results-dir',
      results,
    ]);
    expect(r.exitCode, String(r.all)).toBe(0);
    run = onlyRunDir(results);
  }, 150_000);

  it('A/A: cost "no change", exit 0', async () => {
    const out = path.join(dir, 'aa');
    const r = await bench([
      'compare',
      run,
      '--baseline-config',
      'A',
      '--candidate-config',
      'A2',
      '--out',
      out,
    ]);
    expect(r.exitCode, String(r.all)).toBe(0);
    const c = readCompare(out);
    expect(c.cost?.regressions).toBe(0);
    expect(c.cost?.inconclusive).toBe(0);
    expect(instructions(c)?.verdict).toBe('no-change');
    expect(c.cost?.groups[0]?.figures.find((f) => f.figure === 'syscalls_per_tx')?.verdict).toBe('no-change');
  });

  it('+1.2 % instructions: cost "slower", exit 1, the cost verdict named, the function found', async () => {
    const out = path.join(dir, 'ab');
    const r = await bench([
      'compare',
      run,
      '--baseline-config',
      'A',
      '--candidate-config',
      'B',
      '--out',
      out,
    ]);
    expect(r.exitCode, String(r.all)).toBe(1);
    expect(String(r.stderr)).toMatch(/exit 1, set by the cost verdict \(regression\)/);
    const c = readCompare(out);
    const f = instructions(c);
    expect(f?.verdict).toBe('slower');
    expect(f?.change).toBeGreaterThan(0.01);
    expect(f?.change).toBeLessThan(0.02);
    expect(c.cost?.groups[0]?.functions[0]?.fn).toMatch(/pump/);
    expect(readFileSync(path.join(out, 'compare.md'), 'utf8')).toMatch(
      /🔴 slower \| B vs A \| readonly \| proxy \| instructions/,
    );
  });

  it('PgBouncer: instructions_per_tx and syscalls_per_tx present and positive in summary.json', () => {
    const doc = JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8'));
    expect(doc.rows).toEqual([]);
    const pgb = doc.cost.rows.find((r: { config: string }) => r.config === 'pgb');
    expect(pgb.component).toBe('pgbouncer');
    expect(pgb.instructions_per_tx).toBeGreaterThan(1000);
    expect(pgb.syscalls_per_tx).toBeGreaterThan(0);
    expect(pgb.instructions_per_tx_spread_pct).toBeLessThan(1);
    expect(readFileSync(path.join(run, 'FINDINGS.md'), 'utf8')).toContain('## Cost per transaction');
  });
});
