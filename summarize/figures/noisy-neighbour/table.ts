import { fmtMs, fmtRatio, fmtTps } from '../../model/format.js';
import type { PairedRatio } from '../../model/row.js';
import { fixedTable, numberColumn } from '../columns.js';
import type { Column } from '../figure.js';
import type { IsolationRow } from './rows.js';

/** `1.23x [1.01, 1.50]`, or — without a paired interval. */
export function fmtPaired(p: PairedRatio | undefined): string {
  return p ? `${fmtRatio(p.estimate)}x [${fmtRatio(p.low)}, ${fmtRatio(p.high)}]` : '—';
}

const at = (i: number, path: string) => `/rows/${i}/${path}`;

const columns: readonly Column<IsolationRow>[] = [
  { header: 'config', align: 'left', text: (s) => s.config },
  { header: 'group', align: 'left', text: (s) => s.group },
  { header: 'with', align: 'left', text: (s) => `${s.workload} (+ ${s.without})` },
  { header: 'alone', align: 'left', text: (s) => s.aloneWorkload },
  numberColumn(
    'p99 ms with',
    (s) => s.p99With,
    fmtMs,
    (s) => at(s.rowIndex, 'latency/p99Ms'),
  ),
  numberColumn(
    'p99 ms alone',
    (s) => s.p99Alone,
    fmtMs,
    (s) => at(s.aloneIndex, 'latency/p99Ms'),
  ),
  {
    header: 'p99 with / alone (paired 95% CI)',
    align: 'right',
    text: (s) => fmtPaired(s.p99Ratio),
    value: (s) => s.p99Ratio?.estimate,
    pointer: (s) => at(s.rowIndex, 'alone/p99Ratio/estimate'),
  },
  numberColumn(
    'TPS with',
    (s) => s.tpsWith,
    fmtTps,
    (s) => at(s.rowIndex, 'tps/mean'),
  ),
  numberColumn(
    'TPS alone',
    (s) => s.tpsAlone,
    fmtTps,
    (s) => at(s.aloneIndex, 'tps/mean'),
  ),
  {
    header: 'TPS with / alone (paired 95% CI)',
    align: 'right',
    text: (s) => fmtPaired(s.tpsRatio),
    value: (s) => s.tpsRatio?.estimate,
    pointer: (s) => at(s.rowIndex, 'alone/tpsRatio/estimate'),
  },
  {
    header: 'p99 vs baseline config (paired 95% CI)',
    align: 'right',
    text: (s) => (s.p99VsBaseline ? `${fmtPaired(s.p99VsBaseline)} vs ${s.p99VsBaseline.config}` : '—'),
    value: (s) => s.p99VsBaseline?.estimate,
    pointer: (s) => at(s.rowIndex, 'alone/p99VsBaseline/estimate'),
  },
];

const CAPTION =
  "Each group of a mix that also ran without some of its neighbours (a workload whose groups are a subset of this one's): " +
  'its p99 (from its own per-transaction logs, merged over reps) and TPS with the neighbours and alone, and the ratios ' +
  "paired rep by rep (geometric mean of the reps' ratios, 95% t-interval over reps). The last column pairs the group's " +
  "per-rep p99 with the same group's under the baseline config in the same mix: the topology comparison.";

export const isolationTable = fixedTable(
  'noisy-neighbour-table',
  ['summary', 'findings', 'html', 'terminal'],
  columns,
  CAPTION,
);
