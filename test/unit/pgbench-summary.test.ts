import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countConnectionErrors, extractErrorLines, parseSummary } from '../../src/pgbench/summary.js';

// Recorded from pgbench 15.20 by scripts/record-pgbench-fixtures.sh.
const FIXTURES = new URL('../fixtures/pgbench15/', import.meta.url);

function fixture(name: string): { stdout: string; stderr: string; exit: number } {
  const read = (file: string) => readFileSync(new URL(`${name}/${file}`, FIXTURES), 'utf8');
  return { stdout: read('stdout.txt'), stderr: read('stderr.txt'), exit: Number(read('exit.txt')) };
}

function summaryOf(name: string) {
  const f = fixture(name);
  return parseSummary(f.stdout, f.stderr);
}

describe('parseSummary on recorded pgbench 15 output', () => {
  it('reads every field of a plain tpcb run', () => {
    expect(summaryOf('tpcb')).toEqual({
      transactionType: '<builtin: TPC-B (sort of)>',
      scalingFactor: 1,
      queryMode: 'simple',
      clients: 4,
      threads: 2,
      durationS: 3,
      processed: 3850,
      failed: 0,
      latencyAvgMs: 3.093,
      latencyStddevMs: 3.207,
      initialConnectionMs: 21.919,
      tps: 1287.666331,
      tpsBasis: 'without-initial-connection',
      aborted: false,
    });
  });

  it('reads the readonly runs, simple and prepared', () => {
    const s = summaryOf('readonly');
    expect(s.transactionType).toBe('<builtin: select only>');
    expect(s.processed).toBe(36397);
    expect(s.tps).toBe(12144.587222);
    expect(summaryOf('readonly-prepared').queryMode).toBe('prepared');
  });

  it('reads -C: average connection time, tps including reconnection, no initial connection time', () => {
    const s = summaryOf('readonly-reconnect');
    expect(s.averageConnectionMs).toBe(13.047);
    expect(s.initialConnectionMs).toBeUndefined();
    expect(s.tps).toBe(148.726746);
    expect(s.tpsBasis).toBe('including-reconnection');
    expect(s.processed).toBe(458);
    expect(s.latencyAvgMs).toBe(13.343);
  });

  it('counts failed transactions (serialization failures under repeatable read, --max-tries=1)', () => {
    expect(summaryOf('failures')).toMatchObject({ processed: 1369, failed: 3398, aborted: false });
    // --failures-detailed adds per-kind lines that must not overwrite the total.
    expect(summaryOf('failures-detailed')).toMatchObject({ processed: 920, failed: 2196 });
    expect(summaryOf('retries')).toMatchObject({ processed: 1484, failed: 939, tps: 502.508309 });
  });

  it('reads -t output: processed as done/planned, average "including failures", no stddev', () => {
    const s = summaryOf('verbose-errors');
    expect(s.processed).toBe(33);
    expect(s.failed).toBe(67);
    expect(s.latencyAvgMs).toBe(1.951);
    expect(s.latencyStddevMs).toBeUndefined();
    expect(s.durationS).toBeUndefined();
  });

  it('reads a rate-limited run with skipped transactions', () => {
    expect(summaryOf('rate-limit')).toMatchObject({ processed: 11878, failed: 0, tps: 3964.401159 });
  });

  it('marks aborted runs from stderr; their stdout looks complete', () => {
    const f = fixture('aborted');
    expect(f.exit).toBe(2);
    expect(f.stdout).not.toContain('aborted');
    expect(parseSummary(f.stdout).aborted).toBe(false);
    expect(parseSummary(f.stdout, f.stderr)).toMatchObject({
      aborted: true,
      processed: 25615,
      tps: 17036.85721,
    });
    expect(summaryOf('backend-killed')).toMatchObject({ aborted: true, processed: 22416 });
    expect(summaryOf('reconnect-too-many')).toMatchObject({
      aborted: true,
      processed: 177,
      averageConnectionMs: 20.605,
    });
  });

  it('gives an empty summary when pgbench never connected', () => {
    const f = fixture('connect-refused');
    expect(f.stdout).toBe('');
    expect(parseSummary(f.stdout, f.stderr)).toEqual({ processed: 0, failed: 0, aborted: false });
    // Only the banner: the first connection worked, a later one did not.
    expect(summaryOf('too-many-clients')).toEqual({ processed: 0, failed: 0, aborted: false });
  });

  it('ignores indented per-script lines and unknown lines, accepts CRLF', () => {
    const stdout = [
      'pgbench (15.20, server 16.4)',
      'number of transactions actually processed: 100',
      'latency average = 1.500 ms',
      'something new in pgbench 19: 42',
      'SQL script 1: <builtin: select only>',
      ' - weight: 1 (targets 100.0% of total)',
      ' - latency average = 9.999 ms',
      'tps = 10.5 (without initial connection time)',
    ].join('\r\n');
    expect(parseSummary(stdout)).toEqual({
      processed: 100,
      failed: 0,
      latencyAvgMs: 1.5,
      tps: 10.5,
      tpsBasis: 'without-initial-connection',
      aborted: false,
    });
  });

  it('keeps the last tps line of pgbench <= 13', () => {
    const stdout =
      'tps = 85.184871 (including connections establishing)\ntps = 85.296346 (excluding connections establishing)\n';
    expect(parseSummary(stdout)).toMatchObject({ tps: 85.296346, tpsBasis: 'without-initial-connection' });
    expect(parseSummary('tps = 1.0 (something else)').tpsBasis).toBe('unknown');
  });
});

