import { fmtMs, fmtRatio } from '../../model/format.js';
import type { Row } from '../../model/row.js';
import { type Candidate, TIER } from '../../tldr/candidate.js';
import { type NumberRef, sentence } from '../../tldr/refs.js';
import type { IsolationRow } from './rows.js';

const ref = (pointer: string, value: number, text: string): NumberRef => ({ pointer, value, text });

/** The baseline config's row of the same group in the same mix. */
function baselineRow(rows: readonly Row[], s: IsolationRow, config: string): number {
  return rows.findIndex(
    (r) =>
      r.config === config &&
      r.workload === s.workload &&
      r.concurrency === s.concurrency &&
      r.group === s.group,
  );
}

/**
 * One sentence per quiet group of a non-baseline config: which topology kept its p99 lower with the
 * noisy neighbours, only when the p99s paired rep by rep say so (the 95% interval of the ratio
 * excludes 1); otherwise that the data cannot tell them apart.
 */
export function isolationCandidates(rows: readonly Row[], iso: readonly IsolationRow[]): Candidate[] {
  return iso.flatMap((s): Candidate[] => {
    const v = s.p99VsBaseline;
    const b = v ? baselineRow(rows, s, v.config) : -1;
    const bp99 = rows[b]?.latency?.p99Ms;
    if (!v || b < 0 || s.p99With === undefined || bp99 === undefined) return [];
    const p = (k: 'estimate' | 'low' | 'high') =>
      ref(`/rows/${s.rowIndex}/alone/p99VsBaseline/${k}`, v[k], fmtRatio(v[k]));
    const nums = [
      ref(`/rows/${s.rowIndex}/latency/p99Ms`, s.p99With, fmtMs(s.p99With)),
      ref(`/rows/${b}/latency/p99Ms`, bp99, fmtMs(bp99)),
      p('estimate'),
      p('low'),
      p('high'),
      ref(`/rows/${s.rowIndex}/alone/p99VsBaseline/pairs`, v.pairs, String(v.pairs)),
    ];
    const head = `With ${s.without} running in ${s.workload}, group ${s.group}'s p99 was {0} ms through ${s.config} and {1} ms through ${v.config} (per-rep p99 ratio {2}x, paired 95% CI [{3}, {4}] over {5} reps)`;
    const verdict =
      v.high < 1
        ? `: ${s.config} protected ${s.group} better.`
        : v.low > 1
          ? `: ${v.config} protected ${s.group} better.`
          : `: the data cannot tell the two topologies apart for ${s.group}.`;
    const out = sentence('isolation', head + verdict, nums);
    const decided = v.high < 1 || v.low > 1;
    return out
      ? [
          {
            sentence: out,
            tier: decided ? TIER.comparison : TIER.noneSupported,
            effect: Math.abs(Math.log(v.estimate)),
          },
        ]
      : [];
  });
}
