import { fmtPct, fmtRatio, fmtTps } from '../../model/format.js';
import type { SweepSeries, SweepStep } from '../../model/sweep.js';
import type { NumberRef, Sentence } from '../../tldr/refs.js';

const label = (s: SweepSeries) => {
  const fixed = Object.entries(s.fixed).map(([k, v]) => `${k} ${String(v)}`);
  return `${s.of}${fixed.length > 0 ? ` (${fixed.join(', ')})` : ''}`;
};
const at = (s: SweepSeries) =>
  `${s.workload}${s.group === undefined ? '' : ` group ${s.group}`} at ${s.concurrency} client${s.concurrency === 1 ? '' : 's'}`;

/** A step as text: the ratio, its interval and the noise it is held against. */
export function stepText(st: SweepStep): string {
  const iv = Number.isNaN(st.ciLow) ? 'no interval' : `95% CI ${fmtRatio(st.ciLow)}–${fmtRatio(st.ciHigh)}`;
  return `${fmtRatio(st.ratio)}x (${iv}; noise ${fmtPct(st.noise)})`;
}

/** The series' name in tables: the config in the file, and the other swept settings' values. */
export const seriesLabel = label;

/** The pointers of one series' numbers (`/sweeps/<i>/...`). */
function refsOf(i: number) {
  const ptr = (path: string, value: number, text: string, scale?: number): NumberRef => ({
    pointer: `/sweeps/${i}/${path}`,
    value,
    text,
    ...(scale ? { scale } : {}),
  });
  const step = (j: number, st: SweepStep): NumberRef[] => [
    ptr(`steps/${j}/ratio`, st.ratio, fmtRatio(st.ratio)),
    ...(Number.isNaN(st.ciLow)
      ? []
      : [
          ptr(`steps/${j}/ciLow`, st.ciLow, fmtRatio(st.ciLow)),
          ptr(`steps/${j}/ciHigh`, st.ciHigh, fmtRatio(st.ciHigh)),
        ]),
    ptr(`steps/${j}/noise`, st.noise, fmtPct(st.noise), 100),
  ];
  const pairs = (j: number, st: SweepStep | undefined) =>
    ptr(`steps/${j}/pairs`, st?.pairs ?? 0, String(st?.pairs ?? 0));
  return { step, pairs };
}

type Refs = ReturnType<typeof refsOf>;

/**
 * One sentence per series, each number with its summary.json pointer (`/sweeps/<i>/...` and the
 * rows' TPS): the knee and the step past it, or the step that still gains, or why no knee can be
 * named; for values without an order, each value against the first and no knee.
 */
export function sweepSentences(series: readonly SweepSeries[]): Sentence[] {
  return series.map((s, i) => {
    const refs = refsOf(i);
    const head = `Sweep of ${s.setting} for ${label(s)}, ${at(s)}:`;
    if (s.verdict === 'unordered') return unorderedSentence(s, head, refs);
    if (s.verdict === 'knee' && s.knee !== undefined) return kneeSentence(s, s.knee, head, refs);
    if (s.verdict === 'none') {
      const j = s.steps.length - 1;
      const st = s.steps[j] as SweepStep;
      return {
        kind: 'sweep',
        text: `${head} no knee was found: throughput still grows from ${String(st.from)} to ${String(st.to)}, ${stepText(st)}, beyond the noise; try larger values.`,
        numbers: refs.step(j, st),
      };
    }
    const j = s.steps.findIndex((st) => st.withinNoise === undefined);
    const st = s.steps[j];
    return {
      kind: 'sweep',
      text: `${head} no knee can be named: the step from ${String(st?.from)} to ${String(st?.to)} has ${st?.pairs ?? 0} paired rep(s), and a paired interval needs 2 or more (use --reps 3 or more).`,
      numbers: [refs.pairs(j, st)],
    };
  });
}

function kneeSentence(s: SweepSeries, knee: number, head: string, refs: Refs): Sentence {
  const p = s.points[knee];
  const st = s.steps[knee] as SweepStep;
  const tps = p ? fmtTps(p.tps) : '';
  return {
    kind: 'sweep',
    text:
      st.why === 'drop'
        ? `${head} the knee is ${s.setting} ${String(p?.value)} (${tps} tps): from there to ${String(st.to)} throughput falls, by ${stepText(st)}, beyond the noise.`
        : `${head} the knee is ${s.setting} ${String(p?.value)} (${tps} tps); from there to ${String(st.to)} throughput changes by ${stepText(st)}, within the noise` +
          (st.why === 'wide-interval'
            ? ' only because the interval includes 1: the gain is larger than the noise, so more reps could still show one.'
            : '.'),
    numbers: [
      { pointer: `/rows/${p?.rowIndex}/tps/mean`, value: p?.tps ?? Number.NaN, text: tps },
      ...refs.step(knee, st),
    ],
  };
}

/** What an unordered step says: its paired ratio and whether it is beyond the noise. */
function pairedVerdict(st: SweepStep): string {
  if (st.withinNoise === undefined)
    return `which cannot be told from ${st.pairs} paired rep(s) (a paired interval needs 2 or more)`;
  if (st.why === 'small-gain') return 'within the noise';
  if (st.why === 'wide-interval')
    return 'within the noise only because the interval includes 1 (the change is larger than the noise: more reps could tell)';
  return st.why === 'drop' ? 'lower, beyond the noise' : 'higher, beyond the noise';
}

/**
 * Values that are not all numbers have no order, so no knee and no "larger values": each value's
 * TPS against the first's, paired rep by rep.
 */
function unorderedSentence(s: SweepSeries, head: string, refs: Refs): Sentence {
  const first = s.points[0];
  const tps = first ? fmtTps(first.tps) : '';
  const clauses = s.steps.map((st) => `${String(st.to)} is ${stepText(st)}, ${pairedVerdict(st)}`);
  return {
    kind: 'sweep',
    text: `${head} the values are not numbers, so they have no order and no knee is named; against ${String(first?.value)} (${tps} tps), ${clauses.join('; ')}.`,
    numbers: [
      { pointer: `/rows/${first?.rowIndex}/tps/mean`, value: first?.tps ?? Number.NaN, text: tps },
      ...s.steps.flatMap((st, j) => [
        ...refs.step(j, st),
        ...(st.withinNoise === undefined ? [refs.pairs(j, st)] : []),
      ]),
    ],
  };
}