describe('extractErrorLines', () => {
  it('returns nothing for a clean run (progress lines are not errors)', () => {
    expect(extractErrorLines(fixture('tpcb').stderr)).toEqual([]);
    expect(extractErrorLines(fixture('failures').stderr)).toEqual([]);
  });

  it('keeps the abort lines, deduplicated across clients, with the verdict last', () => {
    expect(extractErrorLines(fixture('aborted').stderr)).toEqual([
      'pgbench: error: client 1 script 0 aborted in command 1 query 0: FATAL:  terminating connection due to administrator command',
      'FATAL:  terminating connection due to administrator command',
      'pgbench: error: client 2 aborted in command 1 (SQL) of script 0; perhaps the backend died while processing',
      'pgbench: error: Run was aborted; the above results are incomplete.',
    ]);
  });

  it('keeps libpq continuation lines, trimmed', () => {
    expect(extractErrorLines(fixture('connect-refused').stderr)).toEqual([
      'pgbench: error: connection to server at "127.0.0.1", port 25439 failed: Connection refused',
      'Is the server running on that host and accepting TCP/IP connections?',
      'pgbench: error: could not create connection for setup',
    ]);
    const killed = extractErrorLines(fixture('backend-killed').stderr);
    expect(killed[0]).toBe(
      'pgbench: error: client 0 aborted in command 1 (SQL) of script 0; perhaps the backend died while processing',
    );
    expect(killed).toContain('WARNING:  terminating connection because of crash of another server process');
    expect(killed).toHaveLength(5);
  });

  it('drops --verbose-errors retry chatter but keeps the error', () => {
    expect(extractErrorLines(fixture('verbose-errors').stderr)).toEqual([
      expect.stringMatching(
        /^pgbench: client \d+ got an error in command \d+ \(SQL\) of script 0; ERROR: {2}could not serialize/,
      ),
      expect.stringMatching(
        /^pgbench: client \d+ got an error in command \d+ \(SQL\) of script 0; ERROR: {2}could not serialize/,
      ),
    ]);
  });

  it('caps the list, says how many were left out and keeps the verdict', () => {
    const stderr = [
      ...Array.from({ length: 30 }, (_, i) => `pgbench: error: distinct problem ${i}`),
      'pgbench: error: Run was aborted; the above results are incomplete.',
    ].join('\n');
    const lines = extractErrorLines(stderr, 5);
    expect(lines).toEqual([
      'pgbench: error: distinct problem 0',
      'pgbench: error: distinct problem 1',
      'pgbench: error: distinct problem 2',
      '... 27 more distinct error lines',
      'pgbench: error: Run was aborted; the above results are incomplete.',
    ]);
    expect(extractErrorLines(stderr)).toHaveLength(20);
  });
});

describe('countConnectionErrors', () => {
  it('counts each failed connection once', () => {
    expect(countConnectionErrors(fixture('connect-refused').stderr)).toBe(1);
    expect(countConnectionErrors(fixture('too-many-clients').stderr)).toBe(1);
    // -C past max_connections: 9 clients gave up, each with a libpq line and a pgbench line.
    expect(countConnectionErrors(fixture('reconnect-too-many').stderr)).toBe(9);
  });

  it('does not count lost connections or clean runs', () => {
    expect(countConnectionErrors(fixture('aborted').stderr)).toBe(0);
    expect(countConnectionErrors(fixture('backend-killed').stderr)).toBe(0);
    expect(countConnectionErrors(fixture('readonly-reconnect').stderr)).toBe(0);
  });

  it('recognises the pre-14 libpq wording and either half of the pair alone', () => {
    expect(countConnectionErrors('could not connect to server: Connection refused\n')).toBe(1);
    expect(countConnectionErrors('pgbench: error: client 3 aborted while establishing connection\n')).toBe(1);
  });
});
