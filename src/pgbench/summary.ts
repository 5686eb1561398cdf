import type { PgbenchSummary } from './types.js';

/*
 * Parsers for what pgbench prints at the end of a run, checked against recorded pgbench 15.20
 * output in test/fixtures/pgbench15 (scripts/record-pgbench-fixtures.sh).
 *
 * Where pgbench 15 prints what:
 * - stdout: the version banner ("pgbench (15.20 ...)") and the summary block (printResults uses
 *   printf). The banner is printed once the first connection succeeds, so a run refused at
 *   connect time has an empty stdout, and one refused for a later client has only the banner.
 * - stderr: `progress:` lines (-P), every error through pg_log_error ("pgbench: error: ..."),
 *   libpq's continuation lines (unprefixed, "FATAL:  ..." or tab-indented hints), the
 *   --verbose-errors chatter, and "Run was aborted; the above results are incomplete." which
 *   therefore never appears on stdout: an aborted run's stdout looks like a complete summary.
 * pgbench <= 13 printed two tps lines ("including connections establishing", then "excluding
 * connections establishing") and pgbench <= 14 no failure lines; the parser keeps the last tps
 * line and treats a missing failure line as 0 failed.
 */

const ABORTED = 'Run was aborted; the above results are incomplete.';

type TextField = 'transactionType' | 'queryMode';
type NumberField =
  | 'scalingFactor'
  | 'clients'
  | 'threads'
  | 'durationS'
  | 'processed'
  | 'failed'
  | 'latencyAvgMs'
  | 'latencyStddevMs'
  | 'initialConnectionMs'
  | 'averageConnectionMs'
  | 'skipped'
  | 'lateTransactions';

// Anchored at the line start on purpose: per-script blocks (-r, several -f) repeat some of these
// lines indented as " - latency average = ...", and those must not overwrite the totals.
const TEXT_FIELDS: ReadonlyArray<readonly [RegExp, TextField]> = [
  [/^transaction type: (.+)$/, 'transactionType'],
  [/^query mode: (\S+)$/, 'queryMode'],
];
const NUMBER_FIELDS: ReadonlyArray<readonly [RegExp, NumberField]> = [
  [/^scaling factor: (\d+)$/, 'scalingFactor'],
  [/^number of clients: (\d+)$/, 'clients'],
  [/^number of threads: (\d+)$/, 'threads'],
  [/^duration: (\d+) s$/, 'durationS'],
  // With -t pgbench prints "processed: 42/100" (done/planned); with -T just the count.
  [/^number of transactions actually processed: (\d+)(?:\/\d+)?$/, 'processed'],
  [/^number of failed transactions: (\d+)/, 'failed'],
  // "latency average = 1.714 ms (including failures)" when -t ran and some transactions failed:
  // pgbench then derives the average from the run time and prints no stddev line.
  [/^latency average = ([\d.]+) ms/, 'latencyAvgMs'],
  [/^latency stddev = ([\d.]+) ms/, 'latencyStddevMs'],
  [/^initial connection time = ([\d.]+) ms/, 'initialConnectionMs'],
  [/^average connection time = ([\d.]+) ms/, 'averageConnectionMs'],
  // -R with -L: "number of transactions skipped: 166 (1.378%)".
  [/^number of transactions skipped: (\d+)/, 'skipped'],
  // -L: "number of transactions above the 0.5 ms latency limit: 1105/11878 (9.303%)".
  [/^number of transactions above the [\d.]+ ms latency limit: (\d+)/, 'lateTransactions'],
];
/** -R: "rate limit schedule lag: avg 0.116 (max 4.079) ms". */
const LAG = /^rate limit schedule lag: avg ([\d.]+) \(max ([\d.]+)\) ms/;
const TPS = /^tps = ([\d.]+) \(([^)]*)\)/;

function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function tpsBasis(text: string): NonNullable<PgbenchSummary['tpsBasis']> {
  if (text === 'without initial connection time') return 'without-initial-connection';
  if (text === 'including reconnection times') return 'including-reconnection';
  // pgbench <= 13 wording of the same basis (its other line, "including connections
  // establishing", comes first and is overwritten).
  if (text === 'excluding connections establishing') return 'without-initial-connection';
  return 'unknown';
}

