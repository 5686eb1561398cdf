import type { PairedRatio, Row } from '../../model/row.js';

/** One quiet group of one config: with its noisy neighbours against alone (summarize/model/alone.ts). */
export interface IsolationRow {
  rowIndex: number;
  aloneIndex: number;
  config: string;
  isBaseline: boolean;
  workload: string;
  concurrency: number;
  group: string;
  aloneWorkload: string;
  without: string;
  p99With?: number;
  p99Alone?: number;
  p99Ratio?: PairedRatio;
  tpsWith: number;
  tpsAlone?: number;
  tpsRatio?: PairedRatio;
  p99VsBaseline?: PairedRatio & { config: string };
  /** Against the same group under each other config but the baseline (model/alone.ts). */
  p99VsOthers?: (PairedRatio & { config: string })[];
  /** The configs whose same group is no peer, and why (model/alone.ts). */
  notComparable?: { config: string; reason: string; isBaseline?: true }[];
}

/** Every group row that has an alone workload, in the rows' order. Pure. */
export function isolationRows(rows: readonly Row[]): IsolationRow[] {
  return rows.flatMap((r, rowIndex): IsolationRow[] => {
    const a = r.alone;
    if (!a || r.group === undefined) return [];
    const q = rows[a.rowIndex];
    return [
      {
        rowIndex,
        aloneIndex: a.rowIndex,
        config: r.config,
        isBaseline: r.isBaseline,
        workload: r.workload,
        concurrency: r.concurrency,
        group: r.group,
        aloneWorkload: a.workload,
        without: a.without.join(', '),
        ...(r.latency ? { p99With: r.latency.p99Ms } : {}),
        ...(q?.latency ? { p99Alone: q.latency.p99Ms } : {}),
        ...(a.p99Ratio ? { p99Ratio: a.p99Ratio } : {}),
        tpsWith: r.tps.mean,
        ...(q ? { tpsAlone: q.tps.mean } : {}),
        ...(a.tpsRatio ? { tpsRatio: a.tpsRatio } : {}),
        ...(a.p99VsBaseline ? { p99VsBaseline: a.p99VsBaseline } : {}),
        ...(a.p99VsOthers ? { p99VsOthers: a.p99VsOthers } : {}),
        ...(a.notComparable ? { notComparable: a.notComparable } : {}),
      },
    ];
  });
}
