import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientTally } from './clients.js';
import { LatencyHistogram, rankFor } from './histogram.js';
import { type Timeline, TimelineCollector } from './timeline.js';

/*
 * pgbench's per-transaction log (-l), one line per transaction, as pgbench 15.20 writes it
 * (verified against test/fixtures/pgbench15/*\/log.txt):
 *
 *   client_id transaction_no time script_no time_epoch time_us [schedule_lag] [retries]
 *   0 1 3149 0 1795461005 942050
 *   0 2 skipped 0 1795461023 107107 0        (-R with -L: lag column present)
 *   0 1 serialization 0 1795461020 85176 2   (--failures-detailed, --max-tries=3)
 *
 * `time` is the latency in integer µs (printf "%.0f"), or a word for a transaction without one:
 * "skipped" (-L), "failed", or with --failures-detailed the failure kind ("serialization",
 * "deadlock"). Under -C the latency excludes connection time. schedule_lag appears with -R,
 * retries when --max-tries is not 1, so a line has 6 to 8 fields. The --aggregate-interval format
 * is a different file and is not supported here.
 *
 * Logs run to tens of millions of lines, so the parser works on the bytes: no string per line, no
 * regex, counts into a dense array; bench/txlog-speed.ts measures it (docs/percentiles.md).
 */

export interface TxLogAggregate {
  /** Latencies of the transactions that completed (not failed, not skipped). */
  histogram: LatencyHistogram;
  failed: number;
  skipped: number;
  /** Non-empty lines read, whatever their content. lines = histogram.count + failed + skipped + malformed. */
  lines: number;
  /** Lines that are not in the format above (a torn last line of a killed pgbench, for instance). */
  malformed: number;
  /**
   * The same transactions per wall-clock second of completion (time_epoch), ascending: the time
   * series of a cell. Sums of `count`, `failed` and `skipped` over seconds equal the totals above.
   */
  seconds: SecondFigures[];
  /**
   * With `lag: true` (pgbench -R): the schedule lag of the completed transactions, from the
   * schedule_lag column, counted in the log-linear buckets of SecondFigures (p99 at most 0.1 % low).
   */
  lag?: { meanMs: number; p99Ms: number; maxMs: number; count: number };
  /** With `timeline: true`: completions and failures at millisecond resolution (outage figures). */
  timeline?: Timeline;
  /**
   * Completed transactions of every client, per pgbench process (the `process` of each file), by
   * client_id: `clients[p][id]`. Clients the log never names are there as 0 when the caller said
   * how many each process had (AggregateOptions.clientsPerProcess).
   */
  clients: number[][];
}

/**
 * One second of a per-transaction log. Percentiles use the nearest-rank rule over that second's
 * transactions, from a log-linear histogram: exact below 2048 µs, above it each value is counted
 * at the lower edge of a bucket 1/1024 of its power of two wide, so a per-second percentile is at
 * most 0.1 % below the exact one (memory stays bounded per second however many transactions).
 */
export interface SecondFigures {
  /** Epoch second (time_epoch) in which the transactions completed. */
  t: number;
  /** Completed transactions (failed and skipped excluded). */
  count: number;
  failed: number;
  skipped: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** With -R: mean and largest schedule lag of that second's completed transactions. */
  lagMeanMs?: number;
  lagMaxMs?: number;
  /** Clients that completed at least one transaction in that second (every process of the cell). */
  clients: number;
}

export interface AggregateOptions {
  /** Read size in bytes (default 1 MiB); tests use tiny values to split lines across chunks. */
  highWaterMark?: number;
  /** The log has pgbench -R's schedule_lag column (the 7th field); without -R the 7th is retries. */
  lag?: boolean;
  /** Clients of each pgbench process, as planned: clients that completed nothing count as 0. */
  clientsPerProcess?: readonly number[];
  /** Also collect the sub-second timeline of completions (src/pgbench/timeline.ts), for the outage figures. */
  timeline?: boolean;
}

