import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/pgbench/histogram.js';
import { aggregateTxLog, findTxLogFiles, secondBucketOf, TxLogParser } from '../../src/pgbench/txlog.js';
import { tempDir } from '../helpers/tmp.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/pgbench15/', import.meta.url));
const logOf = (name: string) => join(FIXTURES, name, 'log.txt');

/** The obvious implementation, for comparison: split, fields, Number. */
async function reference(files: string[]) {
  const histogram = new LatencyHistogram();
  let failed = 0;
  let skipped = 0;
  let lines = 0;
  for (const file of files) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line === '') continue;
      lines++;
      const time = line.split(' ')[2] ?? '';
      if (/^\d+$/.test(time)) histogram.record(Number(time));
      else if (time === 'skipped') skipped++;
      else failed++;
    }
  }
  return { histogram, failed, skipped, lines, malformed: 0 };
}

function summary(r: {
  histogram: LatencyHistogram;
  failed: number;
  skipped: number;
  lines: number;
  malformed: number;
}) {
  // The per-second figures have their own tests below; the reference has none.
  const { histogram, failed, skipped, lines, malformed } = r;
  return { histogram: histogram.toJSON(), failed, skipped, lines, malformed };
}

let tmp = '';
beforeAll(async () => {
  tmp = tempDir('pgbench-txlog-test-');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('aggregateTxLog on recorded pgbench 15 logs', () => {
  it('reads a tpcb log: 300 completed transactions', async () => {
    const r = await aggregateTxLog([logOf('tpcb')]);
    expect({ lines: r.lines, failed: r.failed, skipped: r.skipped, malformed: r.malformed }).toEqual({
      lines: 300,
      failed: 0,
      skipped: 0,
      malformed: 0,
    });
    expect(r.histogram.count).toBe(300);
    expect(r.histogram.min).toBe(340);
    expect(r.histogram.max).toBe(79_667); // above 65535 µs: the sparse part
  });

  it('counts "failed" lines and --failures-detailed kinds ("serialization") as failed', async () => {
    const plain = await aggregateTxLog([logOf('failures')]);
    expect(plain).toMatchObject({ lines: 400, failed: 307, skipped: 0, malformed: 0 });
    expect(plain.histogram.count).toBe(93);
    const detailed = await aggregateTxLog([logOf('failures-detailed')]);
    expect(detailed).toMatchObject({ lines: 400, failed: 284, skipped: 0, malformed: 0 });
    // 7 fields: the retries column of --max-tries=3.
    const retries = await aggregateTxLog([logOf('retries')]);
    expect(retries).toMatchObject({ lines: 400, failed: 204, malformed: 0 });
    expect(retries.histogram.max).toBe(35_287);
  });

  it('counts "skipped" lines of a -R -L run (7 fields: schedule lag)', async () => {
    const r = await aggregateTxLog([logOf('rate-limit')]);
    expect(r).toMatchObject({ lines: 400, failed: 0, skipped: 101, malformed: 0 });
    expect(r.histogram.count).toBe(299);
    expect(r.histogram.min).toBe(135);
    expect(r.histogram.max).toBe(1449);
  });

  it('agrees with a straightforward reference implementation on every fixture, all files at once', async () => {
    const files = [
      'tpcb',
      'readonly-reconnect',
      'failures',
      'failures-detailed',
      'retries',
      'rate-limit',
    ].map(logOf);
    const r = await aggregateTxLog(files);
    expect(summary(r)).toEqual(summary(await reference(files)));
    expect(r.lines).toBe(300 + 300 + 400 + 400 + 400 + 400);
    expect(r.histogram.percentiles([50, 99])).toEqual(
      (await reference(files)).histogram.percentiles([50, 99]),
    );
  });

  it('gives the same result whatever the chunk size (lines split across chunks)', async () => {
    // Two files (4 KiB each: 1-byte reads are slow), the first ending in a torn line that must not
    // leak into the second.
    const files = [join(tmp, 'a.log'), join(tmp, 'b.log')];
    await writeFile(
      files[0] as string,
      `${(await readFile(logOf('failures-detailed'), 'utf8')).slice(0, 4096)}\n0 99 1`,
    );
    await writeFile(files[1] as string, (await readFile(logOf('rate-limit'), 'utf8')).slice(0, 4096));
    const expected = summary(await aggregateTxLog(files));
    expect(expected).toMatchObject({ lines: 113 + 127, malformed: 1, skipped: 1, failed: 84 });
    const seconds = (await aggregateTxLog(files)).seconds;
    for (const highWaterMark of [1, 2, 3, 7, 29, 64, 4096]) {
      const r = await aggregateTxLog(files, { highWaterMark });
      expect(summary(r)).toEqual(expected);
      expect(r.seconds).toEqual(seconds);
    }
  });
});

describe('TxLogParser', () => {
  const parse = (chunks: string[]) => {
    const p = new TxLogParser();
    for (const c of chunks) p.push(Buffer.from(c));
    p.end();
    return summary(p.result());
  };

  it('reads latencies, failed, skipped and failure kinds', () => {
    const r = parse([
      '0 1 120 0 1795461005 942050\n',
      '1 1 failed 0 1795461005 942051\n',
      '2 1 skipped 0 1795461005 942052 15\n',
      '3 1 deadlock 0 1795461005 942053 0 2\n',
      '3 2 70000 0 1795461005 942054 0 2\n',
    ]);
    expect(r).toEqual({
      histogram: { v: 1, unit: 'us', pairs: [120, 1, 70_000, 1] },
      failed: 2,
      skipped: 1,
      lines: 5,
      malformed: 0,
    });
  });

  it('counts malformed lines and keeps going', () => {
    const r = parse([
      'garbage\n',
      '0 1 120\n', // too few fields
      '0 1 120 0 1 2 3 4 5\n', // too many
      '0 1 12a 0 1795461005 1\n',
      '0 1 FAILED 0 1795461005 1\n', // pgbench writes lowercase words only
      '0 1 -5 0 1795461005 1\n',
      '0  1 5 0 1795461005 1\n', // doubled space
      '0 1 5 0 1795461005 1 \n', // trailing space
      '0 1 99999999999999999999 0 1795461005 1\n', // beyond 2^53
      '0 1 250 0 1795461005 1\n',
    ]);
    expect(r).toMatchObject({ lines: 10, malformed: 9, failed: 0, skipped: 0 });
    expect(r.histogram.pairs).toEqual([250, 1]);
  });

  it('ignores blank lines, accepts CRLF, counts a last line without newline', () => {
    const r = parse(['\n0 1 10 0 1 2\r\n\n', '0 2 20 0 1 2']);
    expect(r).toMatchObject({ lines: 2, malformed: 0 });
    expect(r.histogram.pairs).toEqual([10, 1, 20, 1]);
  });

  it('counts a torn last line (pgbench killed mid-write) as malformed', () => {
    expect(parse(['0 1 10 0 1 2\n0 2 3'])).toMatchObject({ lines: 2, malformed: 1 });
  });

  it('parses lines split at every possible byte', () => {
    const text = '0 1 120 0 1795461005 942050\n1 7 skipped 0 1795461005 1 3\n12 345 failed 0 1795461005 2\n';
    const whole = parse([text]);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(parse([...text])).toEqual(whole);
    expect(whole).toMatchObject({ lines: 3, failed: 1, skipped: 1, malformed: 0 });
  });

  it('does not carry a line from one file into the next', () => {
    const p = new TxLogParser();
    p.push(Buffer.from('0 1 10 0 1 2\n0 2 2'));
    p.end();
    p.push(Buffer.from('0 0 1 2\n'));
    p.end();
    expect(p.result()).toMatchObject({ lines: 3, malformed: 2 });
  });
});

describe('findTxLogFiles', () => {
  it('finds pgbench_log.<pid> and pgbench_log.<pid>.<thread>, sorted by pid then thread', async () => {
    const dir = join(tmp, 'find');
    await mkdir(dir);
    const names = [
      'pgbench_log.123.10',
      'pgbench_log.123',
      'pgbench_log.123.2',
      'pgbench_log.99',
      'pgbench_log.123.1',
      'pgbench_log.123.txt',
      'pgbench_log',
      'other_log.5',
      'stdout.txt',
    ];
    for (const name of names) await writeFile(join(dir, name), '');
    await mkdir(join(dir, 'pgbench_log.7')); // a directory is not a log
    expect(await findTxLogFiles(dir)).toEqual(
      [
        'pgbench_log.99',
        'pgbench_log.123',
        'pgbench_log.123.1',
        'pgbench_log.123.2',
        'pgbench_log.123.10',
      ].map((n) => join(dir, n)),
    );
    expect(await findTxLogFiles(dir, 'other_log')).toEqual([join(dir, 'other_log.5')]);
    expect(await findTxLogFiles(dir, 'pgbench.log')).toEqual([]); // the prefix is literal, not a regex
  });
});

describe('per-second figures (the time series of a cell)', () => {
  it('counts every transaction of the recorded logs in exactly one second', async () => {
    for (const name of [
      'tpcb',
      'failures',
      'failures-detailed',
      'rate-limit',
      'retries',
      'readonly-reconnect',
    ]) {
      const r = await aggregateTxLog([logOf(name)]);
      const sum = (k: 'count' | 'failed' | 'skipped') => r.seconds.reduce((a, s) => a + s[k], 0);
      expect(sum('count'), name).toBe(r.histogram.count);
      expect(sum('failed'), name).toBe(r.failed);
      expect(sum('skipped'), name).toBe(r.skipped);
      const ts = r.seconds.map((s) => s.t);
      expect(ts, name).toEqual([...ts].sort((a, b) => a - b));
      expect(new Set(ts).size, name).toBe(ts.length);
    }
  });

  it('matches the reference per-second percentiles computed by splitting the lines', async () => {
    const text = await readFile(logOf('tpcb'), 'utf8');
    const bySecond = new Map<number, LatencyHistogram>();
    for (const line of text.split('\n')) {
      const f = line.split(' ');
      if (f.length < 6 || !/^\d+$/.test(f[2] ?? '')) continue;
      const t = Number(f[4]);
      const h = bySecond.get(t) ?? new LatencyHistogram();
      h.record(secondBucketOf(Number(f[2])));
      bySecond.set(t, h);
    }
    const r = await aggregateTxLog([logOf('tpcb')]);
    expect(r.seconds.length).toBe(bySecond.size);
    for (const s of r.seconds) {
      const h = bySecond.get(s.t) as LatencyHistogram;
      expect(s.count).toBe(h.count);
      expect([s.p50Ms, s.p90Ms, s.p99Ms]).toEqual(h.percentiles([50, 90, 99]).map((us) => us / 1000));
    }
  });

  it('merges the seconds of several thread files and keeps failed and skipped apart', () => {
    const p = new TxLogParser();
    p.push(Buffer.from('0 1 100 0 10 5\n0 2 300 0 11 5\n0 3 failed 0 11 6\n'));
    p.end();
    p.push(Buffer.from('1 1 200 0 10 7\n1 2 skipped 0 12 0 0\n'));
    p.end();
    expect(p.result().seconds).toEqual([
      { t: 10, count: 2, failed: 0, skipped: 0, p50Ms: 0.1, p90Ms: 0.2, p99Ms: 0.2, maxMs: 0.2, clients: 2 },
      { t: 11, count: 1, failed: 1, skipped: 0, p50Ms: 0.3, p90Ms: 0.3, p99Ms: 0.3, maxMs: 0.3, clients: 1 },
      { t: 12, count: 0, failed: 0, skipped: 1, p50Ms: NaN, p90Ms: NaN, p99Ms: NaN, maxMs: NaN, clients: 0 },
    ]);
  });

  it('buckets are exact below 2048 µs and at most 1/1024 low above', () => {
    for (const us of [0, 1, 2047]) expect(secondBucketOf(us)).toBe(us);
    for (const us of [2048, 2049, 5000, 65_537, 1_234_567, 98_765_432]) {
      const b = secondBucketOf(us);
      expect(b).toBeLessThanOrEqual(us);
      expect((us - b) / us).toBeLessThan(1 / 1024);
    }
  });
});
