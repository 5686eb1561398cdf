/** Values below this many µs (65.535 ms) are counted in a dense array; larger ones in a Map. */
const DENSE_SIZE = 1 << 16;

/** Relative tolerance when deciding whether p/100·N is a whole number (see `rankFor`). */
const RANK_EPSILON = 1e-9;

/** The serialized form: `pairs` is flat `[value, count, value, count, ...]`, values ascending. */
export interface HistogramJSON {
  v: 1;
  unit: 'us';
  pairs: number[];
}

/** `LatencyHistogram.fromJSON` was given something that is not a valid serialized histogram. */
export class HistogramFormatError extends Error {
  override name = 'HistogramFormatError';
}

/**
 * Exact latency histogram: one count per integer microsecond, the resolution pgbench writes its
 * per-transaction log in. Nothing is bucketed, so percentiles are exact and histograms from
 * several files, threads or reps merge without loss.
 *
 * Memory is bounded by the number of distinct values, not by the number of transactions: a
 * dense Float64Array covers 0..65535 µs (512 KiB; doubles count exactly up to 2^53), a Map holds
 * the rarer larger values.
 *
 * Percentiles use the nearest-rank rule: `percentile(p)` is the smallest recorded value v such
 * that at least ceil(p/100 · N) of the N recorded values are <= v (rank at least 1, so p = 0 gives
 * the minimum and p = 100 the maximum). It always returns a value that was actually recorded,
 * never an interpolation. See docs/percentiles.md.
 */
export class LatencyHistogram {
  private readonly dense = new Float64Array(DENSE_SIZE);
  private readonly sparse = new Map<number, number>();
  /** Sorted keys of `sparse`, rebuilt lazily after a new key arrives. */
  private sparseKeys: number[] | undefined = [];
  private n = 0;
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  /** Counts `count` transactions of `us` microseconds. Both must be non-negative safe integers. */
  record(us: number, count = 1): void {
    if (!Number.isSafeInteger(us) || us < 0) {
      throw new RangeError(`latency must be a non-negative integer number of µs, got ${us}`);
    }
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
    if (count === 0) return;
    if (us < DENSE_SIZE) {
      this.dense[us] = (this.dense[us] ?? 0) + count;
    } else {
      const before = this.sparse.get(us);
      if (before === undefined) this.sparseKeys = undefined;
      this.sparse.set(us, (before ?? 0) + count);
    }
    this.n += count;
    this.sum += us * count;
    if (us < this.lo) this.lo = us;
    if (us > this.hi) this.hi = us;
  }

  /** Adds every count of `other` to this histogram (other is unchanged). Returns this. */
  merge(other: LatencyHistogram): this {
    if (other.n === 0) return this;
    const a = this.dense;
    const b = other.dense;
    for (let i = 0; i < DENSE_SIZE; i++) {
      const c = b[i] as number;
      if (c !== 0) a[i] = (a[i] as number) + c;
    }
    for (const [us, c] of other.sparse) {
      const before = this.sparse.get(us);
      if (before === undefined) this.sparseKeys = undefined;
      this.sparse.set(us, (before ?? 0) + c);
    }
    this.n += other.n;
    this.sum += other.sum;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
    return this;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.n;
  }

  /** Smallest recorded value in µs; NaN when empty. */
  get min(): number {
    return this.n === 0 ? Number.NaN : this.lo;
  }

  /** Largest recorded value in µs; NaN when empty. */
  get max(): number {
    return this.n === 0 ? Number.NaN : this.hi;
  }

  /** Arithmetic mean in µs; NaN when empty. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.sum / this.n;
  }

  /**
   * Nearest-rank percentile in µs: the smallest recorded value v such that at least
   * ceil(p/100 · N) values are <= v. p = 100 gives the maximum; an empty histogram gives NaN.
   * @param p percent, 0..100 (RangeError otherwise)
   */
  percentile(p: number): number {
    return this.percentiles([p])[0] as number;
  }

