import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProgress, parseProgressLine } from '../../src/pgbench/progress.js';

const FIXTURES = new URL('../fixtures/pgbench15/', import.meta.url);
const stderrOf = (name: string) => readFileSync(new URL(`${name}/stderr.txt`, FIXTURES), 'utf8');

describe('parseProgressLine', () => {
  it('reads a pgbench 15 line', () => {
    expect(parseProgressLine('progress: 1.0 s, 1114.9 tps, lat 3.478 ms stddev 4.969, 0 failed')).toEqual({
      t: 1,
      tps: 1114.9,
      latMs: 3.478,
      stddevMs: 4.969,
      failed: 0,
    });
  });

  it('reads the failed count and ignores the retried fields (--max-tries > 1)', () => {
    expect(
      parseProgressLine(
        'progress: 2.0 s, 508.9 tps, lat 2.845 ms stddev 3.583, 382 failed, 497 retried, 931 retries',
      ),
    ).toEqual({ t: 2, tps: 508.9, latMs: 2.845, stddevMs: 3.583, failed: 382 });
  });

  it('reads a rate-limited line with lag and skipped', () => {
    expect(
      parseProgressLine(
        'progress: 2.0 s, 4049.2 tps, lat 0.320 ms stddev 0.249, 0 failed, lag 0.119 ms, 56 skipped',
      ),
    ).toEqual({ t: 2, tps: 4049.2, latMs: 0.32, stddevMs: 0.249, failed: 0 });
  });

  it('reads the pgbench <= 14 line without a failed field', () => {
    expect(parseProgressLine('progress: 5.0 s, 300.2 tps, lat 3.330 ms stddev 0.870')).toEqual({
      t: 5,
      tps: 300.2,
      latMs: 3.33,
      stddevMs: 0.87,
    });
  });

  it('handles an interval without transactions and a -nan stddev', () => {
    expect(parseProgressLine('progress: 3.0 s, 0.0 tps, lat 0.000 ms stddev 0.000, 0 failed')).toEqual({
      t: 3,
      tps: 0,
      latMs: 0,
      stddevMs: 0,
      failed: 0,
    });
    expect(parseProgressLine('progress: 3.0 s, 10.0 tps, lat 1.000 ms stddev -nan, 0 failed')).toEqual({
      t: 3,
      tps: 10,
      latMs: 1,
      failed: 0,
    });
  });

  it('reads --progress-timestamp lines (t is the epoch)', () => {
    expect(
      parseProgressLine('progress: 1795461005.123 s, 10.0 tps, lat 1.000 ms stddev 0.100, 0 failed')?.t,
    ).toBe(1795461005.123);
  });

  it('rejects other lines', () => {
    expect(
      parseProgressLine('pgbench: error: Run was aborted; the above results are incomplete.'),
    ).toBeUndefined();
    expect(parseProgressLine('')).toBeUndefined();
    expect(parseProgressLine('progress: soon')).toBeUndefined();
  });
});

describe('parseProgress on recorded stderr', () => {
  it('finds one point per second', () => {
    expect(parseProgress(stderrOf('tpcb')).map((p) => p.t)).toEqual([1, 2, 3]);
    expect(parseProgress(stderrOf('failures')).map((p) => p.failed)).toEqual([711, 1591, 1096]);
    expect(parseProgress(stderrOf('retries'))[0]).toEqual({
      t: 1,
      tps: 373,
      latMs: 4.267,
      stddevMs: 4.905,
      failed: 176,
    });
  });

  it('finds the points between error lines of an aborted run', () => {
    // "1.2 s": pgbench prints the elapsed time, and a busy thread reports late.
    expect(parseProgress(stderrOf('reconnect-too-many')).map((p) => p.t)).toEqual([1.2]);
    expect(parseProgress(stderrOf('aborted'))).toEqual([
      { t: 1, tps: 19177, latMs: 0.197, stddevMs: 0.243, failed: 0 },
    ]);
  });
});
