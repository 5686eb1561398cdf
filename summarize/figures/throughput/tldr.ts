import { tpsOfAllClients } from '../../model/aborted.js';
import { latencySpeaks } from '../../model/clients.js';
import { fmtInt } from '../../model/format.js';
import type { Row } from '../../model/row.js';
import { reportRows } from '../../model/tenant-template.js';
import { type Candidate, candidate, type RuleContext, TIER } from '../../tldr/candidate.js';
import { clients, sentence, subject, where } from '../../tldr/refs.js';

/**
 * The TL;DR rules of throughput and latency: failed cells, comparisons with the baseline the data
 * supports, failed transactions, where adding clients stopped paying, and the noise.
 */

/** Adding clients beyond the saturation point buys less than this fraction of TPS. */
const SCALING_GAIN = 0.1;

/** Cells that did not complete: always said, first. */
export function failedCellsRule(c: RuleContext): Candidate[] {
  const n = c.totals?.cellsFailed ?? 0;
  if (n === 0) return [];
  const ids = c.rows.flatMap((r) => r.failedCells.map((x) => `${x.cellId} (${x.state})`));
  return candidate(
    sentence(
      'anomaly',
      `{0} cell${n === 1 ? '' : 's'} did not complete and ${n === 1 ? 'is' : 'are'} excluded from every figure: ${ids.join(', ')}.`,
      [{ pointer: '/totals/cellsFailed', value: n, text: fmtInt(n) }],
    ),
    TIER.failedCells,
  );
}

/** Does the paired 95% interval of the TPS ratio exclude 1 (no change)? */
export function supported(r: Row): boolean {
  const ci = r.vsBaseline?.tpsRatioCi95;
  return ci !== undefined && (ci.low > 1 || ci.high < 1);
}

/**
 * TPS against the baseline, one candidate per config and workload: a comparison whose paired 95%
 * interval excludes 1 (the concurrency with the largest effect), or, in a run of one rep where no
 * interval exists, the single measurement at the highest concurrency, said as such. Groups with reps whose interval includes 1 are not
 * headlines: the data does not tell them from no change.
 */
export function comparisonRule(c: RuleContext): Candidate[] {
  const best = new Map<string, { r: Row; single: boolean; effect: number }>();
  for (const r of c.completed) {
    const v = r.vsBaseline;
    if (r.isBaseline || !v || !(v.tpsRatio > 0)) continue;
    const b = c.baseRow(r);
    // Both served the offered rate (pgbench -R): their TPS is the schedule's, not a difference.
    if (r.load?.met && b?.load?.met) continue;
    // One side ran under perf record (profile: true): its TPS carries the recording's overhead.
    if (r.profiled !== b?.profiled) continue;
    // pgbench aborted clients of one side: its TPS is the clients left's, for part of the cell.
    if (!tpsOfAllClients(r) || !tpsOfAllClients(b)) continue;
    const single = v.tpsRatioCi95 === undefined && r.repsCompleted === 1 && b?.repsCompleted === 1;
    if (!supported(r) && !single) continue;
    const effect = Math.abs(Math.log(v.tpsRatio));
    const key = `${r.config}@${r.workload}`;
    const prev = best.get(key);
    // Supported beats single-rep. Among supported, the largest effect; among single measurements,
    // whose differences may be noise, the highest concurrency: where a pooler matters most.
    const better =
      !prev ||
      (prev.single && !single) ||
      (prev.single === single && (single ? r.concurrency > prev.r.concurrency : effect > prev.effect));
    if (better) best.set(key, { r, single, effect });
  }
  return [...best.values()].flatMap(({ r, single, effect }) => {
    const b = c.baseRow(r) as Row;
    const a = c.R(r);
    const bb = c.R(b);
    const slower = (r.vsBaseline?.tpsRatio ?? 1) < 1;
    const what = r.reconnect ? `${subject(r)} (a new connection per transaction)` : subject(r);
    const detail = r.reconnect
      ? r.connectionMs && b.connectionMs
        ? { text: '; connecting took {@0} ms vs {@1} ms', nums: [a.conn(), bb.conn()] }
        : undefined
      : r.latency && b.latency && latencySpeaks(r) && latencySpeaks(b)
        ? { text: '; p99 {@0} ms vs {@1} ms', nums: [a.p99(), bb.p99()] }
        : undefined;
    const head = `Through ${r.config}, ${what} at ${clients(0)} ran {1} times the TPS of ${b.config}`;
    const nums = [a.clients(), a.ratio()];
    let text: string;
    if (single) {
      text = `${head} ({2} vs {3} tps@detail), from one rep: no confidence interval.`;
      nums.push(a.tps(), bb.tps());
    } else {
      text = `${head} (95% CI {2} to {3} over {4} paired reps; {5} vs {6} tps@detail).`;
      nums.push(a.ciLow(), a.ciHigh(), a.pairs(), a.tps(), bb.tps());
    }
    const k = nums.length;
    text = text.replace(
      '@detail',
      detail ? detail.text.replace('{@0}', `{${k}}`).replace('{@1}', `{${k + 1}}`) : '',
    );
    return candidate(
      sentence(slower ? 'overhead' : 'pooling-gain', text, [...nums, ...(detail?.nums ?? [])]),
      single ? TIER.singleRepComparison : TIER.comparison,
      effect,
    );
  });
}

