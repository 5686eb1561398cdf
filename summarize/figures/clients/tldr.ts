import { tpsOfAllClients } from '../../model/aborted.js';
import { latencySpeaks } from '../../model/clients.js';
import type { Contrast, Row } from '../../model/row.js';
import { type Candidate, type RuleContext, TIER } from '../../tldr/candidate.js';
import { groupRowsOf, rowAt } from '../../tldr/pair-row.js';
import { type NumberRef, sentence, subject, where } from '../../tldr/refs.js';

/**
 * TL;DR rules about clients: the matrix's own comparisons (its `compare:` list) first, the largest
 * supported contrast between non-baseline configs when there is no list, and the clients a config
 * left waiting. A row whose latency does not speak for every client (ClientRowFigures) has no
 * percentile quoted anywhere in the TL;DR.
 */

const supports = (v: Contrast) => {
  const ci = v.tpsRatioCi95;
  return ci !== undefined && (ci.low > 1 || ci.high < 1);
};

interface Found {
  r: Row;
  b: Row;
  k: number;
  v: Contrast;
}

/** The contrasts of the completed rows, with the rows they compare. */
function contrastsOf(c: RuleContext, declared: boolean): Found[] {
  return c.completed.flatMap((r) =>
    (r.contrasts ?? []).flatMap((v, k) => {
      // The same group (or total) under the contrast's config: model/contrasts.ts paired them so.
      const b = rowAt(c.completed, v.config, r);
      // Profiled against unprofiled: the recording's overhead, not a difference of the configs.
      if (!(v.declared === declared && b && v.tpsRatio > 0 && r.profiled === b.profiled)) return [];
      // Aborted clients on a side: its TPS is the clients left's. The matrix's own question is still
      // answered (abortedSentence), a contrast of its own choosing is not made.
      return declared || (tpsOfAllClients(r) && tpsOfAllClients(b)) ? [{ r, b, k, v }] : [];
    }),
  );
}

/** One contrast in words, with its interval (or that one rep has none) and p99 where both speak for all. */
/** The matrix's question on rows with aborted clients: no ratio, the aborted counts. */
function abortedSentence(c: RuleContext, f: Found, lead: string): Candidate['sentence'] | undefined {
  const { r, b } = f;
  const n = (x: Row) => (x.abortedClients === undefined ? 'some reps' : `{${x === r ? 1 : 2}} clients`);
  const nums: NumberRef[] = [c.R(r).clients()];
  if (r.abortedClients !== undefined) nums.push(c.R(r).aborted());
  if (b.abortedClients !== undefined) nums.push({ ...c.R(b).aborted() });
  const text = `${lead}through ${r.config} against ${b.config}, ${subject(r)} at {0} clients: no TPS comparison, pgbench aborted ${n(r)} of ${r.config} and ${n(b)} of ${b.config} (a TPS of the clients left, over part of the cell).`;
  return sentence('question', text.replace('{2}', `{${nums.length - 1}}`), nums);
}

function contrastSentence(c: RuleContext, f: Found, lead: string): Candidate['sentence'] | undefined {
  const { r, b, k, v } = f;
  if (!tpsOfAllClients(r) || !tpsOfAllClients(b)) return abortedSentence(c, f, lead);
  const a = c.R(r);
  const bb = c.R(b);
  const x = a.contrast(k);
  const nums: NumberRef[] = [a.clients(), x.ratio()];
  let text = `${lead}through ${r.config}, ${subject(r)} at {0} clients ran {1} times the TPS of ${b.config}`;
  if (v.tpsRatioCi95 === undefined) {
    text += ' ({2} vs {3} tps), from one rep: no confidence interval';
    nums.push(a.tps(), bb.tps());
  } else {
    const verdict = supports(v) ? '' : ', which includes no change: the data does not tell them apart';
    text += ` (95% CI {2} to {3} over {4} paired reps${verdict}; {5} vs {6} tps`;
    nums.push(x.low(), x.high(), x.pairs(), a.tps(), bb.tps());
    if (!r.reconnect && r.latency && b.latency && latencySpeaks(r) && latencySpeaks(b)) {
      text += `; p99 {${nums.length}} ms vs {${nums.length + 1}} ms`;
      nums.push(a.p99(), bb.p99());
    }
    text += ')';
  }
  return sentence('question', `${text}.`, nums);
}