/** A per-transaction log file and the pgbench process (0, 1, ... of a split cell) that wrote it. */
export interface TxLogFile {
  path: string;
  process: number;
}

const DENSE_SIZE = 1 << 16;
const NL = 10;
const CR = 13;
const SPACE = 32;
const ZERO = 48;
const NINE = 57;
const LOWER_A = 97;
const LOWER_Z = 122;
const SKIPPED = [...'skipped'].map((c) => c.charCodeAt(0));
const SKIPPED_LEN = SKIPPED.length;
const MIN_FIELDS = 6;
const MAX_FIELDS = 8;
const NEWLINE = new Uint8Array([NL]);

/** Marks a line as not in pgbench's format. */
const MALFORMED = -1;

/**
 * Incremental parser: `push` chunks of one file in order, then `end()` (which finishes a last
 * line without a newline). Pure: no I/O. Blank lines are ignored.
 *
 * Lines wholly inside a chunk are parsed in place (tight per-field loops over the bytes, no
 * string, no regex). A line cut by the chunk boundary is kept in a small carry buffer and parsed
 * once its newline arrives, so chunks can be any size, down to one byte.
 */
export class TxLogParser {
  lines = 0;
  failed = 0;
  skipped = 0;
  malformed = 0;
  private readonly dense = new Float64Array(DENSE_SIZE);
  private readonly sparse = new Map<number, number>();
  private carry: Uint8Array = new Uint8Array(0);
  private readonly perSecond = new Map<number, SecondBucket>();
  /** The bucket of the last line: lines of one file are in time order, so this is nearly always hit. */
  private last: SecondBucket | undefined;
  private readonly lagOn: boolean;
  private readonly lagBuckets = new Map<number, number>();
  private lagSum = 0;
  private lagCount = 0;
  private lagMax = 0;
  private readonly tally = new ClientTally();
  /** The pgbench process whose file is being read: client ids restart in every process. */
  private process = 0;
  /** Completions at ms resolution, when asked for (the time_us field is parsed only then). */
  private readonly timeline: TimelineCollector | undefined;
  /** Bit k set: field k's digits are read (client_id, time_epoch, and lag / time_us when wanted). */
  private readonly parsedFields: number;

  /** `lag`: the lines carry pgbench -R's schedule_lag column; `timeline`: collect the ms timeline. */
  constructor(options: { lag?: boolean; timeline?: boolean } = {}) {
    this.lagOn = options.lag === true;
    this.timeline = options.timeline === true ? new TimelineCollector() : undefined;
    this.parsedFields =
      1 | (1 << EPOCH_FIELD) | (this.lagOn ? 1 << LAG_FIELD : 0) | (this.timeline ? 1 << US_FIELD : 0);
  }

