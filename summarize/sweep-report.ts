import { fmtPct, fmtRatio, fmtTps } from './format.js';
import type { SweepSeries, SweepStep } from './sweep.js';
import type { NumberRef, Sentence } from './tldr/refs.js';

/** What the sweep table and sentences say about where their numbers come from. */
export const SWEEP_CAPTION =
  'Throughput against each swept setting (a list in a config: docs/settings-axes.md), per workload and ' +
  'concurrency: mean TPS over completed reps; each step is the paired ratio of the next value to this one, rep ' +
  'by rep, with its 95 % interval, against the noise (the larger CV of TPS of the two values). The knee is the ' +
  'smallest value from which every further step is within the noise (interval includes 1, or gain below the CV).';

const label = (s: SweepSeries) => {
  const fixed = Object.entries(s.fixed).map(([k, v]) => `${k} ${String(v)}`);
  return `${s.of}${fixed.length > 0 ? ` (${fixed.join(', ')})` : ''}`;
};
const at = (s: SweepSeries) => `${s.workload} at ${s.concurrency} client${s.concurrency === 1 ? '' : 's'}`;

function stepText(st: SweepStep): string {
  const iv = Number.isNaN(st.ciLow) ? 'no interval' : `95% CI ${fmtRatio(st.ciLow)}–${fmtRatio(st.ciHigh)}`;
  return `${fmtRatio(st.ratio)}x (${iv}; noise ${fmtPct(st.noise)})`;
}

/** The markdown table of every sweep series: one line per value. Undefined without sweeps. */
export function sweepTable(series: readonly SweepSeries[]): string | undefined {
  if (series.length === 0) return undefined;
  const lines = [
    '| config | setting | workload | clients | value | TPS | reps | CV | step to next value | knee |',
    `|${' --- |'.repeat(10)}`,
  ];
  for (const s of series) {
    s.points.forEach((p, i) => {
      const st = s.steps[i];
      const knee = s.verdict === 'knee' && s.knee === i ? 'knee' : '';
      lines.push(
        `| ${label(s)} | ${s.setting} | ${s.workload} | ${s.concurrency} | ${String(p.value)} | ${fmtTps(p.tps)} | ` +
          `${p.reps} | ${fmtPct(p.cv)} | ${st ? stepText(st) : '—'} | ${knee} |`,
      );
    });
  }
  return lines.join('\n');
}

/**
 * One sentence per series, each number with its summary.json pointer (`/sweeps/<i>/...` and the
 * rows' TPS): the knee and the step past it, or the step that still gains, or why no knee can be named.
 */
export function sweepSentences(series: readonly SweepSeries[]): Sentence[] {
  return series.map((s, i) => {
    const ptr = (path: string, value: number, text: string, scale?: number): NumberRef => ({
      pointer: `/sweeps/${i}/${path}`,
      value,
      text,
      ...(scale ? { scale } : {}),
    });
    const stepRefs = (j: number, st: SweepStep): NumberRef[] => [
      ptr(`steps/${j}/ratio`, st.ratio, fmtRatio(st.ratio)),
      ...(Number.isNaN(st.ciLow)
        ? []
        : [
            ptr(`steps/${j}/ciLow`, st.ciLow, fmtRatio(st.ciLow)),
            ptr(`steps/${j}/ciHigh`, st.ciHigh, fmtRatio(st.ciHigh)),
          ]),
      ptr(`steps/${j}/noise`, st.noise, fmtPct(st.noise), 100),
    ];
    const head = `Sweep of ${s.setting} for ${label(s)}, ${at(s)}:`;
    if (s.verdict === 'knee' && s.knee !== undefined) {
      const p = s.points[s.knee];
      const st = s.steps[s.knee] as SweepStep;
      const tps = p ? fmtTps(p.tps) : '';
      return {
        kind: 'sweep',
        text: `${head} the knee is ${s.setting} ${String(p?.value)} (${tps} tps); from there to ${String(st.to)} throughput changes by ${stepText(st)}, within the noise.`,
        numbers: [
          { pointer: `/rows/${p?.rowIndex}/tps/mean`, value: p?.tps ?? Number.NaN, text: tps },
          ...stepRefs(s.knee, st),
        ],
      };
    }
    if (s.verdict === 'none') {
      const j = s.steps.length - 1;
      const st = s.steps[j] as SweepStep;
      return {
        kind: 'sweep',
        text: `${head} no knee was found: throughput still grows from ${String(st.from)} to ${String(st.to)}, ${stepText(st)}, beyond the noise; try larger values.`,
        numbers: stepRefs(j, st),
      };
    }
    const j = s.steps.findIndex((st) => st.withinNoise === undefined);
    const st = s.steps[j];
    return {
      kind: 'sweep',
      text: `${head} no knee can be named: the step from ${String(st?.from)} to ${String(st?.to)} has ${st?.pairs ?? 0} paired rep(s), and a paired interval needs 2 or more (use --reps 3 or more).`,
      numbers: [ptr(`steps/${j}/pairs`, st?.pairs ?? 0, String(st?.pairs ?? 0))],
    };
  });
}
