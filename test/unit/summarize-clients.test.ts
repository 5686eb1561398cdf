import { describe, expect, it } from 'vitest';
import { clientFigures } from '../../src/pgbench/clients.js';
import type { CompletedCell } from '../../src/results/types.js';
import { figureWarnings } from '../../summarize/figures/index.js';
import { buildRows } from '../../summarize/model/build-rows.js';
import type { MatrixInfo } from '../../summarize/model/matrix-info.js';
import { tldr } from '../../summarize/tldr/index.js';

/** A completed cell of 100 clients; `starved` of them did 1 transaction, the rest share the TPS. */
function cell(config: string, rep: number, tps: number, starved: number, maxwaitMs?: number): CompletedCell {
  const served = 100 - starved;
  const processed = Math.round(tps * 10);
  const per = Math.floor((processed - starved) / served);
  const counts = [...Array(served).fill(per), ...Array(starved).fill(1)];
  return {
    schema: 1,
    id: `${config}__web__c100__r${rep}`,
    index: rep,
    config,
    workload: 'web',
    concurrency: 100,
    rep,
    threads: 2,
    startedAt: '2026-12-04T00:00:00Z',
    endedAt: '2026-12-04T00:00:10Z',
    argv: ['-c', '100', '-T', '10'],
    prepared: [],
    warnings: [],
    state: 'completed',
    exitCode: 0,
    summary: { processed, failed: 0, tps, durationS: 10, aborted: false },
    latency: {
      count: processed,
      failed: 0,
      skipped: 0,
      meanMs: 5,
      minMs: 1,
      p50Ms: 5,
      p90Ms: 7,
      p95Ms: 8,
      p99Ms: starved > 0 ? 9 : 20,
      p999Ms: 30,
      maxMs: 9800,
      histogramFile: 'latency-histogram.json',
    },
    clients: clientFigures([counts]),
    connectionErrors: 0,
    ...(maxwaitMs !== undefined
      ? {
          sampling: {
            intervalMs: 1000,
            ticks: 10,
            skippedTicks: 0,
            samples: 10,
            gaps: 0,
            warnings: [],
            components: {},
            clients: 100,
            pgbouncer: {
              samples: 10,
              clActivePeak: 100,
              clWaitingPeak: starved,
              maxwaitMsPeak: maxwaitMs,
              svActivePeak: 20,
              serverConnectionsPeak: 20,
            },
          },
        }
      : {}),
  };
}

const matrix: MatrixInfo = {
  configs: [
    { name: 'direct', kind: 'direct' },
    { name: 'session', kind: 'pgbouncer', poolMode: 'session' },
    { name: 'tx', kind: 'pgbouncer', poolMode: 'transaction' },
  ],
  workloads: [{ name: 'web' }],
  concurrency: [100],
  reps: 3,
  baseline: 'direct',
};

const cells = [1, 2, 3].flatMap((rep) => [
  cell('direct', rep, [4000, 4100, 3900][rep - 1] as number, 0),
  cell('session', rep, [3260, 3270, 3250][rep - 1] as number, 80, 9700),
  cell('tx', rep, [3700, 4200, 3500][rep - 1] as number, 0, 3),
]);

describe('the clients figure over reps', () => {
  const { rows } = buildRows({ cells, matrix });
  const row = (c: string) => rows.find((r) => r.config === c);

  it('takes the most starved clients and the least fair rep; a starved closed-loop row does not speak for all', () => {
    expect(row('session')?.clients).toMatchObject({ reps: 3, clients: 100, starvedMax: 80, starvedReps: 3 });
    expect(row('session')?.clients?.latencyCoversAll).toBe(false);
    expect(row('tx')?.clients).toMatchObject({ starvedMax: 0, servedMin: 100, latencyCoversAll: true });
    expect(row('session')?.clients?.jainMin).toBeLessThan(0.3);
  });

  it('a wait longer than 10 % of the cell also takes the latency away, without a starved client', () => {
    const waited = buildRows({
      cells: [1, 2].map((rep) => cell('tx', rep, 4000, 0, 1500)),
      matrix,
      figureWarnings,
    });
    expect(waited.rows[0]?.clients?.latencyCoversAll).toBe(false);
    expect(waited.warnings.map((w) => w.kind)).toContain('clients-starved');
  });
});

describe('the TL;DR of a matrix with compare: [[tx, session]]', () => {
  const { rows, baseline } = buildRows({ cells, matrix: { ...matrix, compare: [['tx', 'session']] } });
  const text = tldr(rows, { ...(baseline ? { baseline } : {}) }).map((s) => s.text);

  it('states the matrix question first, paired with its interval, without the starved row p99', () => {
    expect(text[0]).toMatch(
      /^The matrix's question: Through tx, web at 100 clients ran [\d.]+ times the TPS of session \(95% CI [\d.]+ to [\d.]+ over 3 paired reps/,
    );
    expect(text[0]).not.toMatch(/p99/);
  });

  it('says how many clients session left starved, and never that it served them', () => {
    expect(text.some((t) => /^session left 80 of 100 clients starved on web at 100 clients/.test(t))).toBe(
      true,
    );
    expect(text.join(' ')).not.toMatch(/session served/);
    for (const t of text.filter((x) => x.includes('session'))) expect(t).not.toMatch(/p99/);
  });
});

describe('the TL;DR without compare:', () => {
  it('states the largest contrast between non-baseline configs that its interval supports', () => {
    const { rows, baseline } = buildRows({ cells, matrix });
    const text = tldr(rows, { ...(baseline ? { baseline } : {}) }).map((s) => s.text);
    expect(
      text.some((t) =>
        /^Between configs other than the baseline, through tx, web at 100 clients ran/.test(t),
      ),
    ).toBe(false); // tx against session: 1.17 with a scatter that includes 1
    const steady = cells.map((c) =>
      c.config === 'tx' ? { ...c, summary: { ...c.summary, tps: 8000 + c.rep } } : c,
    );
    const r2 = buildRows({ cells: steady, matrix });
    const t2 = tldr(r2.rows, { ...(r2.baseline ? { baseline: r2.baseline } : {}) }).map((s) => s.text);
    expect(
      t2.some((t) =>
        /^Between configs other than the baseline, through tx, web at 100 clients ran 2\.\d+ times the TPS of session/.test(
          t,
        ),
      ),
    ).toBe(true);
  });
});