  /**
   * Starts the file of pgbench process `process` (0 for a cell of one process): its client ids are
   * told apart from those of the other processes. Call end() first when another file was read.
   */
  beginFile(process: number): void {
    this.process = process;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.carry.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.carry = concat(this.carry, chunk, chunk.length);
        return;
      }
      const line = concat(this.carry, chunk, nl + 1);
      this.carry = new Uint8Array(0);
      this.parse(line, 0);
      pos = nl + 1;
    }
    const rest = this.parse(chunk, pos);
    // A copy: the reader may reuse the chunk's memory (and Buffer#slice would be a view).
    if (rest < chunk.length) this.carry = new Uint8Array(chunk.subarray(rest));
  }

  /** Finishes the current file: a last line without a newline still counts. */
  end(): void {
    if (this.carry.length === 0) return;
    const line = concat(this.carry, NEWLINE, 1);
    this.carry = new Uint8Array(0);
    this.parse(line, 0);
  }

  /**
   * Parses the complete lines of buf from pos; returns where the first incomplete line starts
   * (buf.length when none). The hot loop: everything is a local.
   */
  private parse(buf: Uint8Array, pos: number): number {
    const len = buf.length;
    const dense = this.dense;
    const parsed = this.parsedFields;
    let lines = 0;
    let failed = 0;
    let skipped = 0;
    let malformed = 0;
    let c = 0;
    line: while (pos < len) {
      let i = pos;
      c = buf[i] as number;
      if (c === NL) {
        pos = i + 1; // blank line
        continue;
      }
      let fields = 0;
      /** Latency in µs, or MALFORMED, or the negative codes below for a word. */
      let time = MALFORMED;
      /** time_epoch, the fifth field: the second in which the transaction ended. */
      let epoch = -1;
      /** schedule_lag in µs (-R), or -1 when the line has none. */
      let lag = -1;
      /** client_id, the first field. */
      let client = 0;
      let us = 0; // time_us, the sixth field (parsed only for the timeline)
      for (;;) {
        // One field: digits, or for the time field digits or a lowercase word.
        const start = i;
        if (fields === 2 && c >= LOWER_A && c <= LOWER_Z) {
          let k = 0; // bytes of "skipped" matched
          while (c >= LOWER_A && c <= LOWER_Z) {
            k = k >= 0 && k < SKIPPED_LEN && SKIPPED[k] === c ? k + 1 : -1;
            if (++i === len) break line; // incomplete: carried over
            c = buf[i] as number;
          }
          time = k === SKIPPED_LEN ? WORD_SKIPPED : WORD_FAILED;
        } else if (fields === 2) {
          let v = 0;
          while (c >= ZERO && c <= NINE) {
            v = v * 10 + (c - ZERO);
            if (++i === len) break line;
            c = buf[i] as number;
          }
          if (i > start && v <= Number.MAX_SAFE_INTEGER) time = v;
        } else if ((parsed >> fields) & 1) {
          let v = 0;
          while (c >= ZERO && c <= NINE) {
            v = v * 10 + (c - ZERO);
            if (++i === len) break line;
            c = buf[i] as number;
          }
          if (fields === EPOCH_FIELD) epoch = v;
          else if (fields === 0) client = v;
          else if (fields === US_FIELD) us = v;
          else lag = v;
        } else {
          while (c >= ZERO && c <= NINE) {
            if (++i === len) break line;
            c = buf[i] as number;
          }
        }
        if (i === start) break; // empty field or a byte that belongs in no field
        fields++;
        if (c === SPACE) {
          if (++i === len) break line;
          c = buf[i] as number;
          continue;
        }
        if (c === CR) {
          // A log copied through Windows tools; pgbench itself never writes \r.
          if (++i === len) break line;
          c = buf[i] as number;
        }
        if (c !== NL) break;
        // A complete, well-formed line.
        lines++;
        if (fields < MIN_FIELDS || fields > MAX_FIELDS || time === MALFORMED || client >= MAX_CLIENT_ID) {
          malformed++;
          pos = i + 1;
          continue line;
        }
        if (time >= DENSE_SIZE) this.sparse.set(time, (this.sparse.get(time) ?? 0) + 1);
        else if (time >= 0) dense[time] = (dense[time] as number) + 1;
        else if (time === WORD_SKIPPED) skipped++;
        else failed++;
        this.record(epoch, time, lag, client, us);
        pos = i + 1;
        continue line;
      }
      // Not pgbench's format: skip to the end of the line.
      const nl = buf.indexOf(NL, i);
      if (nl < 0) break;
      lines++;
      malformed++;
      pos = nl + 1;
    }
    this.lines += lines;
    this.failed += failed;
    this.skipped += skipped;
    this.malformed += malformed;
    return pos;
  }

  /** The completed transactions' latencies so far, as a new histogram. */
  histogram(): LatencyHistogram {
    const h = new LatencyHistogram();
    const dense = this.dense;
    for (let us = 0; us < DENSE_SIZE; us++) {
      const c = dense[us] as number;
      if (c !== 0) h.record(us, c);
    }
    for (const [us, c] of this.sparse) h.record(us, c);
    return h;
  }

  /** One line's second: its latency (or word code) and, for a completed transaction, its client and lag. */
  private record(epoch: number, time: number, lag: number, client: number, us: number): void {
    this.timeline?.add(epoch, us, time);
    const bucket = this.second(epoch);
    bucket.add(time);
    if (time < 0) return;
    if (this.tally.add(this.process, client, epoch)) bucket.clients++;
    if (lag < 0) return;
    this.addLag(lag);
    bucket.addLag(lag);
  }

  private addLag(us: number): void {
    const k = secondBucketOf(us);
    this.lagBuckets.set(k, (this.lagBuckets.get(k) ?? 0) + 1);
    this.lagSum += us;
    this.lagCount++;
    if (us > this.lagMax) this.lagMax = us;
  }

  /** Mean, p99 (nearest rank over the log-linear buckets) and max schedule lag, ms. */
  private lagFigures(): TxLogAggregate['lag'] {
    if (!this.lagOn || this.lagCount === 0) return undefined;
    const [p99] = rankBuckets(this.lagBuckets, this.lagCount, [99], this.lagMax);
    return {
      meanMs: this.lagSum / this.lagCount / 1000,
      p99Ms: (p99 as number) / 1000,
      maxMs: this.lagMax / 1000,
      count: this.lagCount,
    };
  }

  /** `clientsPerProcess`: each process's planned clients, so that clients never seen count as 0. */
  result(clientsPerProcess: readonly number[] = []): TxLogAggregate {
    const lag = this.lagFigures();
    return {
      ...(lag ? { lag } : {}),
      ...(this.timeline ? { timeline: this.timeline.result() } : {}),
      histogram: this.histogram(),
      failed: this.failed,
      skipped: this.skipped,
      lines: this.lines,
      malformed: this.malformed,
      seconds: [...this.perSecond.values()].sort((a, b) => a.t - b.t).map((b) => b.figures()),
      clients: this.tally.perClient(clientsPerProcess),
    };
  }

  private second(t: number): SecondBucket {
    const last = this.last;
    if (last !== undefined && last.t === t) return last;
    let b = this.perSecond.get(t);
    if (b === undefined) {
      b = new SecondBucket(t);
      this.perSecond.set(t, b);
    }
    this.last = b;
    return b;
  }
}

