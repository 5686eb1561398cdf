import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSummary } from '../../src/pgbench/summary.js';
import { aggregateTxLog, TxLogParser } from '../../src/pgbench/txlog.js';

// Recorded: pgbench -S -c 4 -j 2 -T 3 -R 4000 -L 0.5 -l (test/fixtures/pgbench15/rate-limit/argv.txt).
const DIR = fileURLToPath(new URL('../fixtures/pgbench15/rate-limit/', import.meta.url));

describe('pgbench -R/-L output', () => {
  it("the summary's skipped, late and schedule lag lines", async () => {
    const s = parseSummary(await readFile(join(DIR, 'stdout.txt'), 'utf8'));
    expect(s).toMatchObject({
      processed: 11878,
      skipped: 166,
      lateTransactions: 1105,
      lagAvgMs: 0.116,
      lagMaxMs: 4.079,
    });
  });

  it('the per-transaction log: lag of completed transactions, skipped counted apart', async () => {
    const text = await readFile(join(DIR, 'log.txt'), 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    const done = lines.map((l) => l.split(' ')).filter((f) => /^\d+$/.test(f[2] ?? ''));
    const lags = done.map((f) => Number(f[6]));
    const agg = await aggregateTxLog([join(DIR, 'log.txt')], { lag: true });
    expect(agg.skipped).toBe(lines.length - done.length);
    expect(agg.lag?.count).toBe(done.length);
    expect(agg.lag?.maxMs).toBe(Math.max(...lags) / 1000);
    expect(agg.lag?.meanMs).toBeCloseTo(lags.reduce((a, b) => a + b, 0) / lags.length / 1000, 9);
    const sorted = [...lags].sort((a, b) => a - b);
    const exactP99 = (sorted[Math.ceil(0.99 * sorted.length) - 1] as number) / 1000;
    expect(agg.lag?.p99Ms).toBeLessThanOrEqual(exactP99);
    expect(agg.lag?.p99Ms).toBeGreaterThanOrEqual(exactP99 * 0.999);
    // The per-second figures carry the lag too, and the log's mean lag agrees with pgbench's own.
    expect(agg.seconds.every((s) => s.count === 0 || s.lagMaxMs !== undefined)).toBe(true);
    expect(agg.lag?.meanMs).toBeCloseTo(0.116, 1);
  });

  it('without lag: the 7th field is not read (it is retries without -R)', () => {
    const p = new TxLogParser();
    p.push(new TextEncoder().encode('0 1 500 0 1795461478 533344 2\n'));
    expect(p.result().lag).toBeUndefined();
    const q = new TxLogParser({ lag: true });
    q.push(
      new TextEncoder().encode('0 1 500 0 1795461478 533344 2000 1\n0 2 skipped 0 1795461478 533354 0\n'),
    );
    expect(q.result().lag).toEqual({ meanMs: 2, p99Ms: 2, maxMs: 2, count: 1 });
  });
});
