import { SPECTRUM_RULE } from './build-rows.js';
import { OUTLIER_RULE } from './stats.js';

/**
 * The statistical rules in words, written into summary.json and FINDINGS.md so a reader of either
 * knows how every figure was computed. docs/statistics.md explains them at length.
 */
export const RULES = {
  tps: 'TPS is what pgbench reports per rep; only completed cells count, failed ones are listed. Mean, sample standard deviation (n − 1), min and max are over reps.',
  ci95: "95% confidence interval of the mean: ± t(0.975, n − 1) · s / √n (Student's t); none with fewer than 2 reps.",
  cv: 'Coefficient of variation: s / mean over reps.',
  percentiles:
    'Latency percentiles by the nearest-rank rule over exact per-microsecond counts of every transaction of every completed rep, merged across reps (percentiles are never averaged).',
  ratio:
    'Ratio of mean TPS to the baseline config at the same workload and concurrency; its ± combines the relative standard deviations of both sides in quadrature. Its 95% confidence interval pairs the reps by rep number (paired t on ln of the per-rep ratios, exponentiated); the TL;DR quotes a ratio only when that interval excludes 1.',
  outliers: `A rep is an outlier when its TPS lies ${OUTLIER_RULE}; with fewer reps the MAD is too unstable to tell an outlier from scatter.`,
  spectrum: `The latency percentile spectrum plots percentiles of the merged histograms; ${SPECTRUM_RULE}.`,
  reconnect:
    'With pgbench -C (a new connection per transaction) TPS includes the time to connect, while the logged latency excludes it; the average connection time is reported separately.',
} as const;
