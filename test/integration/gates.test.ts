import { describe, expect, it } from 'vitest';
import { bench, onlyRunDir, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('gates set the exit code', () => {
  it('a violated gate is printed as a table and exits 1, after run and from summarize --check', async () => {
    const dir = tempDir('bench-gates-');
    const matrix = writeMatrix(
      dir,
      'gates.yaml',
      `duration: 1s
settle: 0s
scale: 1
concurrency: [2]
configs:
  - { name: direct, kind: direct }
  - { name: tx, kind: pgbouncer, gates: { min_tps: 1000000000 } }
workloads: [readonly]
gates:
  max_failed_transactions: 0
  max_p99_ms: 10000
`,
    );
    const results = tempResults();
    const r = await bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    expect(r.exitCode, String(r.all)).toBe(1);
    expect(String(r.stderr)).toMatch(/1 gate violation\(s\):/);
    expect(String(r.stderr)).toMatch(/min_tps\s*│\s*tx\s*│\s*readonly\s*│\s*2\s*│\s*1000000000/);
    // The direct config has no min_tps gate: only the config-scoped one fails.
    expect(String(r.stderr)).not.toMatch(/│\s*direct\s*│/);

    const runDir = onlyRunDir(results);
    const check = await bench(['summarize', runDir, '--check']);
    expect(check.exitCode).toBe(1);
    expect(String(check.stderr)).toMatch(/min_tps/);
    const plain = await bench(['summarize', runDir]);
    expect(plain.exitCode).toBe(0);
  }, 120_000);
});
