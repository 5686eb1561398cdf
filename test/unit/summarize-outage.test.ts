import { describe, expect, it } from 'vitest';
import { buildTimeline, TIMELINE_BIN_MS } from '../../src/pgbench/timeline.js';
import type { CellRecord, EventRecord } from '../../src/results/types.js';
import { outageFigure } from '../../summarize/figures/outage/figure.js';
import { outageTable } from '../../summarize/figures/outage/table.js';
import { cellOutages, unsentEvents } from '../../summarize/model/outage.js';
import { reporters } from '../../summarize/reporters/index.js';
import { pipeTable } from '../../summarize/reporters/tables/markdown-table.js';

const T0 = 1_700_000_000_000;

/** A timeline from completions [ms after T0, latency ms] and failures (ms after T0). */
function timeline(done: [number, number][], failed: number[] = []) {
  const perMs = new Map<number, number>();
  const maxUs = new Map<number, number>();
  for (const [ms, lat] of done) {
    perMs.set(T0 + ms, (perMs.get(T0 + ms) ?? 0) + 1);
    const bin = Math.floor((T0 + ms) / TIMELINE_BIN_MS);
    maxUs.set(bin, Math.max(maxUs.get(bin) ?? 0, lat * 1000));
  }
  return buildTimeline(
    [...perMs],
    maxUs,
    failed.map((f) => T0 + f),
  );
}

/** One completion every `every` ms over [from, to), latency `lat` ms. */
function steady(from: number, to: number, every = 1, lat = 2): [number, number][] {
  const out: [number, number][] = [];
  for (let t = from; t < to; t += every) out.push([t, lat]);
  return out;
}

function cell(events: Partial<EventRecord>[], extra: Partial<CellRecord> = {}): CellRecord {
  return {
    schema: 1,
    id: 'c1',
    index: 0,
    config: 'pgb',
    workload: 'tpcb',
    concurrency: 8,
    rep: 1,
    threads: 2,
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + 10_000).toISOString(),
    argv: [],
    prepared: [],
    warnings: [],
    connectionErrors: 0,
    state: 'completed',
    exitCode: 0,
    events: events.map((e) => ({ target: 'pgb/pgbouncer', signal: 'SIGINT', atMs: 0, pids: [], ...e })),
    ...extra,
  } as CellRecord;
}

const at = (ms: number) => ({ firedAt: T0 + ms, offsetMs: ms });
const run = (c: CellRecord, t: ReturnType<typeof timeline> | undefined, endMs = 10_000) =>
  cellOutages({ cell: c, ...(t ? { timeline: t } : {}), startMs: T0, endMs: T0 + endMs });

