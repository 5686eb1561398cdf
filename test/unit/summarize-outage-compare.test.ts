import { describe, expect, it } from 'vitest';
import { contrastRule, matrixQuestionRule } from '../../summarize/figures/clients/tldr.js';
import { outageCompareFigure } from '../../summarize/figures/outage-compare/figure.js';
import { compareTable, verdictNotes } from '../../summarize/figures/outage-compare/table.js';
import { rowNotes } from '../../summarize/figures/throughput/notes.js';
import { comparisonRule, noiseRule } from '../../summarize/figures/throughput/tldr.js';
import type { EventOutage } from '../../summarize/model/outage.js';
import { configStrategy, eventComparisons } from '../../summarize/model/outage-compare.js';
import type { RenderOptions } from '../../summarize/model/report-options.js';
import { DEFAULT_THRESHOLDS, type Row } from '../../summarize/model/row.js';
import { describe as stats } from '../../summarize/model/stats.js';
import { rowWarnings } from '../../summarize/model/warnings.js';
import { ruleContext } from '../../summarize/tldr/index.js';

/** One failover outage of `config` in `rep`, with `aborted` of 8 clients lost. */
function outage(
  config: string,
  strategy: string,
  rep: number,
  aborted: number,
  extra: Partial<EventOutage> = {},
) {
  const suffix = strategy === 'none' || strategy === 'direct' ? '' : ` + ${strategy}`;
  return {
    cellId: `${config}__paced__c8__r${rep}`,
    config,
    workload: 'paced',
    concurrency: 8,
    rep,
    eventIndex: 0,
    kind: 'failover',
    label: `promote (crash)${suffix} ${config}/postgres`,
    action: `promote (crash)${suffix}`,
    plannedAtMs: 2400,
    strategy,
    atS: 2.4,
    windowMs: 3600,
    timeline: true,
    gapMs: 1200,
    gapMinMs: 20,
    recovery: { beforeMs: 2000, state: 'not-back' },
    failed: 0,
    aborted,
    clientsLeft: 8 - aborted,
    connectionErrors: 0,
    completedAfter: 100 * (8 - aborted),
    verdict: 'seen by clients',
    ...extra,
  } as EventOutage;
}

/** Three configs over the reps, each config's aborted clients rep by rep. */
function run(lost: Record<string, number[]>): EventOutage[] {
  const strategy: Record<string, string> = { direct: 'direct', none: 'none', prr: 'pause-reload-resume' };
  const reps = Math.max(...Object.values(lost).map((l) => l.length));
  const out: EventOutage[] = [];
  for (let rep = 1; rep <= reps; rep++)
    for (const [config, l] of Object.entries(lost))
      if (l[rep - 1] !== undefined)
        out.push(outage(config, strategy[config] ?? config, rep, l[rep - 1] as number));
  return out;
}

const ctxOf = (outages: EventOutage[]) => ({
  rows: [],
  options: { warnings: [], outages } as RenderOptions,
});

const candidates = (outages: EventOutage[]) => {
  const ctx = ctxOf(outages);
  const tctx = { ...ruleContext([], {}), figure: ctx };
  return outageCompareFigure.tldr?.(tctx, outageCompareFigure.rows(ctx)) ?? [];
};

