import { fmtMs, fmtTps } from '../../model/format.js';
import { fixedTable, numberColumn } from '../columns.js';
import type { Column, Table } from '../figure.js';
import { fmtPaired } from './format.js';
import { type ConfigPair, configPairs } from './ranking.js';
import type { IsolationRow } from './rows.js';

const at = (i: number, path: string) => `/rows/${i}/${path}`;

/** Without a baseline ratio: why, when the baseline's same group was no peer (model/alone.ts). */
function unpaired(s: IsolationRow): string {
  const x = s.notComparable?.find((n) => n.isBaseline);
  return x ? `not comparable with ${x.config}: ${x.reason}` : '—';
}

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
    text: (s) =>
      s.p99VsBaseline ? `${fmtPaired(s.p99VsBaseline)} vs ${s.p99VsBaseline.config}` : unpaired(s),
    value: (s) => s.p99VsBaseline?.estimate,
    pointer: (s) => at(s.rowIndex, 'alone/p99VsBaseline/estimate'),
  },
];

const CAPTION =
  "Each group of a mix that also ran without some of its neighbours (a workload whose groups are a subset of this one's): " +
  'its p99 (from its own per-transaction logs, merged over reps) and TPS with the neighbours and alone, and the ratios ' +
  "paired rep by rep (geometric mean of the reps' ratios, 95% t-interval over reps). The last column pairs the group's " +
  "per-rep p99 with the same group's under the baseline config in the same mix: the topology comparison; " +
  'none when the two groups, or their mixes, ran different clients or offered rates (the cell says which).';

export const isolationTable = fixedTable(
  'noisy-neighbour-table',
  ['summary', 'findings', 'html', 'terminal'],
  columns,
  CAPTION,
);

/** `a lower`, `b lower`, or that the interval includes 1. */
function verdict(v: ConfigPair): string {
  if (v.ratio.high < 1) return `${v.from.config} lower`;
  if (v.ratio.low > 1) return `${v.config} lower`;
  return 'cannot tell (CI includes 1)';
}

const pairColumns: readonly Column<ConfigPair>[] = [
  { header: 'group', align: 'left', text: (v) => v.from.group },
  { header: 'with', align: 'left', text: (v) => `${v.from.workload} (+ ${v.from.without})` },
  { header: 'config', align: 'left', text: (v) => v.from.config },
  { header: 'against', align: 'left', text: (v) => v.config },
  numberColumn(
    'p99 ms (config)',
    (v) => v.from.p99With,
    fmtMs,
    (v) => at(v.from.rowIndex, 'latency/p99Ms'),
  ),
  numberColumn(
    'p99 ms (against)',
    (v) => v.to.p99With,
    fmtMs,
    (v) => at(v.to.rowIndex, 'latency/p99Ms'),
  ),
  {
    header: 'per-rep p99 config / against (paired 95% CI)',
    align: 'right',
    text: (v) => fmtPaired(v.ratio),
    value: (v) => v.ratio.estimate,
    pointer: (v) => `${v.pointer}/estimate`,
  },
  numberColumn(
    'paired reps',
    (v) => v.ratio.pairs,
    (x) => (x === undefined ? '—' : String(x)),
    (v) => `${v.pointer}/pairs`,
  ),
  { header: 'verdict', align: 'left', text: verdict },
];

/**
 * The topologies against each other: every two non-baseline configs' same quiet group, the per-rep
 * p99 ratio paired by rep (rows[i].alone.p99VsOthers). Each against the baseline is the table above.
 */
export const pairsTable: Table<IsolationRow, ConfigPair> = {
  id: 'noisy-neighbour-pairs-table',
  in: ['summary', 'findings', 'html', 'terminal'],
  title: 'Topologies against each other',
  select: (iso) => configPairs(iso),
  columns: () => [...pairColumns],
  caption: () =>
    "Each quiet group's per-rep p99 through one config against the same group through another (neither the baseline), in the same mix: " +
    "the geometric mean of the reps' ratios and its 95% t-interval, paired by rep. A topology protected a group better than another only when the interval lies below 1 " +
    '(or, the other way, above 1); the TL;DR names a best topology for a group only when its intervals against every other config, the baseline included, say so.',
};