describe('the outage around an event, from the ms timeline', () => {
  it('measures a gap, where it began, and when TPS was back within 10 %', () => {
    const t = timeline([...steady(0, 4000), ...steady(4600, 10_000)]);
    const [o, ...rest] = run(cell([at(4000)]), t);
    expect(rest).toHaveLength(0);
    expect(o?.gapMs).toBe(601); // last completion at 3999, next at 4600
    expect(o?.gapStartMs).toBe(-1);
    expect(o?.gapOpen).toBeUndefined();
    expect(o?.recovery.tpsBefore).toBeCloseTo(1000, 0);
    expect(o?.recovery.state).toBe('back');
    // Windows from 4000 in 250 ms steps: [4500, 5500) holds 900 of 1000 but starts inside the gap
    // (which ended at 4600); [4750, 5750) is the first that starts after it.
    expect(o?.recovery.backMs).toBe(750);
    expect(o?.recovery.tpsLowest).toBe(400);
    expect(o?.failed).toBe(0);
    expect(o?.firstFailureMs).toBeUndefined();
    expect(o?.verdict).toBe(
      'no client error (none failed, aborted or lost a connection); clients waited up to "longest wait"; a gap with no completed transaction ("longest gap"); TPS back to 90 % of before (after the time in "TPS back")',
    );
    // The verdict carries no measured number of its own (each is in a column with its pointer),
    // only the method's constants.
    expect(o?.verdict.replace(/90 %|1 s/g, '')).not.toMatch(/\d/);
  });

  it('says TPS never came back when clients were lost, and times the first abort', () => {
    const t = timeline([...steady(0, 5000), ...steady(5000, 10_000, 2)]);
    const c = cell([at(5000)], {
      abortedAt: [T0 + 5010, T0 + 5011, T0 + 5020, T0 + 5030],
      abortedClients: 4,
    });
    const [o] = run(c, t);
    expect(o?.aborted).toBe(4);
    expect(o?.clientsLeft).toBe(4);
    expect(o?.firstFailureMs).toBe(10);
    expect(o?.firstFailure).toBe('aborted client');
    expect(o?.recovery.state).toBe('not-back');
    expect(o?.tpsAfter).toBeCloseTo(500, 0);
    expect(o?.verdict).toMatch(
      /^seen by clients: clients aborted, lost for the rest of the cell; .*TPS not back to 90 % of before by the end of the cell$/,
    );
  });

  it('cannot judge an event the cell ended 0.4 s after', () => {
    const t = timeline(steady(0, 10_000));
    const [o] = run(cell([at(9600)]), t);
    expect(o?.recovery.state).toBe('not-measurable');
    expect(o?.recovery.why).toBe('the cell ended 0.4 s after the event');
    expect(o?.verdict).toBe('not measurable: the cell ended less than 1 s after the event');
  });

  it('splits a cell with two events: a PAUSE whose wait is latency, and its RESUME', () => {
    // Nothing completes from 3000 to 5000; the held transactions complete at 5005 with ~2 s latency.
    const held: [number, number][] = Array.from({ length: 8 }, () => [5005, 2004]);
    const t = timeline([...steady(0, 3000), ...held, ...steady(5006, 10_000)]);
    const c = cell([
      { ...at(3000), signal: 'PAUSE', kind: 'admin', action: 'PAUSE' } as Partial<EventRecord>,
      { ...at(5000), signal: 'RESUME', kind: 'admin', action: 'RESUME' } as Partial<EventRecord>,
    ]);
    const [pause, resume] = run(c, t);
    expect(pause?.label).toBe('PAUSE pgb/pgbouncer');
    expect(pause?.kind).toBe('admin');
    expect(pause?.windowMs).toBe(2000);
    expect(pause?.gapMs).toBe(2006);
    expect(pause?.maxLatencyMs).toBe(2004);
    expect(pause?.maxLatencyBeforeMs).toBe(2);
    expect(pause?.recovery).toMatchObject({ state: 'back' });
    expect(pause?.verdict).toBe(
      'no client error (none failed, aborted or lost a connection); clients waited up to "longest wait", over twice the longest before; a gap with no completed transaction ("longest gap"); TPS back to 90 % of before (after the time in "TPS back")',
    );
    // Back only in a window starting after the gap ended (5006): the one at 5250.
    expect(pause?.recovery.backMs).toBe(2250);
    // The RESUME's seconds before are the pause: no baseline.
    expect(resume?.eventIndex).toBe(1);
    expect(resume?.recovery.state).toBe('not-measurable');
    expect(resume?.recovery.why).toBe('no transaction completed in the seconds before');
    expect(resume?.gapMs).toBe(2006);
    // Transactions in flight at the PAUSE complete just after it: the RESUME's baseline is still the pause.
    const t2 = timeline([...steady(0, 3000), [3002, 3], [3004, 3], ...held, ...steady(5006, 10_000)]);
    const [, resume2] = run(c, t2);
    expect(resume2?.recovery.state).toBe('not-measurable');
    expect(resume2?.recovery.why).toBe(
      "no transaction completed for 2.0 s of the 2.0 s before it (the previous event's outage)",
    );
  });

  it('counts failed transactions in the window and times the first one', () => {
    const t = timeline(steady(0, 10_000), [4100, 4150, 9000]);
    const [o, second] = run(cell([at(4000), at(8000)]), t);
    expect(o?.failed).toBe(2);
    expect(o?.firstFailureMs).toBe(100);
    expect(o?.firstFailure).toBe('failed transaction');
    expect(second?.failed).toBe(1);
    expect(o?.verdict).toMatch(
      /^seen by clients: transactions failed; clients waited up to "longest wait"; no gap without a completed transaction; TPS never below/,
    );
  });

  it('says so when every client aborted: the gap runs to the end of the cell', () => {
    const t = timeline(steady(0, 6000));
    const aborted = Array.from({ length: 8 }, (_, i) => T0 + 6000 + i);
    const [o] = run(cell([at(6000)], { abortedAt: aborted, abortedClients: 8 }), t);
    expect(o?.gapOpen).toBe(true);
    expect(o?.gapMs).toBe(4001);
    expect(o?.clientsLeft).toBe(0);
    expect(o?.verdict).toMatch(
      /every client aborted \(pgbench does not reconnect them\).*nothing completed for the rest of the cell; TPS not back/,
    );
  });

  it('says what it cannot measure without a timeline, and counts connection errors from stderr', () => {
    const c = cell([at(2000)], {
      stderrEvents: [
        { at: T0 + 2100, process: 0, kind: 'connection-error' },
        { at: T0 + 2100, process: 0, kind: 'aborted', client: 1, connecting: true },
        { at: T0 + 1000, process: 0, kind: 'connection-error' },
      ],
      abortedAt: [T0 + 2100],
    });
    const [o] = run(c, undefined);
    expect(o?.timeline).toBe(false);
    expect(o?.connectionErrors).toBe(1);
    expect(o?.aborted).toBe(1);
    expect(o?.verdict).toMatch(/^not measurable: the cell has no ms timeline/);
  });

  it('does not judge an event the next one followed within 1 s (two events a few ms apart)', () => {
    const t = timeline([...steady(0, 4000), ...steady(4600, 10_000)]);
    const [first, second] = run(cell([at(4000), at(4004)]), t);
    expect(first?.windowMs).toBe(4);
    expect(first?.verdict).toMatch(/^not measurable: the next event came less than 1 s after it/);
    expect(second?.verdict).toMatch(/^no client error/);
  });

  it('says there is no time axis rather than measure against a cell that ends where it starts', () => {
    const t = timeline(steady(0, 10_000));
    const [o] = cellOutages({ cell: cell([at(3000)]), timeline: t, startMs: T0, endMs: undefined });
    expect(o?.timeline).toBe(false);
    expect(o?.recovery.why).toMatch(/^no time axis/);
    expect(o?.verdict).toMatch(/^not measurable: no time axis/);
    expect(o?.verdict).not.toMatch(/-\d/);
  });

  it('lists the events never sent, for the gates', () => {
    const c = cell([at(1000), { atMs: 9000, index: 1, error: 'not sent: pgbench ended first' }]);
    expect(unsentEvents(c)).toEqual([
      expect.objectContaining({ matrixIndex: 1, why: 'not sent: pgbench ended first', rep: 1 }),
    ]);
  });

  it('skips events that were not sent', () => {
    expect(run(cell([{ error: 'not sent: pgbench ended first' }]), timeline(steady(0, 1000)))).toEqual([]);
  });
});

