import { notComparable } from './comparable.js';
import { type PairedRatio, pairKey, type Row } from './row.js';
import { pairedTTest } from './stats.js';

/** exp of the paired t-interval of ln(a/b) over reps both have (positive values only); undefined under 2 pairs. */
export function pairedLogRatio(
  a: readonly { rep: number; v: number | undefined }[],
  b: readonly { rep: number; v: number | undefined }[],
): PairedRatio | undefined {
  const base = new Map(b.flatMap((s) => (s.v !== undefined && s.v > 0 ? [[s.rep, s.v] as const] : [])));
  const d = a.flatMap((s) => {
    const bv = base.get(s.rep);
    return s.v !== undefined && s.v > 0 && bv !== undefined ? [Math.log(s.v / bv)] : [];
  });
  if (d.length < 2) return undefined;
  const t = pairedTTest(d);
  return { estimate: Math.exp(t.estimate), low: Math.exp(t.low), high: Math.exp(t.high), pairs: d.length };
}

const p99s = (r: Row) => r.samples.map((s) => ({ rep: s.rep, v: s.p99Ms }));
const tpss = (r: Row) => r.samples.map((s) => ({ rep: s.rep, v: s.tps }));
const cellKey = (r: Row) => `${r.config}\u0000${r.workload}\u0000${r.concurrency}`;

/** The alone workload of group row r: same config and concurrency, its groups a strict subset holding r's group. */
function aloneRow(r: Row, rows: readonly Row[], groups: Map<string, Set<string>>): Row | undefined {
  const mine = groups.get(cellKey(r)) ?? new Set();
  let best: Row | undefined;
  for (const q of rows) {
    if (q.group !== r.group || q.config !== r.config || q.concurrency !== r.concurrency) continue;
    const theirs = groups.get(cellKey(q)) ?? new Set();
    if (theirs.size >= mine.size || ![...theirs].every((g) => mine.has(g))) continue;
    if (!best || theirs.size > (groups.get(cellKey(best))?.size ?? 0)) best = q;
  }
  return best;
}

/** The mix's total row (all its groups) of group row r: same config, workload and concurrency. */
const totalOf = (r: Row, rows: readonly Row[]) =>
  rows.find(
    (t) =>
      t.group === undefined &&
      t.config === r.config &&
      t.workload === r.workload &&
      t.concurrency === r.concurrency,
  );

/**
 * Why group row b under another config is no peer of r, or undefined when it is: the groups
 * themselves ran different clients or rates, or their mixes did (a `tenant: each` neighbour with
 * fewer copies under one config, docs/tenants.md): the p99 ratio would credit the topology for a
 * smaller neighbour.
 */
function peerNotComparable(r: Row, b: Row, rows: readonly Row[]): string | undefined {
  const own = notComparable(r, b);
  if (own) return own;
  const [tr, tb] = [totalOf(r, rows), totalOf(b, rows)];
  const mix = tr && tb ? notComparable(tr, tb) : undefined;
  return mix ? `the mixes ran ${mix}` : undefined;
}

/** Attaches `alone` to every group row that has an alone workload (pure over the rows; mutates them). */
export function attachAlone(rows: Row[], baseline: string | undefined): void {
  const groups = new Map<string, Set<string>>();
  for (const r of rows)
    if (r.group !== undefined) groups.set(cellKey(r), (groups.get(cellKey(r)) ?? new Set()).add(r.group));
  for (const r of rows) {
    if (r.group === undefined) continue;
    const q = aloneRow(r, rows, groups);
    if (!q) continue;
    const theirs = groups.get(cellKey(q)) ?? new Set();
    // The same group of the same mix under the other configs: a group pairs with that group only.
    const same = rows.filter((b) => b.config !== r.config && pairKey(b) === pairKey(r));
    const excluded = same.flatMap((b) => {
      const reason = peerNotComparable(r, b, rows);
      return reason
        ? [{ config: b.config, reason, ...(b.config === baseline ? { isBaseline: true as const } : {}) }]
        : [];
    });
    const peers = same.filter((b) => !excluded.some((x) => x.config === b.config));
    const base = peers.find((b) => b.config === baseline);
    const p99Ratio = pairedLogRatio(p99s(r), p99s(q));
    const tpsRatio = pairedLogRatio(tpss(r), tpss(q));
    const vsBase = base ? pairedLogRatio(p99s(r), p99s(base)) : undefined;
    const vsOthers = peers.flatMap((b) => {
      const v = b === base ? undefined : pairedLogRatio(p99s(r), p99s(b));
      return v ? [{ ...v, config: b.config }] : [];
    });
    r.alone = {
      workload: q.workload,
      without: [...(groups.get(cellKey(r)) ?? [])].filter((g) => !theirs.has(g)),
      rowIndex: rows.indexOf(q),
      ...(p99Ratio ? { p99Ratio } : {}),
      ...(tpsRatio ? { tpsRatio } : {}),
      ...(vsBase && base ? { p99VsBaseline: { ...vsBase, config: base.config } } : {}),
      ...(vsOthers.length > 0 ? { p99VsOthers: vsOthers } : {}),
      ...(excluded.length > 0 ? { notComparable: excluded } : {}),
    };
  }
}
