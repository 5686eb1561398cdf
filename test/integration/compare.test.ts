import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bench, onlyRunDir, tempResults, writeMatrix } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
const matrix = (pool: number) => `name: pool
duration: 2s
settle: 200ms
scale: 1
reps: 3
concurrency: [8]
configs:
  - { name: pgbouncer, kind: pgbouncer, pool_mode: transaction, default_pool_size: ${pool} }
workloads: [{ name: hold-2ms, script: hold.sql }]
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

/**
 * Real runs: the same matrix twice must not be called a regression, and a pool of 1 server
 * connection for 8 clients (against 20) must be. Each transaction holds its server connection for
 * 2 ms (the shape under which pool size matters), so the expected gap (about 8x) does not depend on
 * how busy the machine's CPUs are. The no-change check uses a 25% threshold: two runs minutes apart
 * on a shared 2-core machine drift by more than 5% without any change in the code.
 */
describe('bench compare on real runs', () => {
  let baseA: string;
  let baseB: string;
  let slow: string;
  beforeAll(async () => {
    writeMatrix(dir, 'hold.sql', 'SELECT pg_sleep(0.002);\n');
    const fast = writeMatrix(dir, 'fast.yaml', matrix(20));
    baseA = await runOnce(fast);
    slow = await runOnce(writeMatrix(dir, 'slow.yaml', matrix(1)));
    baseB = await runOnce(fast);
  }, 240_000);

  it('reports no significant change between two runs of the same matrix (exit 0)', async () => {
    const r = await bench(['compare', baseA, baseB, '--threshold', '0.25']);
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(String(r.stdout)).not.toMatch(/slower/);
  });

  it('reports a significant regression for a pool of 1 vs 20 at 8 clients, and exits 1', async () => {
    const out = path.join(dir, 'cmp');
    const r = await bench(['compare', baseA, slow, '--threshold', '0.25', '--out', out]);
    expect(r.exitCode, String(r.all)).toBe(1);
    expect(String(r.stdout)).toMatch(/slower/);
    expect(String(r.stderr)).toMatch(/1 significant regression/);
  });
});
