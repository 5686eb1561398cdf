import { expect, describe as group, it } from 'vitest';
import {
  ci95HalfWidth,
  cv,
  describe,
  logGamma,
  madOutliers,
  mean,
  median,
  ratio,
  regularizedIncompleteBeta,
  std,
  studentTQuantile,
  studentTTwoSidedP,
  welchTTest,
} from '../../summarize/stats.js';

group('descriptive statistics', () => {
  it('computes mean and the n-1 standard deviation by hand', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x-5)² = 32, s = sqrt(32/7)
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(std(xs)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(cv(xs)).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12);
    expect(median(xs)).toBe(4.5);
  });

  it('never turns a single rep into a spread of 0', () => {
    const d = describe([1234]);
    expect(d).toMatchObject({ n: 1, mean: 1234, min: 1234, max: 1234 });
    expect(d.std).toBeNaN();
    expect(d.ci95).toBeNaN();
    expect(d.cv).toBeNaN();
    expect(describe([]).mean).toBeNaN();
  });

  it('uses Student t for the 95% CI (n = 3: t = 4.303, not 1.96)', () => {
    // 10, 12, 14: s = 2, s/√3 = 1.1547, t(0.975, 2) = 4.302653
    expect(ci95HalfWidth([10, 12, 14])).toBeCloseTo((4.302652729749462 * 2) / Math.sqrt(3), 6);
  });
});

group('Student t distribution', () => {
  it.each([
    [1, 12.706204736174694],
    [2, 4.302652729749462],
    [3, 3.1824463052837078],
    [4, 2.7764451051977934],
    [9, 2.262157162798205],
    [30, 2.0422724563012378],
    [4.5, 2.6589123472044034],
  ])('t(0.975, df = %s) = %s (standard tables)', (df, t) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 8);
    expect(studentTQuantile(0.025, df)).toBeCloseTo(-t, 8);
  });

  it('matches the closed forms for df = 1 (Cauchy) and df = 2', () => {
    for (const t of [0.1, 0.5, 1, 2.5, 10]) {
      expect(studentTTwoSidedP(t, 1)).toBeCloseTo(1 - (2 * Math.atan(t)) / Math.PI, 12);
      expect(studentTTwoSidedP(t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 12);
    }
  });

  it('gives p = 0.05 at the tabled critical values', () => {
    expect(studentTTwoSidedP(2.228138851986274, 10)).toBeCloseTo(0.05, 10);
    expect(studentTTwoSidedP(-2.228138851986274, 10)).toBeCloseTo(0.05, 10);
    expect(studentTTwoSidedP(2.5, 3.7)).toBeCloseTo(0.07182202291182678, 10);
  });

  it('regularized incomplete beta and log-gamma match known values', () => {
    expect(regularizedIncompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 12);
    expect(regularizedIncompleteBeta(0.9, 10, 3)).toBeCloseTo(0.889130022255, 10);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

group("Welch's t-test", () => {
  it('matches the textbook example (Welch 1947 style data, as in Wikipedia)', () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welchTTest(a, b);
    expect(r.t).toBeCloseTo(-2.455356398286006, 10);
    expect(r.df).toBeCloseTo(24.988529290231416, 8);
    expect(r.p).toBeCloseTo(0.021378001462866992, 10);
  });

  it('handles unequal sizes and spreads', () => {
    const r = welchTTest([100, 102, 98], [90, 91, 89.5, 90.5, 91]);
    expect(r.t).toBeCloseTo(8.060872987803451, 10);
    expect(r.df).toBeCloseTo(2.2585387037745956, 8);
    expect(r.p).toBeCloseTo(0.010420813546168622, 8);
  });

  it('refuses fewer than 2 reps on a side and handles zero spread', () => {
    expect(welchTTest([1], [1, 2]).p).toBeNaN();
    expect(welchTTest([5, 5], [5, 5]).p).toBe(1);
    expect(welchTTest([5, 5], [6, 6]).p).toBe(0);
  });
});

group('ratio with combined uncertainty', () => {
  it('adds relative errors in quadrature', () => {
    // 6814 ± 68.14 (1%) over 521 ± 20.84 (4%): r = 13.0787, δr/r = sqrt(0.01² + 0.04²)
    const r = ratio(6814, 68.14, 521, 20.84);
    expect(r.ratio).toBeCloseTo(6814 / 521, 12);
    expect(r.error).toBeCloseTo((6814 / 521) * Math.sqrt(0.0001 + 0.0016), 12);
    expect(ratio(1, Number.NaN, 2, 0.1).error).toBeNaN();
  });
});

group('MAD outliers', () => {
  it('flags a rep far from the median and ignores tight ones', () => {
    expect(madOutliers([1000, 1010, 1005, 1500])).toEqual([3]);
    expect(madOutliers([1000, 1001, 1002])).toEqual([]);
    // MAD = 0 (two equal reps): a 0.5% difference is not an outlier, a 20% one is.
    expect(madOutliers([1000, 1000, 1005])).toEqual([]);
    expect(madOutliers([1000, 1000, 1200])).toEqual([2]);
    expect(madOutliers([1, 100])).toEqual([]);
  });
});
