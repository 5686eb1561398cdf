import { fmtMs, fmtPct, fmtRatio, fmtTps, isNum, MISSING } from '../../model/format.js';
import type { SweepLatency, SweepPoint, SweepSeries, SweepStep } from '../../model/sweep.js';
import type { Column, Table } from '../figure.js';
import { seriesLabel } from './sentences.js';

/** One line of the sweep table: a value of one series, and the step from it to the next value. */
export interface SweepLine {
  series: SweepSeries;
  /** Index of the series in summary.json's `sweeps`. */
  seriesIndex: number;
  point: SweepPoint;
  step?: SweepStep;
  stepIndex: number;
}

export const SWEEP_CAPTION =
  'Throughput against each swept setting (a list in a config: docs/settings-axes.md), per workload and ' +
  'concurrency: mean TPS over completed reps; each step is the paired ratio of the next value to this one, rep ' +
  'by rep, with its 95 % interval, held against the noise (the larger CV of TPS of the two values). The knee is ' +
  'the smallest value from which every further step is within the noise (its interval includes 1, or its gain is ' +
  "below the noise). Latency at each value: mean and p99 over every completed rep's transactions (merged " +
  'per-transaction histograms, closed-loop; under -C connecting is not in it), each ± the half-width of the 95 % t ' +
  "interval of the reps' own figures (– with one rep).";

const stepNumber = (
  header: string,
  key: 'ratio' | 'ciLow' | 'ciHigh' | 'noise',
  format: (x: number | undefined) => string,
): Column<SweepLine> => ({
  header,
  align: 'right',
  text: (l) => (l.step ? format(l.step[key]) : MISSING),
  value: (l) => l.step?.[key],
  pointer: (l) => (l.step ? `/sweeps/${l.seriesIndex}/steps/${l.stepIndex}/${key}` : undefined),
});

/**
 * A latency figure of the value: the row's merged mean or p99 (pointing at the row, where every
 * table reads it), or its rep-to-rep interval, which only the sweep holds.
 */
const latencyNumber = (header: string, key: keyof SweepLatency): Column<SweepLine> => {
  const merged = key === 'meanMs' || key === 'p99Ms';
  return {
    header,
    align: 'right',
    text: (l) => {
      const v = l.point.latency?.[key];
      return merged || !isNum(v) ? fmtMs(v) : `± ${fmtMs(v)}`;
    },
    value: (l) => l.point.latency?.[key],
    pointer: (l) => {
      if (!l.point.latency) return undefined;
      return merged
        ? `/rows/${l.point.rowIndex}/latency/${key}`
        : `/sweeps/${l.seriesIndex}/points/${l.stepIndex}/latency/${key}`;
    },
  };
};

function columns(): Column<SweepLine>[] {
  return [
    { header: 'config', align: 'left', text: (l) => seriesLabel(l.series) },
    { header: 'setting', align: 'left', text: (l) => l.series.setting },
    { header: 'workload', align: 'left', text: (l) => l.series.workload },
    {
      header: 'clients',
      align: 'right',
      text: (l) => String(l.series.concurrency),
      value: (l) => l.series.concurrency,
    },
    { header: 'value', align: 'left', text: (l) => String(l.point.value) },
    {
      header: 'TPS',
      align: 'right',
      text: (l) => fmtTps(l.point.tps),
      value: (l) => l.point.tps,
      pointer: (l) => `/rows/${l.point.rowIndex}/tps/mean`,
    },
    { header: 'reps', align: 'right', text: (l) => String(l.point.reps), value: (l) => l.point.reps },
    {
      header: 'CV',
      align: 'right',
      text: (l) => fmtPct(l.point.cv),
      value: (l) => l.point.cv,
      pointer: (l) => `/rows/${l.point.rowIndex}/tps/cv`,
    },
    latencyNumber('mean ms', 'meanMs'),
    latencyNumber('mean 95% CI', 'meanCi95'),
    latencyNumber('p99 ms', 'p99Ms'),
    latencyNumber('p99 95% CI', 'p99Ci95'),
    stepNumber('next / this', 'ratio', fmtRatio),
    stepNumber('95% CI low', 'ciLow', fmtRatio),
    stepNumber('95% CI high', 'ciHigh', fmtRatio),
    stepNumber('noise', 'noise', fmtPct),
    {
      header: 'knee',
      align: 'left',
      text: (l) => (l.series.verdict === 'knee' && l.series.knee === l.stepIndex ? 'knee' : ''),
      strong: (l) => l.series.verdict === 'knee' && l.series.knee === l.stepIndex,
    },
  ];
}

/** The sweep table: every value of every series, in every report. */
export const sweepTable: Table<SweepLine> = {
  id: 'sweep-table',
  in: ['summary', 'findings', 'html'],
  columns,
  caption: () => SWEEP_CAPTION,
  rowIndex: (l) => l.point.rowIndex,
};

/** The table's lines, series by series, value by value. */
export function sweepLines(series: readonly SweepSeries[]): SweepLine[] {
  return series.flatMap((s, seriesIndex) =>
    s.points.map((point, stepIndex) => ({
      series: s,
      seriesIndex,
      point,
      stepIndex,
      ...(s.steps[stepIndex] ? { step: s.steps[stepIndex] } : {}),
    })),
  );
}