describe('the same event across configs', () => {
  it('names the config that lost fewer clients in every one of 3 paired reps, each number at its pointer', () => {
    const outages = run({ direct: [8, 8, 8], none: [8, 8, 8], prr: [5, 5, 2] });
    const [c] = eventComparisons(outages);
    expect(c?.action).toBe('promote (crash)');
    expect(c?.pairedReps).toEqual([1, 2, 3]);
    expect(c?.verdict).toEqual({ best: 'prr' });
    const [s] = candidates(outages);
    expect(s?.sentence.text).toContain('prr (pause-reload-resume) hid it best');
    expect(s?.sentence.text).toContain(
      '5, 5, 2 clients lost, rep by rep, against 8, 8, 8 for direct (direct)',
    );
    for (const n of s?.sentence.numbers ?? []) {
      const i = Number(n.pointer.split('/')[2]);
      expect(n.pointer).toMatch(/^\/outages\/\d+\/aborted$/);
      expect(outages[i]?.aborted).toBe(n.value);
    }
    const notes = verdictNotes(outageCompareFigure.rows(ctxOf(outages)));
    expect(notes[0]).toContain('**prr (pause-reload-resume) hid it best**');
  });

  it("every number of the table is the value at its pointer into summary.json's outages", () => {
    const outages = run({ direct: [8, 8, 8], prr: [5, 5, 2] });
    const ctx = ctxOf(outages);
    const rows = outageCompareFigure.rows(ctx);
    let checked = 0;
    for (const col of compareTable.columns(rows, ctx))
      for (const r of rows) {
        const ptr = col.pointer?.(r);
        if (ptr === undefined) continue;
        const [, , i, field] = ptr.split('/');
        expect((outages[Number(i)] as unknown as Record<string, unknown>)[field as string]).toBe(
          col.value?.(r),
        );
        checked++;
      }
    expect(checked).toBe(rows.length * 5);
  });

  it('a tie in one rep: no config named, the rep said', () => {
    const outages = run({ none: [8, 8, 8], prr: [5, 8, 2] });
    const [c] = eventComparisons(outages);
    expect(c?.verdict).toEqual({
      why: 'no config lost fewer clients than every other in every paired rep (in rep 2 prr lost 8 clients, none 8)',
    });
    expect(candidates(outages)).toEqual([]);
    expect(verdictNotes(outageCompareFigure.rows(ctxOf(outages)))[0]).toContain(
      'the data cannot tell the configs apart',
    );
  });

  it('every config lost all its clients: said as such', () => {
    const [c] = eventComparisons(run({ direct: [8, 8, 8], none: [8, 8, 8] }));
    const v = c?.verdict;
    expect(v && 'why' in v ? v.why : undefined).toMatch(/^every config lost as many clients/);
  });

  it('more failed transactions in a rep: not the best, though it lost fewer clients', () => {
    const outages = run({ none: [8, 8, 8], prr: [5, 5, 2] });
    (outages[5] as { failed: number }).failed = 3;
    expect(eventComparisons(outages)[0]?.verdict).toEqual({
      why: 'no config lost fewer clients than every other in every paired rep (in rep 3 prr had 3 failed transactions, none 0)',
    });
  });

  it('two paired reps: too few, whatever they say; a rep with a failed event is not paired', () => {
    expect(eventComparisons(run({ none: [8, 8], prr: [1, 1] }))[0]?.verdict).toEqual({
      why: 'only 2 paired reps (reps in which every config ran the event), fewer than the 3 needed',
    });
    const outages = run({ none: [8, 8, 8], prr: [1, 1, 1] });
    (outages[1] as { error?: string }).error = 'promote failed';
    const [c] = eventComparisons(outages);
    expect(c?.pairedReps).toEqual([2, 3]);
    expect(candidates(outages)).toEqual([]);
  });

  it('an event at another moment, or in one config only, is not compared', () => {
    const outages = [
      outage('none', 'none', 1, 8),
      outage('prr', 'pause-reload-resume', 1, 1, { plannedAtMs: 3000 }),
    ];
    expect(eventComparisons(outages)).toEqual([]);
    expect(outageCompareFigure.applies(ctxOf(outages))).toBe(false);
  });

  it('a config’s strategy: direct, its on_failover (none by default), else its kind', () => {
    expect(configStrategy({ name: 'd', kind: 'direct', standby: true })).toBe('direct');
    expect(configStrategy({ name: 'p', kind: 'pgbouncer', standby: true })).toBe('none');
    expect(configStrategy({ name: 'p', kind: 'pgbouncer', standby: true, on_failover: 'reload' })).toBe(
      'reload',
    );
    expect(configStrategy({ name: 'p', kind: 'pgbouncer' })).toBe('pgbouncer');
    expect(configStrategy(undefined)).toBeUndefined();
  });
});

