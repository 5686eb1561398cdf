import { fmtMs } from '../../model/format.js';
import type { Row } from '../../model/row.js';
import { type Candidate, TIER } from '../../tldr/candidate.js';
import { type NumberRef, sentence } from '../../tldr/refs.js';
import { fmtP99Ratio } from './format.js';
import { type GroupRanking, groupRankings, type P99Comparison } from './ranking.js';
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
      ref(`/rows/${s.rowIndex}/alone/p99VsBaseline/${k}`, v[k], fmtP99Ratio(v[k]));
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
        ? `: ${s.config} protected ${s.group} better than ${v.config}.`
        : v.low > 1
          ? `: ${v.config} protected ${s.group} better than ${s.config}.`
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

const ratioRefs = (v: P99Comparison): NumberRef[] =>
  (['estimate', 'low', 'high'] as const).map((k) =>
    ref(`${v.pointer}/${k}`, v.ratio[k], fmtP99Ratio(v.ratio[k])),
  );
const pairsRef = (v: P99Comparison) => ref(`${v.pointer}/pairs`, v.ratio.pairs, String(v.ratio.pairs));
const lead = (g: GroupRanking) => `With ${g.without} running in ${g.workload}`;
const topologies = (g: GroupRanking) => `the ${g.configs.length} topologies (${g.configs.join(', ')})`;

/** One group: its best topology, or that the data cannot tell and the comparison that stops it. */
function groupSentence(g: GroupRanking): Candidate[] {
  const q = g.quoted;
  if (g.best && q) {
    const s = sentence(
      'isolation',
      `${lead(g)}, ${g.best} kept group ${g.group}'s p99 lowest of ${topologies(g)}: its per-rep p99 ratio against each other topology has a paired 95% CI below 1 (the least clear, against ${q.config}: {0}x, CI [{1}, {2}] over {3} reps).`,
      [...ratioRefs(q), pairsRef(q)],
    );
    return s ? [{ sentence: s, tier: TIER.topology, effect: Math.abs(Math.log(q.ratio.estimate)) }] : [];
  }
  const p99 = g.leader.p99With;
  if (p99 === undefined) return [];
  const head = `${lead(g)}, the data cannot tell which of ${topologies(g)} kept group ${g.group}'s p99 lowest: ${g.leader.config} had the lowest p99 ({0} ms, merged over reps), but`;
  const p99Ref = ref(`/rows/${g.leader.rowIndex}/latency/p99Ms`, p99, fmtMs(p99));
  const s = q
    ? sentence(
        'isolation',
        `${head} its per-rep p99 ratio against ${q.config}, {1}x, has a paired 95% CI of [{2}, {3}] over {4} reps, ${q.ratio.low > 1 ? `above 1: per rep, ${q.config}'s p99 was the lower` : 'which includes 1'}.`,
        [p99Ref, ...ratioRefs(q), pairsRef(q)],
      )
    : sentence('isolation', `${head} against ${g.missing} it has fewer than 2 paired reps (no interval).`, [
        p99Ref,
      ]);
  return s ? [{ sentence: s, tier: TIER.topology, effect: -1 }] : [];
}

/** One mix whose quiet groups all have the same best topology: one sentence for them all. */
function mixSentence(gs: readonly GroupRanking[]): Candidate[] {
  const first = gs[0];
  const q = [...gs].sort((a, b) => (b.quoted?.ratio.high ?? 0) - (a.quoted?.ratio.high ?? 0))[0]?.quoted;
  if (!first?.best || !q) return [];
  const s = sentence(
    'isolation',
    `${lead(first)}, ${first.best} kept the p99 of every quiet group (${gs.map((g) => g.group).join(', ')}) lowest of ${topologies(first)}: each of its per-rep p99 ratios against the other topologies has a paired 95% CI below 1 (the least clear, against ${q.config} for group ${q.from.group}: {0}x, CI [{1}, {2}] over {3} reps).`,
    [...ratioRefs(q), pairsRef(q)],
  );
  return s ? [{ sentence: s, tier: TIER.topology, effect: Math.abs(Math.log(q.ratio.estimate)) }] : [];
}

/**
 * Which topology protected the quiet groups best (ranking.ts), for each mix run under three
 * configs or more: one sentence when one topology was best for every quiet group, else one per
 * group, naming a best only where every paired interval supports it.
 */
export function rankingCandidates(iso: readonly IsolationRow[]): Candidate[] {
  const mixes = new Map<string, GroupRanking[]>();
  for (const g of groupRankings(iso)) {
    const k = `${g.workload}\u0000${g.concurrency}`;
    mixes.set(k, [...(mixes.get(k) ?? []), g]);
  }
  return [...mixes.values()].flatMap((gs) => {
    const best = gs[0]?.best;
    const one = gs.length > 1 && best !== undefined && gs.every((g) => g.best === best);
    return one ? mixSentence(gs) : gs.flatMap(groupSentence);
  });
}