/** When reps exist but no comparison is supported, say so rather than headline a ratio. */
export function noneSupportedRule(c: RuleContext): Candidate[] {
  const withCi = c.completed.filter(
    (r) => r.vsBaseline?.tpsRatioCi95 !== undefined && tpsOfAllClients(r) && tpsOfAllClients(c.baseRow(r)),
  );
  if (withCi.length === 0 || withCi.some(supported)) return [];
  const base = withCi[0]?.vsBaseline?.config ?? 'the baseline';
  return candidate(
    {
      kind: 'anomaly',
      text: `No TPS difference from ${base} is supported by the data: every paired 95% confidence interval of the ratio includes no change (more reps or longer cells would narrow them).`,
      numbers: [],
    },
    TIER.noneSupported,
  );
}

/** Failed transactions: one sentence, naming the group with the most. */
export function failedTransactionsRule(c: RuleContext): Candidate[] {
  const groups = c.rows.filter((r) => r.failedTransactions > 0);
  const worst = [...groups].sort((x, y) => y.failedTransactions - x.failedTransactions)[0];
  if (!worst) return [];
  const others = groups.length > 1 ? ' (the most of any group; the warnings list the others)' : '';
  return candidate(
    sentence('anomaly', `${worst.config} had {0} failed transactions on ${where(worst)}${others}.`, [
      c.R(worst).failedTx(),
    ]),
    TIER.failedTransactions,
    worst.failedTransactions,
  );
}

/** Where a config stops scaling: the lowest concurrency beyond which no level gains 10% more TPS. */
export function saturationRule(c: RuleContext): Candidate[] {
  const series = new Map<string, Row[]>();
  // A series with a noisy group cannot show where scaling stops: its differences are noise.
  for (const r of c.completed) {
    // A rate-limited workload's TPS is capped by its offered rate, not by the config: a flat line
    // there says nothing about scaling.
    if (r.load !== undefined) continue;
    // A TPS of the clients a pgbench abort left says nothing about scaling.
    if (!tpsOfAllClients(r)) continue;
    // A mix's groups each scale on their own; a group is never a higher concurrency of its total.
    const k = `${r.config}@${r.workload}#${r.group ?? ''}`;
    series.set(k, [...(series.get(k) ?? []), r]);
  }
  for (const [k, rs] of series) if (rs.some((r) => r.tps.n >= 2 && r.tps.cv > c.cv)) series.delete(k);
  const out: Candidate[] = [];
  for (const s of series.values()) {
    const sorted = [...s].sort((a, b) => a.concurrency - b.concurrency).filter((r) => r.tps.mean > 0);
    for (let i = 0; i < sorted.length - 1; i++) {
      const at = sorted[i] as Row;
      const best = sorted.slice(i + 1).reduce((m, r) => (r.tps.mean > m.tps.mean ? r : m));
      if (best.tps.mean >= at.tps.mean * (1 + SCALING_GAIN)) continue;
      const a = c.R(at);
      const x = c.R(best);
      const peak = best.tps.mean > at.tps.mean;
      out.push(
        ...candidate(
          sentence(
            'saturation',
            peak
              ? `${at.config} stops scaling on ${subject(at)} at {0} clients: {1} tps there, at most {2} tps (at {3} clients) beyond.`
              : `${at.config} stops scaling on ${subject(at)} at {0} clients: {1} tps there, and no more with more clients (at most {2} tps, at {3} clients).`,
            [a.clients(), a.tps(), x.tps(), x.clients()],
          ),
          TIER.saturation,
          // The earlier a config saturates (fewer clients of the matrix), the more it matters.
          -at.concurrency,
        ),
      );
      break;
    }
  }
  return out;
}