describe('the outage figure', () => {
  const t = timeline([...steady(0, 4000), ...steady(4600, 10_000)], [4700]);
  const c = cell(
    [{ ...at(4000), index: 0, doneAt: T0 + 4035, steps: [{ name: 'primary stopped', at: T0 + 4012 }] }],
    {
      abortedAt: [T0 + 4010],
      stderrEvents: [{ at: T0 + 4010, process: 0, kind: 'aborted', client: 2 }],
    },
  );
  const outages = run(c, t);
  const options = { warnings: [], outages };
  const ctx = { rows: [], options };

  it('renders one row per event, every number pointing at summary.json', () => {
    const rows = outageFigure.rows(ctx);
    expect(outageFigure.applies(ctx)).toBe(true);
    const cols = outageTable.columns(rows, ctx);
    const md = pipeTable(cols, rows);
    expect(md).toContain(
      '| c1 | events[0] SIGINT pgb/pgbouncer | 4.00 | 35 | 10 | 601 | -1 | 1,000 | 400 | 0.75 | 1 | 1 | 7 | 0 | 2 | 2 | seen by clients: transactions failed, clients aborted, lost for the rest of the cell;',
    );
    expect(outages[0]?.steps).toEqual([{ name: 'primary stopped', ms: 12 }]);
    expect(outages[0]?.offsetS).toBe(4);
    const doc = JSON.parse(reporters.json([], options));
    for (const col of cols) {
      const p = col.pointer?.(rows[0] as (typeof rows)[number]);
      if (!p) continue;
      const v = p
        .split('/')
        .slice(1)
        .reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, doc) as unknown;
      expect(v, `${col.header} at ${p}`).toBe(col.value?.(rows[0] as (typeof rows)[number]));
    }
  });

  it('gives a TL;DR candidate whose numbers are in summary.json, and the method lines', () => {
    const rows = outageFigure.rows(ctx);
    const [cand] = outageFigure.tldr?.({ figure: ctx } as never, rows) ?? [];
    expect(cand?.sentence.text).toBe(
      'events[0] SIGINT pgb/pgbouncer (pgb, tpcb at 8 clients): no transaction completed for 601 ms, 1 failed, 1 of 8 clients aborted, 0 connection errors.',
    );
    expect(cand?.sentence.numbers.map((n) => n.pointer)).toEqual([
      '/outages/0/gapMs',
      '/outages/0/failed',
      '/outages/0/aborted',
      '/outages/0/connectionErrors',
    ]);
    expect(outageFigure.method?.(ctx, rows).join('\n')).toMatch(/--max-tries.*serialization and deadlock/);
    expect(outageFigure.applies({ rows: [], options: { warnings: [] } })).toBe(false);
  });
});

describe('the outage TL;DR with a gap that ran to the end of the cell', () => {
  const closed = timeline([...steady(0, 4000), ...steady(6000, 10_000)]);
  const open = timeline(steady(0, 4000));
  const c = (rep: number) => cell([{ ...at(4000), index: 0 }], { id: `c${rep}`, rep });
  it('says nothing completed for the rest of the cell, and that it ranked an open gap above closed ones', () => {
    const outages = [...run(c(1), closed), ...run(c(2), open, 5000)];
    expect(outages.map((o) => [o.gapMs, o.gapOpen])).toEqual([
      [2001, undefined],
      [1001, true],
    ]);
    const ctx = { rows: [], options: { warnings: [], outages } };
    const [cand, ...more] = outageFigure.tldr?.({ figure: ctx } as never, outageFigure.rows(ctx)) ?? [];
    expect(more).toHaveLength(0);
    expect(cand?.sentence.text).toBe(
      'events[0] SIGINT pgb/pgbouncer (pgb, tpcb at 8 clients): nothing completed for the rest of the cell (1,001 ms, to its planned end), no client error (0 failed, 0 aborted, 0 connection errors) (nothing completed after it in 1 of the 2 cells it fired in, ranked above the cells whose gap closed).',
    );
    expect(cand?.sentence.numbers[0]?.pointer).toBe('/outages/1/gapMs');
  });
});
