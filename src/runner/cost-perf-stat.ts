/*
 * Parser for `perf stat -x, -o FILE -e raw_syscalls:sys_enter,context-switches,task-clock,page-faults`
 * (linux-perf 6.1), checked against recorded files in test/fixtures/cost/perf.
 *
 * With -x, each counter is one CSV line: value, unit, event, run time (ns), percentage running,
 * then an optional metric and its unit. task-clock's value is in msec (unit column "msec"). A
 * counter the kernel cannot provide has the value `<not supported>` (or `<not counted>`); lines
 * starting with `#` and blank lines are perf's header.
 */

import { PERF_EVENTS, type PerfCounts } from '../stack/count-wrap.js';

export type PerfParse = { ok: true; counts: PerfCounts } | { ok: false; error: string };

/** Parses perf stat's CSV output; an event missing or not counted is an error naming it. */
export function parsePerfStat(text: string): PerfParse {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(',');
    const [value, , event] = cols;
    if (value === undefined || event === undefined) continue;
    values.set(event, value);
  }
  const counts: Partial<PerfCounts> = {};
  const problems: string[] = [];
  for (const [event, field] of PERF_EVENTS) {
    const v = values.get(event);
    const n = v === undefined ? Number.NaN : Number(v);
    if (Number.isFinite(n)) counts[field] = n;
    else problems.push(v === undefined ? `${event}: missing` : `${event}: ${v}`);
  }
  if (problems.length > 0) return { ok: false, error: `perf stat did not count ${problems.join('; ')}` };
  return { ok: true, counts: counts as PerfCounts };
}