/**
 * The noise, in one sentence: how many groups vary more than the CV threshold, naming the worst.
 * A TL;DR of a noisy run that lists every noisy group says nothing else.
 */
export function noiseRule(c: RuleContext): Candidate[] {
  // The rows the tables show (totals.groups): a `tenant: each` template once, not each copy.
  const shown = reportRows(c.rows);
  const noisy = shown.filter((r) => r.tps.n >= 2 && r.tps.cv > c.cv);
  // The worst group whose TPS is of all its clients; a group with aborted clients only if none is.
  const worst = [...noisy].sort(
    (x, y) => Number(tpsOfAllClients(y)) - Number(tpsOfAllClients(x)) || y.tps.cv - x.tps.cv,
  )[0];
  if (!worst) return [];
  const aborted = tpsOfAllClients(worst)
    ? ''
    : (worst.abortedClients ?? 0) > 0
      ? ' (pgbench aborted {4} clients of its cells: a TPS of the clients left)'
      : ' (pgbench aborted some of its reps: a TPS of the clients left)';
  const a = c.R(worst);
  // In a run with a mix, a "group" is a client group: the rows are said as rows there.
  const unit = shown.some((r) => r.group !== undefined) ? 'rows (each client group of a mix one)' : 'groups';
  const count = { pointer: '/totals/groupsNoisy', value: noisy.length, text: fmtInt(noisy.length) };
  const of = { pointer: '/totals/groups', value: shown.length, text: fmtInt(shown.length) };
  const threshold = {
    pointer: '/thresholds/cv',
    value: c.cv,
    text: `${Math.round(c.cv * 1000) / 10}%`,
    scale: 100,
  };
  return candidate(
    sentence(
      'noise',
      `Noise: the TPS of {0} of {1} ${unit} varied by more than {2} (CV) over reps, the most ${worst.config} on ${where(worst)} with {3}${aborted}; differences smaller than that are noise there.`,
      [count, of, threshold, a.cv(), ...(aborted.includes('{4}') ? [a.aborted()] : [])],
    ),
    TIER.noise,
  );
}

/**
 * Groups whose cells had clients aborted (a scheduled event cut their connections): one sentence,
 * the group with the most, so a reader knows why their TPS is in no comparison.
 */
export function abortedTpsRule(c: RuleContext): Candidate[] {
  const groups = c.rows.filter((r) => !tpsOfAllClients(r) && r.repsCompleted > 0);
  const worst = [...groups].sort((x, y) => (y.abortedClients ?? 0) - (x.abortedClients ?? 0))[0];
  if (!worst || (worst.abortedClients ?? 0) === 0) return [];
  const others = groups.length > 1 ? `, the most of the ${groups.length} groups with aborted clients` : '';
  return candidate(
    sentence(
      'anomaly',
      `pgbench aborted {0} clients of ${worst.config} on ${where(worst)} over {1} reps${others}: the TPS of such a group is what the clients left completed, over part of the cell, and no TPS comparison quotes it.`,
      [c.R(worst).aborted(), c.R(worst).reps()],
    ),
    TIER.noneSupported,
    worst.abortedClients ?? 0,
  );
}