/**
 * Parses pgbench's end-of-run summary. Pure and defensive: unknown lines are ignored, a missing
 * summary gives `processed: 0`. `stderr` is where pgbench 15 says the run was aborted.
 */
export function parseSummary(stdout: string, stderr = ''): PgbenchSummary {
  const summary: PgbenchSummary = { processed: 0, failed: 0, aborted: false };
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd(); // CRLF and trailing blanks; never the start (see above)
    parseLine(line, summary);
  }
  // Both streams: pgbench 15 logs it on stderr, but a caller that merged the streams still counts.
  summary.aborted = stderr.includes(ABORTED) || stdout.includes(ABORTED);
  return summary;
}

function parseLine(line: string, summary: PgbenchSummary): void {
  for (const [re, field] of NUMBER_FIELDS) {
    const value = num(re.exec(line)?.[1]);
    if (value !== undefined) {
      summary[field] = value;
      return;
    }
  }
  for (const [re, field] of TEXT_FIELDS) {
    const value = re.exec(line)?.[1];
    if (value !== undefined) {
      summary[field] = value;
      return;
    }
  }
  const lag = LAG.exec(line);
  if (lag) {
    summary.lagAvgMs = num(lag[1]);
    summary.lagMaxMs = num(lag[2]);
    return;
  }
  const tps = TPS.exec(line);
  if (tps) {
    // pgbench <= 13 printed two tps lines; the last one is the one without connection time.
    summary.tps = num(tps[1]);
    summary.tpsBasis = tpsBasis(tps[2] ?? '');
  }
}

const PROGRESS = /^progress: /;
/** --verbose-errors narrates every retry; the error itself is on its own "got an error" line. */
const RETRY_CHATTER = /^pgbench: client \d+ (?:repeats the transaction|ends the failed transaction)/;
const CLIENT_NUMBER = /\bclient \d+/g;

/**
 * pgbench's error lines from stderr: progress lines and retry chatter dropped, each line trimmed,
 * duplicates dropped (lines differing only in the client number count as duplicates, so 50
 * clients failing the same way give one line), at most `limit` lines. When lines are left out the
 * last kept line says how many, and "Run was aborted ..." is always kept because it is the verdict.
 */
export function extractErrorLines(stderr: string, limit = 20): string[] {
  limit = Math.max(2, Math.floor(limit));
  const seen = new Set<string>();
  const lines: string[] = [];
  let aborted = false;
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (line === '' || PROGRESS.test(line) || RETRY_CHATTER.test(line)) continue;
    if (line.endsWith(ABORTED)) {
      aborted = true;
      continue;
    }
    const key = line.replace(CLIENT_NUMBER, 'client N');
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(line);
  }
  const verdict = aborted ? [`pgbench: error: ${ABORTED}`] : [];
  if (lines.length + verdict.length <= limit) return [...lines, ...verdict];
  // One line goes to the note saying how many were left out.
  const kept = lines.slice(0, Math.max(0, limit - verdict.length - 1));
  return [...kept, `... ${lines.length - kept.length} more distinct error lines`, ...verdict];
}

/** libpq's own words for a connection that could not be opened (pgbench 15 / libpq 14+ and older). */
export const LIBPQ_CONNECT_FAILED = /connection to server .* failed|could not connect to server/;
/** pgbench's consequence of that: at start ("could not create connection for client 45" or "...
 * for setup") and under -C ("client 19 aborted while establishing connection"). */
export const PGBENCH_CONNECT_FAILED = /could not create connection for|aborted while establishing connection/;

/**
 * Number of failed connection attempts in pgbench's stderr. Each failure prints libpq's line and
 * then pgbench's own line; counting max(libpq lines, pgbench lines) counts each failure once even
 * if a version drops one of the two or threads interleave them.
 */
export function countConnectionErrors(stderr: string): number {
  let libpq = 0;
  let pgbench = 0;
  for (const line of stderr.split('\n')) {
    if (LIBPQ_CONNECT_FAILED.test(line)) libpq++;
    else if (PGBENCH_CONNECT_FAILED.test(line)) pgbench++;
  }
  return Math.max(libpq, pgbench);
}
