import type { CompletedCell } from '../../src/results/types.js';
import { fmtInt, fmtMs, fmtPct, fmtTps, isNum } from './format.js';
import type { LoadFigures, Row } from './row.js';

/**
 * Offered against achieved load for rate-limited workloads (pgbench -R): a rate axis value or a
 * profile segment is a row of its own, and its `load` figures say whether the config served the
 * rate. Pure.
 */

/**
 * Whether a config served the offered rate: at least the transactions a Poisson schedule at that
 * rate gives with 99.9 % probability, and at most 1 % of them skipped. pgbench -R draws exponential
 * gaps between transactions, so the count over T seconds is Poisson with mean rate·T: a count 3.1
 * standard deviations (√(rate·T)) below the mean is a shortfall, not chance. A stray skipped
 * transaction (a scheduling hiccup of a busy machine past -L) is shown, but does not unmake a rate.
 */
export const RATE_MET_RULE =
  'offered rate met: at least rate·T − 3.1·√(rate·T) transactions completed over the reps (pgbench -R schedules a Poisson process, so fewer is a shortfall, not chance) and at most 1 % of them skipped under -L';

const POISSON_Z = 3.1;
const SKIPPED_TOLERANCE = 0.01;

export function rateMet(offeredTps: number, seconds: number, processed: number, skipped: number): boolean {
  const expected = offeredTps * seconds;
  return (
    processed >= expected - POISSON_Z * Math.sqrt(expected) &&
    skipped <= SKIPPED_TOLERANCE * (processed + skipped)
  );
}

function maxOf(xs: (number | undefined)[]): number | undefined {
  const v = xs.filter(isNum);
  return v.length > 0 ? Math.max(...v) : undefined;
}

/**
 * The seconds a rep ran at its rate: pgbench's schedule starts once its clients have connected, so
 * the window is -T minus the initial connection time, which is what pgbench's own tps divides by
 * ("without initial connection time"): processed / tps. Without a tps, -T.
 */
function rateSecondsOf(c: CompletedCell): number {
  const { tps, processed } = c.summary;
  if (isNum(tps) && tps > 0 && processed > 0) return processed / tps;
  const i = c.argv.indexOf('-T');
  const t = i >= 0 ? Number(c.argv[i + 1]) : Number.NaN;
  return Number.isFinite(t) ? t : (c.summary.durationS ?? Number.NaN);
}

/** The load figures of a group of completed cells of one rate-limited workload; undefined otherwise. */
export function loadFigures(completed: readonly CompletedCell[]): LoadFigures | undefined {
  const first = completed[0];
  const load = first?.load;
  if (!first || load?.rate === undefined) return undefined;
  const offeredTps = load.rate;
  const seconds = completed.reduce((a, c) => a + rateSecondsOf(c), 0);
  const processed = completed.reduce((a, c) => a + c.summary.processed, 0);
  const skipped = completed.reduce((a, c) => a + (c.summary.skipped ?? c.latency?.skipped ?? 0), 0);
  const late = completed.map((c) => c.summary.lateTransactions);
  const achievedTps = processed / seconds;
  const connect = completed.flatMap((c) =>
    isNum(c.summary.initialConnectionMs) ? [c.summary.initialConnectionMs] : [],
  );
  const lagMeans = completed.flatMap((c) => (c.latency?.lag ? [c.latency.lag.meanMs] : []));
  const seg = load.segment;
  return {
    workload: load.workload,
    offeredTps,
    ...(load.latencyLimitMs !== undefined ? { latencyLimitMs: load.latencyLimitMs } : {}),
    ...(seg
      ? {
          segment: {
            index: seg.index,
            count: seg.count,
            startS: seg.startMs / 1000,
            durationS: seg.durationMs / 1000,
            shape: seg.shape,
            burst: seg.burst,
          },
        }
      : {}),
    achievedTps,
    achievedRatio: achievedTps / offeredTps,
    ...(connect.length > 0 ? { connectMs: connect.reduce((a, b) => a + b, 0) / connect.length } : {}),
    scheduled: Math.round(offeredTps * seconds),
    skipped,
    ...(late.some(isNum) ? { lateTransactions: late.reduce<number>((a, x) => a + (x ?? 0), 0) } : {}),
    ...(lagMeans.length > 0 ? { lagMeanMs: lagMeans.reduce((a, b) => a + b, 0) / lagMeans.length } : {}),
    ...optional('lagP99Ms', maxOf(completed.map((c) => c.latency?.lag?.p99Ms))),
    ...optional('lagMaxMs', maxOf(completed.map((c) => c.latency?.lag?.maxMs ?? c.summary.lagMaxMs))),
    met: rateMet(offeredTps, seconds, processed, skipped),
  };
}

function optional<K extends string>(k: K, v: number | undefined): { [P in K]?: number } {
  return (isNum(v) ? { [k]: v } : {}) as { [P in K]?: number };
}

/** The sentence a row that did not serve its rate earns (a warning), or undefined. */
export function rateShortfall(l: LoadFigures): string | undefined {
  if (l.met) return undefined;
  const parts = [
    `offered ${fmtTps(l.offeredTps)} tps, achieved ${fmtTps(l.achievedTps)} (${fmtPct(l.achievedRatio)})`,
  ];
  if (l.skipped > 0)
    parts.push(`${fmtInt(l.skipped)} transactions skipped (later than -L ${fmtMs(l.latencyLimitMs)} ms)`);
  if (isNum(l.lagMeanMs))
    parts.push(`schedule lag mean ${fmtMs(l.lagMeanMs)} ms, max ${fmtMs(l.lagMaxMs)} ms`);
  return `${parts.join('; ')}: the config did not serve the offered rate, so its TPS is what it could serve, not the load it was given`;
}

/** Rows with load figures, by base workload then clients, config, and rate or segment order. */
export function loadRows(rows: readonly Row[]): Row[] {
  return rows
    .filter((r) => r.load !== undefined)
    .sort((a, b) => {
      const la = a.load as LoadFigures;
      const lb = b.load as LoadFigures;
      return (
        la.workload.localeCompare(lb.workload) ||
        a.concurrency - b.concurrency ||
        a.config.localeCompare(b.config) ||
        (la.segment?.index ?? 0) - (lb.segment?.index ?? 0) ||
        la.offeredTps - lb.offeredTps
      );
    });
}
