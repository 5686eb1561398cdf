/**
 * Statistics over repetitions. Pure functions, no dependencies. The rules are written down in
 * docs/statistics.md; the JSDoc here says how each figure is computed.
 *
 * Convention: a figure that cannot be computed from the data (the spread of one sample, the mean of
 * none) is NaN, never 0. Renderers show NaN as "–" and summary.json stores it as null, so a missing
 * rep can never pass for a perfectly stable one.
 */

/** Arithmetic mean; NaN for an empty sample. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Sample standard deviation with Bessel's correction: s = sqrt(Σ(x − x̄)² / (n − 1)).
 * Reps are a sample of the runs the machine could produce, so n − 1 (not n) makes s² unbiased.
 * NaN when n < 2: one rep says nothing about spread.
 */
export function std(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

export function min(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : Math.min(...xs);
}

export function max(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : Math.max(...xs);
}

/** Median (mean of the two middle values for an even count); NaN for an empty sample. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Coefficient of variation s / x̄ as a fraction (0.05 = 5%); NaN when n < 2 or x̄ = 0. */
export function cv(xs: readonly number[]): number {
  const m = mean(xs);
  return m === 0 ? Number.NaN : std(xs) / m;
}

/**
 * Half-width of the two-sided 95% confidence interval of the mean: t(0.975, n − 1) · s / √n.
 * Student's t (not the normal 1.96) because with 3 to 10 reps the variance itself is uncertain:
 * for n = 3 the factor is 4.303, not 1.96. NaN when n < 2.
 */
export function ci95HalfWidth(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  return studentTQuantile(0.975, n - 1) * (std(xs) / Math.sqrt(n));
}

/** Everything a row says about one measured quantity over reps. */
export interface SampleStats {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN when n < 2. */
  std: number;
  min: number;
  max: number;
  /** Half-width of the 95% t-interval of the mean; NaN when n < 2. */
  ci95: number;
  /** std / mean as a fraction; NaN when n < 2. */
  cv: number;
}

export function describe(xs: readonly number[]): SampleStats {
  return {
    n: xs.length,
    mean: mean(xs),
    std: std(xs),
    min: min(xs),
    max: max(xs),
    ci95: ci95HalfWidth(xs),
    cv: cv(xs),
  };
}

/**
 * A ratio a / b of two means with its uncertainty, combined from both sides by adding the relative
 * errors in quadrature (first-order error propagation for independent a and b):
 *   δr / r = sqrt((δa / a)² + (δb / b)²)
 * This is how hyperfine reports "A ran 1.52 ± 0.03 times faster than B". The inputs δa, δb are
 * whatever spread the caller chose (rows use the standard deviation over reps, like hyperfine);
 * the error is NaN when either is NaN (a single rep on either side).
 */
export function ratio(a: number, errA: number, b: number, errB: number): { ratio: number; error: number } {
  const r = a / b;
  const rel = Math.sqrt((errA / a) ** 2 + (errB / b) ** 2);
  return { ratio: r, error: Math.abs(r) * rel };
}

export interface WelchResult {
  /** (x̄₁ − x̄₂) / sqrt(s₁²/n₁ + s₂²/n₂) */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Welch's unequal-variances t-test of H₀: both samples come from populations with the same mean.
 *   t  = (x̄₁ − x̄₂) / sqrt(v₁ + v₂),  vᵢ = sᵢ² / nᵢ
 *   df = (v₁ + v₂)² / (v₁² / (n₁ − 1) + v₂² / (n₂ − 1))      (Welch–Satterthwaite)
 *   p  = P(|T_df| ≥ |t|) = I_{df / (df + t²)}(df / 2, 1 / 2)  (regularized incomplete beta)
 * Welch rather than Student because two runs on different commits need not have the same spread.
 * Needs n ≥ 2 on both sides (returns NaN otherwise). When both spreads are exactly 0, the test is
 * degenerate: p = 1 for equal means and p = 0 for different ones.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 2 || n2 < 2) return { t: Number.NaN, df: Number.NaN, p: Number.NaN };
  const m1 = mean(a);
  const m2 = mean(b);
  const v1 = std(a) ** 2 / n1;
  const v2 = std(b) ** 2 / n2;
  const se2 = v1 + v2;
  if (se2 === 0) {
    return m1 === m2
      ? { t: 0, df: n1 + n2 - 2, p: 1 }
      : { t: Math.sign(m1 - m2) * Infinity, df: n1 + n2 - 2, p: 0 };
  }
  const t = (m1 - m2) / Math.sqrt(se2);
  const df = se2 ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1));
  return { t, df, p: studentTTwoSidedP(t, df) };
}