/** The serialized per-second figures (`latency-seconds.json` in a cell directory). */
export interface LatencySecondsJSON {
  v: 1;
  /** How the per-second percentiles were computed, for a reader of the file. */
  rule: string;
  seconds: SecondFigures[];
}

export const SECONDS_RULE =
  'per epoch second of completion (time_epoch); nearest-rank percentiles of that second, exact below 2048 µs, else at most 0.1 % low (log-linear buckets)';

export function latencySecondsJson(seconds: SecondFigures[]): LatencySecondsJSON {
  return { v: 1, rule: SECONDS_RULE, seconds };
}

const EPOCH_FIELD = 4;
/** time_us: the microseconds of time_epoch's second at which the transaction ended. */
const US_FIELD = 5;
/**
 * A client_id at or above this is not pgbench's (a pgbench process holds at most what its open-file
 * limit allows, far fewer): such a line is malformed, so a garbled id cannot allocate a huge array.
 */
const MAX_CLIENT_ID = 1 << 20;
/** schedule_lag, present with -R (after it, retries when --max-tries is not 1). */
const LAG_FIELD = 6;
/** Below 2^EXACT_BITS µs a second's histogram is exact; above, buckets are 2^-(EXACT_BITS-1) wide. */
const EXACT_BITS = 11;

/** The lower edge of the log-linear bucket of `us` (see SecondFigures). */
export function secondBucketOf(us: number): number {
  if (us < 1 << EXACT_BITS) return us;
  const shift = Math.floor(Math.log2(us)) - (EXACT_BITS - 1);
  const width = 2 ** shift;
  return Math.floor(us / width) * width;
}

/** One second's transactions: counts plus a log-linear latency histogram (a Map: few keys per second). */
class SecondBucket {
  count = 0;
  failed = 0;
  skipped = 0;
  max = 0;
  lagSum = 0;
  lagCount = 0;
  lagMax = 0;
  /** Clients with a completed transaction in this second (counted by ClientTally.add). */
  clients = 0;
  private readonly buckets = new Map<number, number>();
  constructor(readonly t: number) {}