  /** Several percentiles in one pass over the histogram; same rule as `percentile`. */
  percentiles(ps: readonly number[]): number[] {
    for (const p of ps) {
      if (typeof p !== 'number' || !(p >= 0 && p <= 100)) {
        throw new RangeError(`percentile must be between 0 and 100, got ${p}`);
      }
    }
    if (this.n === 0) return ps.map(() => Number.NaN);
    const wanted = ps.map((p, i) => ({ i, rank: rankFor(p, this.n) })).sort((x, y) => x.rank - y.rank);
    const out = new Array<number>(ps.length).fill(Number.NaN);
    let next = 0;
    let seen = 0;
    for (const [us, c] of this.entries()) {
      seen += c;
      while (next < wanted.length && (wanted[next]?.rank ?? 0) <= seen) {
        out[(wanted[next] as { i: number }).i] = us;
        next++;
      }
      if (next === wanted.length) break;
    }
    return out;
  }

  /** Recorded (value µs, count) pairs in ascending value order. */
  *entries(): IterableIterator<[number, number]> {
    if (this.n === 0) return;
    const dense = this.dense;
    const end = Math.min(this.hi, DENSE_SIZE - 1);
    for (let us = this.lo; us <= end; us++) {
      const c = dense[us] as number;
      if (c !== 0) yield [us, c];
    }
    for (const us of this.sortedSparseKeys()) yield [us, this.sparse.get(us) as number];
  }

  toJSON(): HistogramJSON {
    const pairs: number[] = [];
    for (const [us, c] of this.entries()) pairs.push(us, c);
    return { v: 1, unit: 'us', pairs };
  }

  /** Rebuilds a histogram from `toJSON()` output; throws HistogramFormatError on anything else. */
  static fromJSON(input: unknown): LatencyHistogram {
    if (typeof input !== 'object' || input === null)
      throw new HistogramFormatError('histogram: not an object');
    const { v, unit, pairs } = input as Record<string, unknown>;
    if (v !== 1)
      throw new HistogramFormatError(`histogram: unsupported version ${JSON.stringify(v)}, expected 1`);
    if (unit !== 'us')
      throw new HistogramFormatError(`histogram: unit must be "us", got ${JSON.stringify(unit)}`);
    if (!Array.isArray(pairs) || pairs.length % 2 !== 0) {
      throw new HistogramFormatError('histogram: pairs must be an array of [value, count, ...]');
    }
    const h = new LatencyHistogram();
    let previous = -1;
    for (let i = 0; i < pairs.length; i += 2) {
      const us: unknown = pairs[i];
      const c: unknown = pairs[i + 1];
      if (typeof us !== 'number' || !Number.isSafeInteger(us) || us <= previous) {
        throw new HistogramFormatError(
          `histogram: pairs[${i}] must be an integer >= 0 above the previous value, got ${JSON.stringify(us)}`,
        );
      }
      if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 1) {
        throw new HistogramFormatError(
          `histogram: pairs[${i + 1}] must be a positive integer count, got ${JSON.stringify(c)}`,
        );
      }
      h.record(us, c);
      if (!Number.isSafeInteger(h.n)) throw new HistogramFormatError('histogram: total count exceeds 2^53');
      previous = us;
    }
    return h;
  }

  private sortedSparseKeys(): number[] {
    if (this.sparseKeys === undefined) this.sparseKeys = [...this.sparse.keys()].sort((a, b) => a - b);
    return this.sparseKeys;
  }
}

/**
 * The nearest rank ceil(p/100 · N), clamped to 1..N. p/100 · N is computed as p·N/100 and snapped
 * to the nearest integer when within a relative 1e-9 of it, so binary floating point cannot turn
 * "99.9% of 1000" (exactly 999) into 999.0000000000001 and then rank 1000.
 */
export function rankFor(p: number, n: number): number {
  const exact = (p * n) / 100;
  const nearest = Math.round(exact);
  const rank = Math.abs(exact - nearest) <= RANK_EPSILON * Math.max(1, exact) ? nearest : Math.ceil(exact);
  return Math.min(n, Math.max(1, rank));
}
