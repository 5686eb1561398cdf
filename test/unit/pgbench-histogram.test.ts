import { describe, expect, it } from 'vitest';
import { HistogramFormatError, LatencyHistogram, rankFor } from '../../src/pgbench/histogram.js';

function histogramOf(values: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h;
}

/** The nearest-rank rule written the slow, obvious way, with exact rational arithmetic on p. */
function referencePercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  // p has at most 3 decimals in these tests: scale to integers to avoid floating point.
  const rank = Math.max(1, Math.ceil((Math.round(p * 1000) * sorted.length) / 100_000));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LatencyHistogram percentiles (nearest rank)', () => {
  const oneToTen = histogramOf([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);

  it('takes the smallest value with at least ceil(p/100*N) values at or below it', () => {
    expect(oneToTen.percentile(50)).toBe(5); // rank 5
    expect(oneToTen.percentile(90)).toBe(9); // rank 9
    expect(oneToTen.percentile(95)).toBe(10); // rank ceil(9.5) = 10
    expect(oneToTen.percentile(10)).toBe(1); // rank 1
    expect(oneToTen.percentile(11)).toBe(2); // rank ceil(1.1) = 2
  });

  it('gives the minimum for p = 0 and the maximum for p = 100', () => {
    expect(oneToTen.percentile(0)).toBe(1);
    expect(oneToTen.percentile(100)).toBe(10);
    expect(histogramOf([42]).percentile(99.9)).toBe(42);
  });

  it('is not fooled by binary floating point at exact ranks', () => {
    const h = histogramOf(Array.from({ length: 1000 }, (_, i) => i + 1));
    // 99.9/100*1000 is 999.0000000000001 in doubles; the rank is exactly 999.
    expect(h.percentile(99.9)).toBe(999);
    expect(h.percentile(99.95)).toBe(1000);
    expect(rankFor(99.9, 1000)).toBe(999);
    expect(rankFor(99.9, 10_000)).toBe(9990);
    expect(rankFor(0.1, 3)).toBe(1);
    expect(rankFor(50, 3)).toBe(2);
  });

  it('counts duplicates', () => {
    const h = histogramOf([5, 5, 5, 7]);
    expect(h.percentile(75)).toBe(5); // rank 3
    expect(h.percentile(76)).toBe(7); // rank ceil(3.04) = 4
    expect(h.count).toBe(4);
    expect(h.mean).toBe(5.5);
  });

  it('spans the dense and sparse ranges (65535 and 65536 µs)', () => {
    const h = histogramOf([1_000_000, 65_536, 65_535, 0, 250_000]);
    expect([...h.entries()]).toEqual([
      [0, 1],
      [65_535, 1],
      [65_536, 1],
      [250_000, 1],
      [1_000_000, 1],
    ]);
    expect(h.percentiles([0, 40, 60, 80, 100])).toEqual([0, 65_535, 65_536, 250_000, 1_000_000]);
    expect(h.min).toBe(0);
    expect(h.max).toBe(1_000_000);
  });

  it('matches a sort-based reference on random data', () => {
    const rand = rng(7);
    const values = Array.from({ length: 5000 }, () =>
      rand() < 0.01 ? 65_000 + Math.floor(rand() * 200_000) : Math.floor(Math.exp(6 + rand() * 3)),
    );
    const h = histogramOf(values);
    const ps = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];
    expect(h.percentiles(ps)).toEqual(ps.map((p) => referencePercentile(values, p)));
    expect(h.count).toBe(values.length);
    expect(h.min).toBe(Math.min(...values));
    expect(h.max).toBe(Math.max(...values));
    expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
  });

  it('returns the requested order from percentiles()', () => {
    expect(oneToTen.percentiles([100, 0, 50])).toEqual([10, 1, 5]);
  });

  it('is NaN when empty', () => {
    const h = new LatencyHistogram();
    expect(h.count).toBe(0);
    expect(h.percentile(50)).toBeNaN();
    expect(h.min).toBeNaN();
    expect(h.max).toBeNaN();
    expect(h.mean).toBeNaN();
  });

  it('rejects p outside 0..100', () => {
    expect(() => oneToTen.percentile(101)).toThrow(RangeError);
    expect(() => oneToTen.percentile(-1)).toThrow(RangeError);
    expect(() => oneToTen.percentile(Number.NaN)).toThrow(RangeError);
  });
});

