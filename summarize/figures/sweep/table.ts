import { fmtMs, fmtPct, fmtRatio, fmtTps, isNum, MISSING } from '../../model/format.js';
import type { SweepLatency, SweepPoint, SweepSeries, SweepStep } from '../../model/sweep.js';
import type { Column, Table } from '../figure.js';
import { seriesLabel } from './sentences.js';

/**
 * One line of the sweep table: a value of one series, and a step: ordered values, the step from it
 * to the next value; unordered ones, the step from the first value to it.
 */
export interface SweepLine {
  series: SweepSeries;
  /** Index of the series in summary.json's `sweeps`. */
  seriesIndex: number;
  point: SweepPoint;
  /** Index of the point in the series. */
  pointIndex: number;
  step?: SweepStep;
  /** Index of the step in the series, when the line has one. */
  stepIndex?: number;
}

export const SWEEP_CAPTION =
  'Throughput against each swept setting (a list in a config: docs/settings-axes.md), per workload and ' +
  'concurrency: mean TPS over completed reps; each step is the paired ratio of TPS (to / from), rep by rep, ' +
  'with its 95 % interval, held against the noise (the larger CV of TPS of the two values). Numeric values ' +
  'step to the next value, and the knee is the smallest value from which every further step is within the ' +
  'noise (its interval includes 1, or its gain is below the noise); values that are not all numbers have no ' +
  'order: each is paired against the first, and no knee is named. Latency at each value: the average over ' +
  "completed reps of each rep's own mean and of its own p99 (per-transaction logs, closed-loop; under -C " +
  "connecting is not in it), each ± the half-width of the 95 % t interval of those reps' figures (– with one " +
  "rep); the merged figures of the other tables (every rep's transactions in one histogram) can differ.";

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

/** A latency figure of the value over reps, or its interval (SweepLatency), both in the sweep. */
const latencyNumber = (header: string, key: Exclude<keyof SweepLatency, 'reps'>): Column<SweepLine> => {
  const interval = key === 'repMeanCi95' || key === 'repP99Ci95';
  return {
    header,
    align: 'right',
    text: (l) => {
      const v = l.point.latency?.[key];
      return interval && isNum(v) ? `± ${fmtMs(v)}` : fmtMs(v);
    },
    value: (l) => l.point.latency?.[key],
    pointer: (l) =>
      l.point.latency ? `/sweeps/${l.seriesIndex}/points/${l.pointIndex}/latency/${key}` : undefined,
  };
};

function columns(): Column<SweepLine>[] {
  return [
    { header: 'config', align: 'left', text: (l) => seriesLabel(l.series) },
    { header: 'setting', align: 'left', text: (l) => l.series.setting },
    {
      header: 'workload',
      align: 'left',
      // A mix's group is a series of its own beside the mix's total.
      text: (l) => `${l.series.workload}${l.series.group === undefined ? '' : ` (group ${l.series.group})`}`,
    },
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
    latencyNumber('mean ms (avg of reps)', 'repMeanMs'),
    latencyNumber('mean 95% CI', 'repMeanCi95'),
    latencyNumber('p99 ms (avg of reps)', 'repP99Ms'),
    latencyNumber('p99 95% CI', 'repP99Ci95'),
    {
      header: 'step',
      align: 'left',
      text: (l) => (l.step ? `${String(l.step.to)} / ${String(l.step.from)}` : ''),
    },
    stepNumber('TPS ratio', 'ratio', fmtRatio),
    stepNumber('95% CI low', 'ciLow', fmtRatio),
    stepNumber('95% CI high', 'ciHigh', fmtRatio),
    stepNumber('noise', 'noise', fmtPct),
    {
      header: 'knee',
      align: 'left',
      text: (l) => (isKnee(l) ? 'knee' : ''),
      strong: isKnee,
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

const isKnee = (l: SweepLine) => l.series.verdict === 'knee' && l.series.knee === l.pointIndex;

/**
 * The table's lines, series by series, value by value: ordered values carry the step to the next
 * value, unordered ones (after the first) the step from the first.
 */
export function sweepLines(series: readonly SweepSeries[]): SweepLine[] {
  return series.flatMap((s, seriesIndex) =>
    s.points.map((point, pointIndex) => {
      const stepIndex = s.ordered ? pointIndex : pointIndex - 1;
      const step = s.steps[stepIndex];
      return { series: s, seriesIndex, point, pointIndex, ...(step ? { step, stepIndex } : {}) };
    }),
  );
}