/**
 * The matrix's `compare:` pairs, one sentence per pair and workload: the concurrency with the
 * largest supported effect, else the highest one (its interval said to include no change).
 */
export function matrixQuestionRule(c: RuleContext): Candidate[] {
  const best = new Map<string, Found>();
  for (const f of contrastsOf(c, true)) {
    const key = `${f.r.config}\u0000${f.v.config}\u0000${f.r.workload}`;
    const prev = best.get(key);
    const effect = (x: Found) => (supports(x.v) ? Math.abs(Math.log(x.v.tpsRatio)) : -1);
    const better =
      !prev ||
      effect(f) > effect(prev) ||
      (effect(f) === effect(prev) && f.r.concurrency > prev.r.concurrency);
    if (better) best.set(key, f);
  }
  return [...best.values()].flatMap((f) => {
    const s = contrastSentence(c, f, "The matrix's question: ");
    return s
      ? [
          {
            sentence: { ...s, text: s.text.replace(': through', ': Through') },
            tier: TIER.question,
            effect: 0,
          },
        ]
      : [];
  });
}

/** Without a `compare:` list: the largest contrast between non-baseline configs that its interval supports. */
export function contrastRule(c: RuleContext): Candidate[] {
  const found = contrastsOf(c, false).filter((f) => supports(f.v));
  const top = found.sort((x, y) => Math.abs(Math.log(y.v.tpsRatio)) - Math.abs(Math.log(x.v.tpsRatio)))[0];
  if (!top) return [];
  const s = contrastSentence(c, top, 'Between configs other than the baseline, ');
  return s ? [{ sentence: s, tier: TIER.comparison, effect: Math.abs(Math.log(top.v.tpsRatio)) }] : [];
}

/**
 * Clients a config left starved: per config, the group with the most, how many of how many, the
 * fairness index, and PgBouncer's waiting figures where it has an admin console (the per-client
 * figures are the evidence elsewhere).
 */
export function starvedRule(c: RuleContext): Candidate[] {
  const worst = new Map<string, Row>();
  for (const r of c.completed) {
    if (!r.clients || r.clients.starvedMax === 0 || r.clients.tooFewToTell) continue;
    // A mix's total measures each client against the typical client of every group together (a
    // batch client against a web one): its groups' own figures say who starved, and name the group.
    if (groupRowsOf(c.rows, r).some((g) => g.clients !== undefined)) continue;
    const prev = worst.get(r.config);
    if (!prev || r.clients.starvedMax > (prev.clients?.starvedMax ?? 0)) worst.set(r.config, r);
  }
  return [...worst.values()].flatMap((r) => {
    const a = c.R(r);
    const nums: NumberRef[] = [a.starved(), a.cellClients(), a.jainMin()];
    let text = `${r.config} left {0} of {1} clients starved on ${where(r)} (they completed no transaction or almost none in the measured time; Jain's fairness index {2})`;
    if (r.sampling?.clWaitingPeak !== undefined && r.sampling.maxwaitMsPeak !== undefined) {
      text += `; PgBouncer's cl_waiting peaked at {3} and maxwait at {4} ms`;
      nums.push(a.clWaiting(), a.maxwait());
    } else {
      text += '; no admin console reports waiting clients here, the per-client figures are the evidence';
    }
    text += r.load
      ? '.'
      : ': its latency percentiles speak only for the served clients, and none is quoted here.';
    const s = sentence('clients', text, nums);
    return s ? [{ sentence: s, tier: TIER.starved, effect: r.clients?.starvedMax ?? 0 }] : [];
  });
}
