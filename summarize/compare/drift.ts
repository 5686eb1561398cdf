import type { Row } from '../model/row.js';
import { mean, NO_INTERVAL, std, type TInterval, tInterval } from '../model/stats.js';

/**
 * Drift between two runs, cancelled by a control config both runs ran (difference in differences).
 *
 * Two runs minutes apart drift (10-15 % on a shared 2-core machine): every config of the later run
 * may be faster or slower for reasons that have nothing to do with the change. A control config C
 * that did not change (for instance `direct`) ran in both runs, in the same reps as the candidate
 * config X, so it saw the same drift. On log TPS, per workload and concurrency:
 *
 *   d_X = mean(ln X_cand) − mean(ln X_base)      the candidate's log ratio between the runs
 *   d_C = mean(ln C_cand) − mean(ln C_base)      the control's: the drift
 *   DiD = d_X − d_C,   normalized ratio = exp(DiD) = ratio_X / ratio_C
 *
 * The uncertainty combines both ratios' (the four samples' variances add, as in Welch):
 *   se² = s²_Xc/n_Xc + s²_Xb/n_Xb + s²_Cc/n_Cc + s²_Cb/n_Cb
 *   df  = (Σ vᵢ)² / Σ (vᵢ² / (nᵢ − 1)),  vᵢ = sᵢ²/nᵢ     (Welch–Satterthwaite over four samples)
 *   CI  = exp(DiD ± t(1 − α/2, df) · se)
 * This treats X and C of one run as independent. They ran in the same reps, so what they share
 * (the drift between reps inside a run) makes their covariance positive and the true variance of
 * d_X − d_C smaller than se²: the interval is, if anything, too wide, never too narrow. It assumes
 * the change under test did not touch C; pick a control the change cannot reach (--control-config).
 */

/** Log samples of one config on both sides: the baseline run's reps and the candidate run's. */
export interface RunPair {
  baseline: readonly number[];
  candidate: readonly number[];
}

/**
 * The difference-in-differences interval of (candidate run − baseline run) of `x` minus the same of
 * `control`, all four samples already in log space (see the module comment for the math). NaN
 * figures with fewer than 2 values in any of the four samples; the estimate alone when each has one.
 */
export function driftInterval(x: RunPair, control: RunPair, alpha = 0.05): TInterval {
  const samples = [x.candidate, x.baseline, control.candidate, control.baseline];
  const estimate = mean(x.candidate) - mean(x.baseline) - (mean(control.candidate) - mean(control.baseline));
  if (samples.some((s) => s.length < 2)) return { ...NO_INTERVAL, estimate };
  const v = samples.map((s) => std(s) ** 2 / s.length);
  const se2 = v.reduce((a, b) => a + b, 0);
  const spread = v.reduce((a, vi, i) => a + vi ** 2 / ((samples[i] as readonly number[]).length - 1), 0);
  const df = se2 === 0 ? samples.reduce((a, s) => a + s.length, 0) - 4 : se2 ** 2 / spread;
  return tInterval(estimate, Math.sqrt(se2), df, alpha);
}

/** The four samples' spreads (s of each), NaN where a sample has fewer than 2 values. */
export function driftSpreads(x: RunPair, control: RunPair): number[] {
  return [x.candidate, x.baseline, control.candidate, control.baseline].map((s) => std(s));
}

/**
 * The control `bench compare` uses for two runs when none is named: the matrix baseline of the
 * baseline run (`baseline:` in the matrix, for instance `direct`), when the candidate run has it
 * too and at least one other config is in both runs (a control alone normalizes nothing).
 */
export function defaultControl(baseline: readonly Row[], candidate: readonly Row[]): string | undefined {
  const name = baseline.find((r) => r.isBaseline)?.config;
  if (name === undefined) return undefined;
  return sharesOtherConfig(baseline, candidate, name) ? name : undefined;
}

/** Whether a config other than `control` has results in both runs. */
export function sharesOtherConfig(
  baseline: readonly Row[],
  candidate: readonly Row[],
  control: string,
): boolean {
  const inCandidate = new Set(candidate.map((r) => r.config));
  const inBoth = (c: string) => inCandidate.has(c) && baseline.some((r) => r.config === c);
  return inBoth(control) && baseline.some((r) => r.config !== control && inCandidate.has(r.config));
}

/** The label of a two-run verdict that no control normalized: tables, notes and the exit message. */
export const UNPAIRED_LABEL = 'unpaired: drift between runs is not cancelled';