function row(config: string, tps: number[], extra: Partial<Row> = {}): Row {
  return {
    config,
    workload: 'paced',
    concurrency: 8,
    reconnect: false,
    isBaseline: config === 'direct',
    repsCompleted: tps.length,
    tps: stats(tps),
    processed: 1000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: tps.map((t, i) => ({
      cellId: `${config}__r${i + 1}`,
      rep: i + 1,
      tps: t,
      processed: 100,
      failedTransactions: 0,
      outlier: false,
    })),
    ...extra,
  };
}

const vs = (ratio: number) => ({
  config: 'direct',
  tpsRatio: ratio,
  tpsRatioError: 0.01,
  tpsRatioCi95: { low: ratio * 0.95, high: ratio * 1.05, pairs: 3 },
});

describe('TPS of groups with aborted clients', () => {
  const direct = row('direct', [200, 201, 202]);
  it('no TPS comparison quotes a group whose cells had aborted clients', () => {
    const clean = row('pgb', [100, 101, 102], { vsBaseline: vs(0.5) });
    expect(comparisonRule(ruleContext([direct, clean], { baseline: 'direct' }))).toHaveLength(1);
    const cut = row('pgb', [100, 101, 102], { vsBaseline: vs(0.5), abortedClients: 24, abortedReps: 3 });
    expect(comparisonRule(ruleContext([direct, cut], { baseline: 'direct' }))).toEqual([]);
    const cutBase = { ...direct, abortedClients: 8, abortedReps: 1 };
    expect(comparisonRule(ruleContext([cutBase, clean], { baseline: 'direct' }))).toEqual([]);
  });

  it('the noise sentence prefers a group of all clients, and says the aborted count when it must name one', () => {
    const cut = row('pgb', [50, 100, 150], { abortedClients: 16, abortedReps: 3 });
    const [s] = noiseRule(ruleContext([direct, cut], {}));
    expect(s?.sentence.text).toContain(
      '(pgbench aborted 16 clients of its cells: a TPS of the clients left)',
    );
    expect(s?.sentence.numbers.at(-1)).toEqual({ pointer: '/rows/1/abortedClients', value: 16, text: '16' });
    const noisyClean = row('other', [50, 100, 120]);
    const [t] = noiseRule(ruleContext([direct, cut, noisyClean], {}));
    expect(t?.sentence.text).toContain('the most other on');
    expect(t?.sentence.text).not.toContain('aborted');
  });

  it("between other configs: no contrast of aborted TPS; the matrix's question gets the aborted counts", () => {
    const contrast = (declared: boolean) => ({ ...vs(1.5), config: 'none', declared });
    const none = row('none', [100, 101, 102], { abortedClients: 24, abortedReps: 3 });
    const prr = row('prr', [150, 151, 152], {
      abortedClients: 12,
      abortedReps: 3,
      contrasts: [contrast(false)],
    });
    expect(contrastRule(ruleContext([direct, none, prr], { baseline: 'direct' }))).toEqual([]);
    const asked = { ...prr, contrasts: [contrast(true)] };
    const [q] = matrixQuestionRule(ruleContext([direct, none, asked], { baseline: 'direct' }));
    expect(q?.sentence.text).toBe(
      "The matrix's question: Through prr against none, paced at 8 clients: no TPS comparison, pgbench aborted 12 clients of prr and 24 clients of none (a TPS of the clients left, over part of the cell).",
    );
    expect(q?.sentence.numbers.map((n) => n.pointer)).toEqual([
      '/rows/2/concurrency',
      '/rows/2/abortedClients',
      '/rows/1/abortedClients',
    ]);
  });

  it('the warning and the table note say the TPS is of the clients left', () => {
    const cut = row('pgb', [100, 101, 102], { abortedClients: 24, abortedReps: 3 });
    const ws = rowWarnings(cut, DEFAULT_THRESHOLDS);
    const w = ws.find((x) => x.kind === 'aborted');
    expect(w?.message).toContain('pgbench aborted 24 client(s) in 3 rep(s)');
    expect(w?.message).toContain('not a throughput figure');
    expect(rowNotes(cut, ws)).toContain('24 clients aborted: TPS of the clients left');
    expect(
      rowWarnings(row('pgb', [100, 101, 102]), DEFAULT_THRESHOLDS).some((x) => x.kind === 'aborted'),
    ).toBe(false);
  });
});