  addLag(us: number): void {
    this.lagSum += us;
    this.lagCount++;
    if (us > this.lagMax) this.lagMax = us;
  }

  add(time: number): void {
    if (time >= 0) {
      this.count++;
      if (time > this.max) this.max = time;
      const k = secondBucketOf(time);
      this.buckets.set(k, (this.buckets.get(k) ?? 0) + 1);
    } else if (time === WORD_SKIPPED) this.skipped++;
    else this.failed++;
  }

  figures(): SecondFigures {
    const [p50, p90, p99] =
      this.count === 0 ? [Number.NaN, Number.NaN, Number.NaN] : this.ranks([50, 90, 99]);
    return {
      t: this.t,
      count: this.count,
      failed: this.failed,
      skipped: this.skipped,
      p50Ms: (p50 as number) / 1000,
      p90Ms: (p90 as number) / 1000,
      p99Ms: (p99 as number) / 1000,
      maxMs: this.count === 0 ? Number.NaN : this.max / 1000,
      clients: this.clients,
      ...(this.lagCount > 0
        ? { lagMeanMs: this.lagSum / this.lagCount / 1000, lagMaxMs: this.lagMax / 1000 }
        : {}),
    };
  }

  /** Nearest-rank percentiles (rankFor, as LatencyHistogram) over the buckets. */
  private ranks(ps: number[]): number[] {
    return rankBuckets(this.buckets, this.count, ps, this.max);
  }
}

/** Nearest-rank percentiles (rankFor, as LatencyHistogram) over log-linear buckets of `count` values. */
function rankBuckets(buckets: Map<number, number>, count: number, ps: number[], max: number): number[] {
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  return ps.map((p) => {
    const rank = rankFor(p, count);
    let seen = 0;
    for (const k of keys) {
      seen += buckets.get(k) as number;
      if (seen >= rank) return k;
    }
    return max;
  });
}

const WORD_SKIPPED = -2;
const WORD_FAILED = -3;

/** a followed by the first n bytes of b, as a new array. */
function concat(a: Uint8Array, b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(a.length + n);
  out.set(a, 0);
  out.set(b.subarray(0, n), a.length);
  return out;
}

/**
 * Streams pgbench per-transaction log files and aggregates them: an exact latency histogram of
 * completed transactions plus failed, skipped and malformed line counts, and the completed
 * transactions of every client (a file given as a string is process 0's). Memory does not grow
 * with the number of lines.
 */
export async function aggregateTxLog(
  files: readonly (string | TxLogFile)[],
  options: AggregateOptions = {},
): Promise<TxLogAggregate> {
  const parser = new TxLogParser({ lag: options.lag === true, timeline: options.timeline === true });
  const highWaterMark = options.highWaterMark ?? 1 << 20;
  for (const f of files) {
    const file = typeof f === 'string' ? { path: f, process: 0 } : f;
    parser.beginFile(file.process);
    for await (const chunk of createReadStream(file.path, { highWaterMark })) {
      parser.push(chunk as Buffer);
    }
    parser.end();
  }
  return parser.result(options.clientsPerProcess);
}

/**
 * The per-transaction log files pgbench wrote in `dir`: with -j N, thread 0 writes
 * `<prefix>.<pid>` and thread k `<prefix>.<pid>.<k>` (prefix "pgbench_log" unless --log-prefix).
 * Sorted by pid, then thread.
 */
export async function findTxLogFiles(dir: string, prefix = 'pgbench_log'): Promise<string[]> {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)(?:\\.(\\d+))?$`);
  const found: Array<{ name: string; pid: number; thread: number }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const m = pattern.exec(entry.name);
    if (m && entry.isFile()) found.push({ name: entry.name, pid: Number(m[1]), thread: Number(m[2] ?? 0) });
  }
  found.sort((a, b) => a.pid - b.pid || a.thread - b.thread);
  return found.map((f) => join(dir, f.name));
}