/** Two-sided tail probability P(|T| ≥ |t|) of Student's t with df degrees of freedom. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Student's t CDF P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSidedP(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t with df (possibly fractional) degrees of freedom, by bisection on
 * the CDF. The CDF is monotone, so bisection always converges; 200 halvings of the bracket reach
 * double precision. Fast enough: it runs once per row.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * ln Γ(x) for x > 0: the Lanczos approximation with γ = 671/128 and 14 coefficients (Numerical
 * Recipes, 3rd ed., §6.1), accurate to about 1e-15.
 */
export function logGamma(x: number): number {
  // The published coefficients, written with the shortest digits that give the same doubles.
  const cof = [
    57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 3.399464998481189e-5,
    4.652362892704858e-5, -9.837447530487956e-5, 1.580887032249125e-4, -2.1026444172410488e-4,
    2.1743961811521265e-4, -1.643181065367639e-4, 8.441822398385275e-5, -2.6190838401581408e-5,
    3.6899182659531625e-6,
  ];
  if (!(x > 0)) return Number.NaN;
  let y = x;
  const tmp = x + 5.2421875;
  const head = (x + 0.5) * Math.log(tmp) - tmp;
  let ser = 0.9999999999999971;
  for (const c of cof) {
    y += 1;
    ser += c / y;
  }
  return head + Math.log((2.5066282746310007 * ser) / x);
}

/**
 * Regularized incomplete beta I_x(a, b) = B(x; a, b) / B(a, b), by its continued fraction
 * (modified Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges
 * slowly (x > (a + 1) / (a + b + 2)).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || x < 0 || x > 1) return Number.NaN;
  if (x === 0 || x === 1) return x;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x > (a + 1) / (a + b + 2)) return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
  return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/**
 * Fewest reps the outlier rule is applied to. With 3 or 4 values the MAD is the median of 3 or 4
 * distances one of which is 0, so it is often tiny and flags ordinary scatter: simulated on normal
 * reps without any outlier, the 3-MAD rule flagged a rep in 33 % of groups of 3 and 22 % of groups
 * of 4 (the TL;DR of a busy 3-rep run had outliers in 5 of 8 groups). From 5 reps, with the wider
 * 5-MAD fence, the same simulation flags 12 % of groups of 5, 5 % of 8, 1 % of 20 (docs/report.md).
 */
export const OUTLIER_MIN_REPS = 5;
/** Scaled MADs from the median beyond which a rep is an outlier. */
export const OUTLIER_MADS = 5;

/** Which rule flagged an outlier, for the warning text. */
export const OUTLIER_RULE = `more than ${OUTLIER_MADS} scaled MADs (${OUTLIER_MADS} × 1.4826 × median absolute deviation) from the median, and more than 1% away from it (applied from ${OUTLIER_MIN_REPS} reps)`;

/**
 * Indices of outlying values: |x − median| > k · 1.4826 · MAD (the MAD scaled to estimate σ for
 * normal data), with MAD the median absolute deviation. Robust, unlike mean ± 3σ, because the
 * outlier does not inflate the yardstick. Identical reps make the MAD 0, so a value must also be
 * more than `minRelative` (1%) from the median to count. Needs n ≥ OUTLIER_MIN_REPS (see there).
 */
export function madOutliers(xs: readonly number[], minRelative = 0.01, k = OUTLIER_MADS): number[] {
  if (xs.length < OUTLIER_MIN_REPS) return [];
  const med = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - med)));
  const out: number[] = [];
  xs.forEach((x, i) => {
    const dev = Math.abs(x - med);
    if (dev > k * 1.4826 * mad && dev > minRelative * Math.abs(med)) out.push(i);
  });
  return out;
}

/** A mean difference with its two-sided confidence interval, from a t-test. */
export interface TInterval {
  /** The estimated difference (mean of the differences; difference of the means). */
  estimate: number;
  /** Its standard error; 0 when every value is the same. */
  se: number;
  df: number;
  t: number;
  /** Two-sided p-value of H₀: the true difference is 0. */
  p: number;
  /** Bounds of the (1 − alpha) confidence interval. */
  low: number;
  high: number;
}

const NO_INTERVAL: TInterval = {
  estimate: Number.NaN,
  se: Number.NaN,
  df: Number.NaN,
  t: Number.NaN,
  p: Number.NaN,
  low: Number.NaN,
  high: Number.NaN,
};

