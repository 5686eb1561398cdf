import { fmtMs } from '../../model/format.js';
import type { Row } from '../../model/row.js';
import { type Candidate, TIER } from '../../tldr/candidate.js';
import { type NumberRef, sentence } from '../../tldr/refs.js';
import { fmtCount, fmtKiB, fmtMillicores } from './format.js';
import { type PoolsRow, slopeRows } from './rows.js';

const ref = (pointer: string, value: number, text: string, scale?: number): NumberRef => ({
  pointer,
  value,
  text,
  ...(scale === undefined ? {} : { scale }),
});

/**
 * The marginal PSS of a pool, one sentence per scope whose slope is stated (two pool counts or more,
 * far enough apart, positive: model/pool-slope.ts), and only over rows whose every cell completed.
 */
function marginalCandidates(rows: readonly PoolsRow[], completed: readonly Row[]): Candidate[] {
  return slopeRows(rows).flatMap(({ rowIndex, slopeIndex, slope: s }): Candidate[] => {
    const scopeRows = rows.filter(({ row }) => row.pools.slopes?.includes(s));
    if (s.pssBytesPerPool === undefined || !scopeRows.every(({ row }) => completed.includes(row))) return [];
    const at = (f: string) => `/rows/${rowIndex}/pools/slopes/${slopeIndex}/${f}`;
    const nums = [
      ref(at('pssBytesPerPool'), s.pssBytesPerPool, fmtKiB(s.pssBytesPerPool), 1 / 1024),
      ref(at('points'), s.points, String(s.points)),
      ref(at('poolsMin'), s.poolsMin, fmtCount(s.poolsMin)),
      ref(at('poolsMax'), s.poolsMax, fmtCount(s.poolsMax)),
    ];
    if (s.cpuCoresPerPool !== undefined)
      nums.push(ref(at('cpuCoresPerPool'), s.cpuCoresPerPool, fmtMillicores(s.cpuCoresPerPool), 1000));
    const who =
      s.scope === 'config' ? `PgBouncer (config ${s.name})` : `PgBouncer ${s.name} (${s.configs.join(', ')})`;
    const cpu = s.cpuCoresPerPool === undefined ? '' : ' and {4} millicores of CPU';
    const out = sentence(
      'pools',
      `Each additional pool cost ${who} {0} KiB of PSS${cpu} (marginal: slope over {1} cell rows from {2} to {3} pools, its fixed footprint excluded; it includes what came with each pool: its connections and their traffic).`,
      nums,
    );
    return out ? [{ sentence: out, tier: TIER.cost, effect: s.pssBytesPerPool }] : [];
  });
}

/**
 * The pool that had the most clients waiting for a server connection, over the rows whose every cell
 * completed and whose records name every pool that waited (model/pools.ts waitedComplete). None
 * when no pool had a client waiting.
 */
function waitingCandidate(rows: readonly PoolsRow[], completed: readonly Row[]): Candidate[] {
  const best = rows
    .filter(({ row }) => completed.includes(row) && row.pools.waitedComplete && row.pools.poolsWaited > 0)
    .map((p) => ({ ...p, top: p.row.pools.pools[0] }))
    // Which pool waited is news only among several pools, and only when a client waited measurably
    // (a login caught in cl_waiting at one tick, maxwait 0, is not a queue).
    .filter(
      (p) =>
        p.row.pools.poolsSeen > 1 &&
        p.top !== undefined &&
        p.top.clWaitingPeak > 0 &&
        p.top.maxwaitMsPeak > 0,
    )
    .sort((a, b) => (b.top?.clWaitingPeak ?? 0) - (a.top?.clWaitingPeak ?? 0))[0];
  const top = best?.top;
  if (!best || !top) return [];
  const at = (f: string) => `/rows/${best.rowIndex}/pools/${f}`;
  const r = best.row;
  const name = `pool ${top.database} / ${top.user}${top.group === undefined ? '' : ` (group ${top.group}'s own pool)`}`;
  const head = `In ${r.workload} at {0} clients through ${r.config}, ${name} had up to {1} clients waiting for a server connection (maxwait up to {2} ms)`;
  const one = r.pools.poolsWaited === 1;
  const nums = [
    ref(`/rows/${best.rowIndex}/concurrency`, r.concurrency, String(r.concurrency)),
    ref(at('pools/0/clWaitingPeak'), top.clWaitingPeak, fmtCount(top.clWaitingPeak)),
    ref(at('pools/0/maxwaitMsPeak'), top.maxwaitMsPeak, fmtMs(top.maxwaitMsPeak)),
    ...(one ? [] : [ref(at('poolsWaited'), r.pools.poolsWaited, fmtCount(r.pools.poolsWaited))]),
    ref(at('poolsSeen'), r.pools.poolsSeen, fmtCount(r.pools.poolsSeen)),
  ];
  const tail = one
    ? ': the only one of its {3} pools with a client waiting.'
    : '; {3} of its {4} pools had a client waiting.';
  const out = sentence('pools', head + tail, nums);
  return out ? [{ sentence: out, tier: TIER.backends, effect: top.clWaitingPeak }] : [];
}

/** The figure's TL;DR candidates: the marginal cost of a pool, and the pool that waited most. */
export function poolCandidates(rows: readonly PoolsRow[], completed: readonly Row[]): Candidate[] {
  return [...marginalCandidates(rows, completed), ...waitingCandidate(rows, completed)];
}