describe('LatencyHistogram.record', () => {
  it('records counts beyond 2^32 exactly', () => {
    const h = new LatencyHistogram();
    h.record(100, 2 ** 33);
    h.record(100, 3);
    h.record(70_000, 2 ** 33);
    expect(h.count).toBe(2 ** 34 + 3);
    expect(h.toJSON().pairs).toEqual([100, 2 ** 33 + 3, 70_000, 2 ** 33]);
    expect(h.percentile(50)).toBe(100);
    expect(h.percentile(51)).toBe(70_000);
  });

  it('ignores a zero count and rejects what is not an integer number of µs', () => {
    const h = new LatencyHistogram();
    h.record(5, 0);
    expect(h.count).toBe(0);
    expect(() => h.record(-1)).toThrow(RangeError);
    expect(() => h.record(1.5)).toThrow(RangeError);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
    expect(() => h.record(1, -1)).toThrow(RangeError);
    expect(() => h.record(1, 0.5)).toThrow(RangeError);
  });
});

describe('LatencyHistogram.merge', () => {
  it('equals recording everything in one histogram and leaves the other unchanged', () => {
    const a = [1, 5, 5, 70_000, 300];
    const b = [2, 5, 100_000, 70_000];
    const merged = histogramOf(a).merge(histogramOf(b));
    const all = histogramOf([...a, ...b]);
    expect(merged.toJSON()).toEqual(all.toJSON());
    expect(merged.count).toBe(9);
    expect(merged.min).toBe(1);
    expect(merged.max).toBe(100_000);
    expect(merged.mean).toBe(all.mean);
    expect(merged.percentiles([50, 90, 100])).toEqual(all.percentiles([50, 90, 100]));

    const other = histogramOf(b);
    histogramOf(a).merge(other);
    expect(other.toJSON()).toEqual(histogramOf(b).toJSON());
  });

  it('merges into and from empty histograms', () => {
    const h = histogramOf([3, 4]);
    expect(new LatencyHistogram().merge(h).toJSON()).toEqual(h.toJSON());
    expect(h.merge(new LatencyHistogram()).toJSON()).toEqual(histogramOf([3, 4]).toJSON());
    expect(new LatencyHistogram().merge(h).min).toBe(3);
  });
});

describe('LatencyHistogram JSON', () => {
  it('serializes ascending [value, count] pairs and round-trips through JSON text', () => {
    const h = histogramOf([300, 5, 5, 70_000, 1]);
    expect(h.toJSON()).toEqual({ v: 1, unit: 'us', pairs: [1, 1, 5, 2, 300, 1, 70_000, 1] });
    const back = LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(h)));
    expect(back.toJSON()).toEqual(h.toJSON());
    expect(back.count).toBe(5);
    expect(back.mean).toBe(h.mean);
    expect(back.percentiles([0, 50, 100])).toEqual([1, 5, 70_000]);
    expect(LatencyHistogram.fromJSON({ v: 1, unit: 'us', pairs: [] }).count).toBe(0);
  });

  it.each([
    ['null', null],
    ['a string', '{"v":1}'],
    ['no version', { unit: 'us', pairs: [] }],
    ['a newer version', { v: 2, unit: 'us', pairs: [] }],
    ['another unit', { v: 1, unit: 'ms', pairs: [] }],
    ['pairs not an array', { v: 1, unit: 'us', pairs: { 1: 2 } }],
    ['an odd number of entries', { v: 1, unit: 'us', pairs: [1, 2, 3] }],
    ['descending values', { v: 1, unit: 'us', pairs: [5, 1, 3, 1] }],
    ['a repeated value', { v: 1, unit: 'us', pairs: [5, 1, 5, 1] }],
    ['a negative value', { v: 1, unit: 'us', pairs: [-1, 1] }],
    ['a fractional value', { v: 1, unit: 'us', pairs: [1.5, 1] }],
    ['a zero count', { v: 1, unit: 'us', pairs: [1, 0] }],
    ['a string count', { v: 1, unit: 'us', pairs: [1, '2'] }],
    ['a total above 2^53', { v: 1, unit: 'us', pairs: [1, 2 ** 52, 2, 2 ** 52, 3, 2 ** 52] }],
  ])('rejects %s', (_label, input) => {
    expect(() => LatencyHistogram.fromJSON(input)).toThrow(HistogramFormatError);
  });
});
