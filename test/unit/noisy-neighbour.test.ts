import { describe, expect, it } from 'vitest';
import { isolationRows } from '../../summarize/figures/noisy-neighbour/rows.js';
import { isolationCandidates } from '../../summarize/figures/noisy-neighbour/tldr.js';
import { attachAlone, pairedLogRatio } from '../../summarize/model/alone.js';
import type { Row } from '../../summarize/model/row.js';
import { describe as stats } from '../../summarize/model/stats.js';

/** A group row from per-rep TPS and p99. */
function row(config: string, workload: string, group: string, tps: number[], p99: number[]): Row {
  return {
    config,
    workload,
    group,
    concurrency: 1,
    reconnect: false,
    isBaseline: config === 'shared',
    repsCompleted: tps.length,
    tps: stats(tps),
    latency: { p99Ms: Math.max(...p99) } as Row['latency'],
    processed: 1000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: tps.map((t, i) => ({
      cellId: `${config}__${workload}__c1__r${i + 1}`,
      rep: i + 1,
      tps: t,
      p99Ms: p99[i] as number,
      processed: 100,
      failedTransactions: 0,
      outlier: false,
    })),
  };
}

/** web + batch (noisy) and web alone (quiet), through two topologies. */
function matrixRows(perGroupNoisyP99: number[]): Row[] {
  return [
    row('shared', 'noisy', 'web', [190, 195, 200], [50, 40, 60]),
    row('shared', 'noisy', 'batch', [900, 950, 1000], [20, 20, 20]),
    row('shared', 'quiet', 'web', [200, 200, 200], [4, 5, 4]),
    row('per-group', 'noisy', 'web', [199, 200, 198], perGroupNoisyP99),
    row('per-group', 'noisy', 'batch', [800, 850, 900], [22, 21, 20]),
    row('per-group', 'quiet', 'web', [200, 201, 200], [4, 4, 5]),
  ];
}

describe('a quiet group with and without its noisy neighbour', () => {
  it('pairs each rep and gives the geometric mean ratio with a t-interval', () => {
    const p = pairedLogRatio(
      [
        { rep: 1, v: 8 },
        { rep: 2, v: 8 },
        { rep: 3, v: undefined },
      ],
      [
        { rep: 1, v: 2 },
        { rep: 2, v: 2 },
        { rep: 3, v: 1 },
      ],
    );
    expect(p).toEqual({ estimate: 4, low: 4, high: 4, pairs: 2 });
    expect(pairedLogRatio([{ rep: 1, v: 1 }], [{ rep: 1, v: 1 }])).toBeUndefined();
  });

  it('finds the alone workload (a subset of the groups) and names the missing neighbour', () => {
    const rows = matrixRows([3, 4, 3]);
    attachAlone(rows, 'shared');
    expect(rows[0]?.alone).toMatchObject({ workload: 'quiet', without: ['batch'], rowIndex: 2 });
    expect(rows[0]?.alone?.p99Ratio?.estimate).toBeCloseTo(Math.cbrt((50 / 4) * (40 / 5) * (60 / 4)), 6);
    expect(rows[1]?.alone).toBeUndefined(); // batch never ran alone
    expect(rows[2]?.alone).toBeUndefined(); // the alone row itself
    expect(rows[3]?.alone?.p99VsBaseline?.config).toBe('shared');
    expect(rows[0]?.alone?.p99VsBaseline).toBeUndefined(); // the baseline is not compared with itself
    expect(isolationRows(rows).map((r) => `${r.config}/${r.group}`)).toEqual(['shared/web', 'per-group/web']);
  });

  it('names the topology only when the paired interval excludes 1', () => {
    const decided = matrixRows([3, 4, 3]);
    attachAlone(decided, 'shared');
    const [d] = isolationCandidates(decided, isolationRows(decided));
    expect(d?.sentence.text).toContain('per-group protected web better');
    for (const n of d?.sentence.numbers ?? []) expect(n.pointer).toMatch(/^\/rows\/\d+\//);

    const close = matrixRows([60, 35, 55]);
    attachAlone(close, 'shared');
    const [c] = isolationCandidates(close, isolationRows(close));
    expect(c?.sentence.text).toContain('cannot tell the two topologies apart');
  });
});
