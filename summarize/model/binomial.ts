/**
 * P(X <= k) for X ~ Binomial(n, p), summed in log space so that neither (1 - p)^n nor the
 * binomial coefficients underflow or overflow for the counts a run has. Pure.
 */
function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  const logOdds = Math.log(p / (1 - p));
  let logTerm = n * Math.log1p(-p);
  const logs = [logTerm];
  for (let i = 0; i < k; i++) {
    logTerm += Math.log((n - i) / (i + 1)) + logOdds;
    logs.push(logTerm);
  }
  const top = Math.max(...logs);
  return Math.min(1, Math.exp(top) * logs.reduce((a, l) => a + Math.exp(l - top), 0));
}

/** The p in [0, 1] where the monotone `f(p)` crosses `target`, by bisection (`rising`: f grows with p). */
function solve(f: (p: number) => number, target: number, rising: boolean): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target === rising) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The exact (Clopper-Pearson) two-sided `level` interval of a proportion from `k` of `n`: `low` is
 * the p at which seeing k or more has probability (1 - level) / 2, `high` the p at which seeing k
 * or fewer has. It covers the true proportion at least `level` of the time, for any n: with 0 of n
 * the upper end is 1 - ((1 - level) / 2)^(1/n), about 3.7 / n at 95 %. Pure; n must be > 0.
 */
export function proportionInterval(k: number, n: number, level = 0.95): { low: number; high: number } {
  const tail = (1 - level) / 2;
  const low = k <= 0 ? 0 : solve((p) => 1 - binomialCdf(k - 1, n, p), tail, true);
  const high = k >= n ? 1 : solve((p) => binomialCdf(k, n, p), tail, false);
  return { low, high };
}
