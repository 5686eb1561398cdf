import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/pgbench/histogram.js';
import { aggregateTxLog, findTxLogFiles, TxLogParser } from '../../src/pgbench/txlog.js';

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
  return { ...r, histogram: r.histogram.toJSON() };
}

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pgbench-txlog-test-'));
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
    for (const highWaterMark of [1, 2, 3, 7, 29, 64, 4096]) {
      expect(summary(await aggregateTxLog(files, { highWaterMark }))).toEqual(expected);
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
