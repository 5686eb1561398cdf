import { fmtInt } from '../../model/format.js';
import { type EventComparison, repOf } from '../../model/outage-compare.js';
import { type Candidate, TIER } from '../../tldr/candidate.js';
import { type NumberRef, sentence } from '../../tldr/refs.js';
import { type CompareRow, comparedEvent, comparisonsOf, configWithStrategy } from './rows.js';

/** The aborted clients of a config over the paired reps, as NumberRefs into summary.json's outages. */
function lostRefs(c: EventComparison, config: string): NumberRef[] {
  const k = c.configs.find((x) => x.config === config);
  if (!k) return [];
  return c.pairedReps.map((rep) => {
    const r = k.reps.find((x) => x.rep === rep);
    const o = repOf(k, rep);
    return { pointer: `/outages/${r?.i}/aborted`, value: o.aborted, text: fmtInt(o.aborted) };
  });
}

/**
 * "promote (crash) at 2.40 s on tpcb-paced at 8 clients: tx-failover-pause-reload-resume
 * (pause-reload-resume) hid it best, 5, 5, 2 clients lost rep by rep, against 7, 7, 7 for ...".
 * Only where the paired reps support it (model/outage-compare.ts); otherwise no sentence.
 */
function bestSentence(c: EventComparison) {
  const v = c.verdict;
  if (!('best' in v)) return undefined;
  const best = c.configs.find((x) => x.config === v.best);
  const nums: NumberRef[] = [];
  const list = (refs: NumberRef[]) =>
    refs
      .map((n) => {
        nums.push(n);
        return `{${nums.length - 1}}`;
      })
      .join(', ');
  const own = list(lostRefs(c, v.best));
  const others = c.configs
    .filter((x) => x.config !== v.best)
    .map((x) => `${list(lostRefs(c, x.config))} for ${configWithStrategy(x.config, x.strategy)}`)
    .join(', ');
  return sentence(
    'outage',
    `${comparedEvent(c)}: ${configWithStrategy(v.best, best?.strategy)} hid it best, losing fewer clients than every other config in every paired rep (${own} clients lost, rep by rep, against ${others}) with no more failed transactions.`,
    nums,
  );
}

export function compareCandidates(rows: readonly CompareRow[]): Candidate[] {
  return comparisonsOf(rows).flatMap((c) => {
    const s = bestSentence(c);
    return s ? [{ sentence: s, tier: TIER.eventComparison, effect: c.configs.length }] : [];
  });
}
