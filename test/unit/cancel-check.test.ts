import { describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { cancelCheckAdminConfig } from '../../src/runner/cancel-check.js';
import { CANCEL_CHECK, judgeProbe, tallyProbes } from '../../src/runner/cancel-outcome.js';
import { PG_ACTIVITY_SQL } from '../../src/sampling/pg-activity.js';
import { SAMPLER_APPLICATION_NAME } from '../../src/sampling/pg-conn.js';
import { cancelCheckFigure } from '../../summarize/figures/cancel-check/figure.js';
import type { FigureContext } from '../../summarize/figures/figure.js';
import { proportionInterval } from '../../summarize/model/binomial.js';
import { cancelRows } from '../../summarize/model/cancel-check.js';
import { reporters } from '../../summarize/reporters/index.js';
import type { NumberRef } from '../../summarize/tldr/number-ref.js';

/** Resolves an RFC 6901 JSON pointer. */
function resolve(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

/** The printed text, read back as a number, matches the value to the precision printed. */
function expectTextMatches(n: NumberRef) {
  const digits = n.text.replace(/[,%]/g, '');
  const decimals = digits.includes('.') ? (digits.split('.')[1]?.length ?? 0) : 0;
  expect(Math.abs(Number(digits) - n.value * (n.scale ?? 1)), n.text).toBeLessThanOrEqual(
    0.5 * 10 ** -decimals + 1e-9,
  );
}

const SENT = 1_000_000;
const check = { promptMs: 1000, sleepS: 5 };

describe('a probe, judged', () => {
  const cancelled = (ms: number) => ({ code: '57014', message: 'canceling statement', at: SENT + ms });

  it('lands only when the statement was cancelled within the prompt of the request', () => {
    expect(judgeProbe(cancelled(40), SENT, 1000)).toEqual({ kind: 'landed', ms: 40 });
    expect(judgeProbe(cancelled(1000), SENT, 1000)).toEqual({ kind: 'landed', ms: 1000 });
    // The request took 1.5 s to be closed: the cancel came, but late. A miss, not a landing.
    expect(judgeProbe(cancelled(1500), SENT, 1000)).toEqual({ kind: 'missed' });
    expect(judgeProbe(undefined, SENT, 1000)).toEqual({ kind: 'missed' });
  });

  it('counts a sent cancel whose result it cannot know as unknown, never as failed', () => {
    expect(judgeProbe(undefined, SENT, 1000, 'not closed within 2000 ms')).toEqual({
      kind: 'unknown',
      error: 'not closed within 2000 ms',
    });
    expect(judgeProbe({ code: '08P01', message: 'server closed', at: SENT + 5 }, SENT, 1000)).toEqual({
      kind: 'unknown',
      error: 'after the cancel request: server closed',
    });
    // The statement shows the cancel landed in time, whatever became of the request's connection.
    expect(judgeProbe(cancelled(30), SENT, 1000, 'ECONNRESET')).toEqual({ kind: 'landed', ms: 30 });
  });
});

describe('the probes of a cell, tallied', () => {
  it('counts landed, missed, unknown and failed, with the landed latencies and what it ran', () => {
    const r = tallyProbes(
      [
        { kind: 'landed', ms: 30 },
        { kind: 'missed' },
        { kind: 'landed', ms: 10 },
        { kind: 'failed', error: 'boom' },
        { kind: 'unknown', error: 'timed out' },
        { kind: 'failed', error: 'boom' },
        { kind: 'landed', ms: 90 },
      ],
      check,
    );
    expect(r).toEqual({
      probes: 7,
      landed: 3,
      missed: 1,
      unknown: 1,
      failed: 2,
      promptMs: 1000,
      sleepS: 5,
      landedMs: { median: 30, max: 90 },
      errors: ['boom', 'timed out'],
    });
    expect(tallyProbes([], CANCEL_CHECK)).toEqual({
      probes: 0,
      landed: 0,
      missed: 0,
      unknown: 0,
      failed: 0,
      promptMs: CANCEL_CHECK.promptMs,
      sleepS: CANCEL_CHECK.sleepS,
    });
  });
});

describe("the check's own connection", () => {
  it('is named like the samplers, whose pg_stat_activity query leaves it out (not a foreign backend)', () => {
    const name = cancelCheckAdminConfig({
      host: '127.0.0.1',
      port: 5432,
      user: 'bench',
      password: '',
      database: 'bench',
    }).application_name;
    expect(name).toBe(SAMPLER_APPLICATION_NAME);
    expect(PG_ACTIVITY_SQL).toContain(`coalesce(application_name, '') <> '${name}'`);
  });
});

describe('proportion interval (Clopper-Pearson)', () => {
  it('gives the exact 95 % bounds', () => {
    const i = proportionInterval(21, 40);
    expect(i.low).toBeCloseTo(0.3613, 4);
    expect(i.high).toBeCloseTo(0.6849, 4);
    expect(proportionInterval(0, 20)).toEqual({ low: 0, high: expect.closeTo(1 - 0.025 ** (1 / 20), 9) });
    expect(proportionInterval(10, 10).high).toBe(1);
  });
});

const cell = (
  config: string,
  k: Partial<NonNullable<CellRecord['cancelCheck']>>,
  version: string,
  peered?: boolean,
) =>
  ({
    config,
    versions: { pgbouncer: version },
    ...(peered === undefined
      ? {}
      : { pgbouncerWorkers: { port: 1, listenSockets: 2, peered, workers: [{ worker: 1 }, { worker: 2 }] } }),
    cancelCheck: { probes: 0, landed: 0, missed: 0, failed: 0, promptMs: 1000, ...k },
  }) as unknown as CellRecord;

describe('the cancel rows of a run', () => {
  it('sums a config over its cells: unknown results count as sent, not landed; older records have none', () => {
    const rows = cancelRows([
      cell('w2', { probes: 5, landed: 2, missed: 3, landedMs: { median: 20, max: 40 } }, '1.18.0', false),
      cell('w1', { probes: 9, landed: 9, sleepS: 5, unknown: 0 }, '1.18.0'),
      cell(
        'w2',
        { probes: 5, landed: 1, missed: 2, unknown: 1, failed: 1, landedMs: { median: 20, max: 60 } },
        '1.18.0',
        false,
      ),
    ]);
    expect(
      rows.map((r) => [
        r.config,
        r.workers,
        r.peered,
        r.cells,
        r.sent,
        r.landed,
        r.missed,
        r.unknown,
        r.failed,
      ]),
    ).toEqual([
      ['w2', 2, false, 2, 9, 3, 5, 1, 1],
      ['w1', 1, undefined, 1, 9, 9, 0, 0, 0],
    ]);
    expect(rows[0]?.landedShare).toBeCloseTo(3 / 9);
    expect(rows[0]?.missedShare).toBeCloseTo(5 / 9);
    expect(rows[0]?.landedMaxMs).toBe(60);
    expect(rows[0]?.sleepS).toBeUndefined();
    expect(rows[1]?.sleepS).toBe(5);
  });
});

/** The run's summary.json and FINDINGS.md's cancel table, caption and notes, from cells. */
function report(cells: CellRecord[]) {
  const cancelChecks = cancelRows(cells);
  const options = { warnings: [], cancelChecks };
  const doc = JSON.parse(reporters.json([], options));
  const ctx = { rows: [], options } as FigureContext;
  const rows = cancelCheckFigure.rows(ctx);
  const table = cancelCheckFigure.tables[0];
  if (!table) throw new Error('no cancel table');
  return {
    doc,
    rows,
    columns: table.columns(rows, ctx),
    caption: table.caption?.(rows, ctx) ?? '',
    notes: table.notes?.(rows, ctx) ?? [],
  };
}

describe('the cancel table and its notes', () => {
  const w2 = (landed: number, missed: number, unknown = 0) =>
    cell('w2', { probes: landed + missed + unknown, landed, missed, unknown, sleepS: 5 }, '1.18.0', false);
  const w1 = (landed: number, missed = 0, version = '1.18.0') =>
    cell('w1', { probes: landed + missed, landed, missed, sleepS: 5 }, version);

  it('puts every number of the table and of the notes in summary.json, at its pointer', () => {
    const r = report([w2(19, 21, 2), w1(99), cell('dead', { probes: 4, failed: 4 }, '1.24.1', true)]);
    expect(r.doc.cancelChecks.rows).toHaveLength(3);
    let checked = 0;
    for (const col of r.columns)
      for (const row of r.rows) {
        const p = col.pointer?.(row);
        if (p === undefined) continue;
        expect(resolve(r.doc, p), `${col.header} ${p}`).toBe(col.value?.(row));
        checked++;
      }
    // 9 number columns of 3 rows, less the shares and latencies the rows do not have.
    expect(checked).toBe(23);
    const notes = r.doc.cancelChecks.notes as { text: string; numbers: NumberRef[] }[];
    expect(notes.map((n) => n.text)).toEqual(r.notes);
    expect(notes).toHaveLength(3);
    for (const n of notes)
      for (const ref of n.numbers) {
        expect(resolve(r.doc, ref.pointer), `${n.text} ${ref.pointer}`).toBe(ref.value);
        expectTextMatches(ref);
      }
    expect(r.notes[0]).toMatch(/^w2: 2 of 42 cancels sent have no known result/);
    expect(r.notes[2]).toBe(
      'dead: no cancel was sent (its 4 probes failed before sending one): nothing can be said.',
    );
  });

  it('blames the routing only when the one-process control is large enough, and states its counts', () => {
    expect(report([w2(19, 21), w1(99)]).notes).toEqual([
      "w2: 21 of 40 cancels sent missed their query (53%, 95 % interval 36.1%–68.5%): its 2 workers were not peered: a cancel the kernel gave to another worker than the client's was ignored (one process of the same version, w1, landed all 99: its miss rate is below 3.7%, this config's above 36.1%, 95 % intervals).",
    ]);
    // Three control cancels, all landed, bound nothing: the control is too small to tell.
    expect(report([w2(2, 3), w1(3)]).notes[0]).toMatch(
      /but the control is too small to tell that apart from other causes: one process of the same version \(w1\) landed all 3, which bounds its miss rate only below 70\.8% \(95 %\), not below this config's 14\.7%\.$/,
    );
    expect(report([w2(3, 5), w1(7, 2)]).notes[0]).toMatch(
      /one process of the same version \(w1\) missed 2 of 9 too: not only the routing\.$/,
    );
    expect(report([w2(3, 5), w1(9, 0, '1.24.1')]).notes[0]).toMatch(
      /the run has no one-process config of PgBouncer 1\.18\.0/,
    );
  });

  it('renders the caption from the recorded prompt and sleep', () => {
    const caption = report([w2(3, 5), cell('w1', { probes: 2, landed: 2, promptMs: 750 }, '1.18.0')]).caption;
    expect(caption).toContain('`SELECT pg_sleep(...)` of 5 s');
    expect(caption).toContain('within 1,000 ms or 750 ms of the request');
    expect(caption).not.toContain('within 1 s');
  });
});