/** t, p and the interval from an estimate, its standard error and df; handles se = 0 (no spread). */
function tInterval(estimate: number, se: number, df: number, alpha: number): TInterval {
  if (se === 0) {
    const t = estimate === 0 ? 0 : Math.sign(estimate) * Infinity;
    return { estimate, se, df, t, p: estimate === 0 ? 1 : 0, low: estimate, high: estimate };
  }
  const half = studentTQuantile(1 - alpha / 2, df) * se;
  const t = estimate / se;
  return { estimate, se, df, t, p: studentTTwoSidedP(t, df), low: estimate - half, high: estimate + half };
}

/**
 * Paired t-test of H₀: the mean of the within-pair differences dᵢ is 0, with its confidence
 * interval:
 *   d̄ ± t(1 − α/2, n − 1) · s_d / √n,   t = d̄ / (s_d / √n)
 * Pairing removes whatever both members of a pair share (the machine's drift between reps), so s_d
 * is the noise of the difference itself, not of either side. NaN figures for n < 2.
 */
export function pairedTTest(d: readonly number[], alpha = 0.05): TInterval {
  const n = d.length;
  if (n < 2) return { ...NO_INTERVAL, estimate: n === 1 ? (d[0] as number) : Number.NaN };
  return tInterval(mean(d), std(d) / Math.sqrt(n), n - 1, alpha);
}

/**
 * Welch's test of candidate − baseline as an interval: x̄_c − x̄_b ± t(1 − α/2, df) · √(s_c²/n_c + s_b²/n_b)
 * with the Welch–Satterthwaite df (see welchTTest). NaN figures with fewer than 2 values on a side
 * (the estimate is still given when both sides have one).
 */
export function welchInterval(
  candidate: readonly number[],
  baseline: readonly number[],
  alpha = 0.05,
): TInterval {
  const w = welchTTest(candidate, baseline);
  const estimate = mean(candidate) - mean(baseline);
  if (Number.isNaN(w.df)) return { ...NO_INTERVAL, estimate };
  const se = Math.sqrt(std(candidate) ** 2 / candidate.length + std(baseline) ** 2 / baseline.length);
  return tInterval(estimate, se, w.df, alpha);
}

/**
 * Minimum detectable effect: the smallest true difference a two-sided test at level α finds with
 * probability `power`, given the standard error and df the data had:
 *   MDE = (t(1 − α/2, df) + t(power, df)) · se
 * For a paired test se = s_d / √n and df = n − 1. NaN when se or df is unknown.
 */
export function minimumDetectableEffect(se: number, df: number, alpha = 0.05, power = 0.8): number {
  if (!(se >= 0) || !(df > 0)) return Number.NaN;
  return (studentTQuantile(1 - alpha / 2, df) + studentTQuantile(power, df)) * se;
}

/**
 * The smallest n ≥ 2 whose MDE is at most `effect`, for a standard error se(n) and df(n) that
 * depend on n (the MDE falls as n grows, so doubling then bisection finds it). Infinity when even
 * `cap` is not enough; NaN when the noise is unknown.
 */
export function sampleSizeNeeded(
  effect: number,
  seOf: (n: number) => number,
  dfOf: (n: number) => number,
  alpha = 0.05,
  power = 0.8,
  cap = 1_000_000,
): number {
  const mde = (n: number) => minimumDetectableEffect(seOf(n), dfOf(n), alpha, power);
  if (!(effect > 0) || Number.isNaN(mde(2))) return Number.NaN;
  if (mde(2) <= effect) return 2;
  let lo = 2;
  let hi = 4;
  while (mde(hi) > effect) {
    if (hi >= cap) return Infinity;
    lo = hi;
    hi = Math.min(hi * 2, cap);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mde(mid) <= effect) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Pairs a paired t-test needs to detect `effect` (in the units of s_d) with the given power. */
export function pairsNeeded(sd: number, effect: number, alpha = 0.05, power = 0.8): number {
  if (!(sd >= 0)) return Number.NaN;
  return sampleSizeNeeded(
    effect,
    (n) => sd / Math.sqrt(n),
    (n) => n - 1,
    alpha,
    power,
  );
}

/**
 * Reps per side a Welch test needs to detect `effect`, both sides getting n reps with the spreads
 * measured (sb, sc): se = √((s_b² + s_c²) / n), df = (n − 1)(s_b² + s_c²)² / (s_b⁴ + s_c⁴).
 */
export function repsPerSideNeeded(sb: number, sc: number, effect: number, alpha = 0.05, power = 0.8): number {
  if (!(sb >= 0) || !(sc >= 0)) return Number.NaN;
  const v = sb ** 2 + sc ** 2;
  const q = sb ** 4 + sc ** 4;
  return sampleSizeNeeded(
    effect,
    (n) => Math.sqrt(v / n),
    (n) => (q === 0 ? n - 1 : ((n - 1) * v ** 2) / q),
    alpha,
    power,
  );
}
