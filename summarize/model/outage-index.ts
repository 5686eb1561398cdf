import type { EventRecord } from '../../src/results/types.js';
import { obj } from './json-guards.js';

/**
 * Which entry of run.json's effective `events:` a cell's event record is, so a gate on
 * `events[i]` finds it: a record that carries its index says it; otherwise the matrix's events of
 * the cell's config with the record's target, told apart by their planned `at` (ms), else by
 * their order in time (the runner records a config's events in that order). Pure.
 */
export function matrixIndexer(
  effectiveEvents: unknown,
  config: string,
  records: readonly EventRecord[],
): (e: EventRecord, i: number) => number | undefined {
  const list = (Array.isArray(effectiveEvents) ? effectiveEvents : []).map((raw, index) => {
    const o = obj(raw) ?? {};
    // `at` is { ms } or { fraction } (src/matrix/events.ts), a plain number in older runs.
    const at = typeof o.at === 'number' ? o.at : obj(o.at)?.ms;
    return { index, target: typeof o.target === 'string' ? o.target : '', at };
  });
  const ofConfig = list.filter((x) => x.target.split('/')[0] === config);
  return (e, i) => {
    if (typeof e.index === 'number') return e.index;
    const same = ofConfig.filter((x) => x.target === e.target);
    if (same.length === 1) return same[0]?.index;
    const byAt = same.filter((x) => x.at === e.atMs);
    if (byAt.length === 1) return byAt[0]?.index;
    // As many records as the config has events: the k-th record (in time order) is the k-th event.
    if (records.length !== ofConfig.length) return undefined;
    const order = [...records.keys()].sort((a, b) => (records[a]?.atMs ?? 0) - (records[b]?.atMs ?? 0));
    return ofConfig[order.indexOf(i)]?.index;
  };
}
