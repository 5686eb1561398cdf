import type { PairedRatio } from '../../model/row.js';
import type { IsolationRow } from './rows.js';

/**
 * Which topology kept a quiet group's p99 lowest with its noisy neighbours, from the per-rep p99
 * ratios of the same group between every two configs (model/alone.ts: p99VsBaseline, p99VsOthers).
 * A config is the best for a group only when its paired 95% interval against every other config
 * lies below 1; otherwise the data cannot tell, and the comparison that stops it is kept to say why.
 * Only for a group that ran under three configs or more: with two, the comparison with the baseline
 * (the figure's last column) is the whole question; not for a group any two of whose configs ran
 * different clients or rates (the table says which). Pure.
 */

/** One paired ratio of a row's p99 against another config's same group, with its summary.json place. */
export interface P99Comparison {
  /** The row whose p99 is the numerator. */
  from: IsolationRow;
  /** The config of the denominator. */
  config: string;
  ratio: PairedRatio;
  /** JSON pointer of the ratio object (`.../estimate`, `.../low`... below it). */
  pointer: string;
}

export interface GroupRanking {
  workload: string;
  concurrency: number;
  group: string;
  /** The noisy neighbours (the groups the alone workload lacks). */
  without: string;
  /** Every config that ran the group in this mix, in the rows' order. */
  configs: string[];
  /** The config whose p99 every paired interval puts below every other's. */
  best?: string;
  /** The best's row, or without a best the row whose config had the lowest merged p99. */
  leader: IsolationRow;
  /**
   * With a best: its least clear comparison (the highest upper bound). Without: the leader's
   * comparison whose interval includes 1 (the highest upper bound); absent when `missing`.
   */
  quoted?: P99Comparison;
  /** Without a best or a quoted comparison: a config the leader has no interval against (under 2 paired reps). */
  missing?: string;
}

/** A row's comparisons against every other config's same group, each with its pointer. */
export function comparisonsOf(s: IsolationRow): P99Comparison[] {
  const at = `/rows/${s.rowIndex}/alone`;
  return [
    ...(s.p99VsBaseline
      ? [{ from: s, config: s.p99VsBaseline.config, ratio: s.p99VsBaseline, pointer: `${at}/p99VsBaseline` }]
      : []),
    ...(s.p99VsOthers ?? []).map((v, k) => ({
      from: s,
      config: v.config,
      ratio: v,
      pointer: `${at}/p99VsOthers/${k}`,
    })),
  ];
}

/** The group's rows of one mix, keyed by workload, concurrency and group, in the rows' order. */
function byGroup(iso: readonly IsolationRow[]): IsolationRow[][] {
  const m = new Map<string, IsolationRow[]>();
  for (const s of iso) {
    const k = `${s.workload}\u0000${s.concurrency}\u0000${s.group}`;
    m.set(k, [...(m.get(k) ?? []), s]);
  }
  return [...m.values()];
}

const below1 = (v: P99Comparison) => v.ratio.high < 1;

/** The ranking of one group's configs, or undefined with fewer than three configs. */
function rankGroup(rows: readonly IsolationRow[]): GroupRanking | undefined {
  const first = rows[0];
  // A pair that is no peer (different clients or rates, model/alone.ts) is no ranking: the table says why.
  if (!first || rows.length < 3 || rows.some((s) => s.notComparable)) return undefined;
  const configs = rows.map((s) => s.config);
  const against = (s: IsolationRow) => {
    const cs = comparisonsOf(s);
    const others = configs.filter((c) => c !== s.config);
    return { cs, lacking: others.filter((c) => !cs.some((v) => v.config === c)) };
  };
  const head = { workload: first.workload, concurrency: first.concurrency, group: first.group };
  const common = { ...head, without: first.without, configs };
  for (const s of rows) {
    const { cs, lacking } = against(s);
    if (lacking.length > 0 || !cs.every(below1)) continue;
    const quoted = [...cs].sort((a, b) => b.ratio.high - a.ratio.high)[0] as P99Comparison;
    return { ...common, best: s.config, quoted, leader: s };
  }
  // No config below every other: the leader by merged p99, and what stops it.
  const leader = [...rows].sort(
    (a, b) => (a.p99With ?? Number.POSITIVE_INFINITY) - (b.p99With ?? Number.POSITIVE_INFINITY),
  )[0] as IsolationRow;
  const { cs, lacking } = against(leader);
  const open = cs.filter((v) => !below1(v)).sort((a, b) => b.ratio.high - a.ratio.high)[0];
  if (open) return { ...common, quoted: open, leader };
  return { ...common, leader, missing: lacking[0] as string };
}

/** Every quiet group that ran under three configs or more, ranked. */
export function groupRankings(iso: readonly IsolationRow[]): GroupRanking[] {
  return byGroup(iso).flatMap((rows) => {
    const r = rankGroup(rows);
    return r ? [r] : [];
  });
}

/**
 * The unordered pairs of non-baseline configs of each group, the first in the rows' order against
 * the later one (each against the baseline is the figure's main table).
 */
export function configPairs(iso: readonly IsolationRow[]): ConfigPair[] {
  return byGroup(iso).flatMap((rows) => {
    const others = rows.filter((s) => !s.isBaseline);
    return others.flatMap((s, i) =>
      others.slice(i + 1).flatMap((to) => {
        const v = comparisonsOf(s).find((x) => x.config === to.config && x.ratio !== s.p99VsBaseline);
        return v ? [{ ...v, to }] : [];
      }),
    );
  });
}

/** A comparison of two non-baseline configs' same group, with the denominator's row. */
export interface ConfigPair extends P99Comparison {
  to: IsolationRow;
}
