import { describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { familyOf, saturationSentence, scalingRows } from '../../summarize/figures/worker-scaling/scaling.js';
import { scalingColumns } from '../../summarize/figures/worker-scaling/table.js';
import { seriesEvents } from '../../summarize/model/cell-series.js';
import { evaluateGates } from '../../summarize/model/gates.js';
import type { Row } from '../../summarize/model/row.js';
import { pipeTable } from '../../summarize/reporters/tables/markdown-table.js';

function row(config: string, tps: number, cpus: number[], concurrency = 8): Row {
  return {
    config,
    workload: 'readonly-short',
    concurrency,
    tps: { n: 3, mean: tps },
    sampling: {
      components: [
        { name: 'postgres', role: 'postgres', cpuCoresMean: 0.8 },
        ...cpus.map((c, i) => ({
          name: `pgbouncer:${config}/worker-${i + 1}`,
          role: 'pgbouncer',
          cpuCoresMean: c,
          pssMeanBytes: 2 * 1048576,
        })),
      ],
    },
  } as unknown as Row;
}

describe('worker scaling', () => {
  const workers = new Map([
    ['tx-w1', 1],
    ['tx-w2', 2],
    ['tx-w4', 4],
  ]);

  it('groups a workers list into one family and computes per-worker figures', () => {
    expect(familyOf('tx-w2', 2)).toBe('tx');
    expect(familyOf('tx-w2', 3)).toBe('tx-w2');
    const s = scalingRows(
      [row('tx-w2', 3000, [0.5, 0.7]), row('tx-w1', 2000, [0.95]), row('tx-w4', 3100, [0.3, 0.3, 0.3, 0.3])],
      workers,
    );
    expect(s.map((r) => r.workers)).toEqual([1, 2, 4]);
    const two = s[1];
    expect(two?.tpsPerWorker).toBe(1500);
    expect(two?.poolerCpu).toBeCloseTo(1.2);
    expect(two?.cpuPerWorker).toBeCloseTo(0.6);
    expect(two?.busiestWorkerCpu).toBe(0.7);
    expect(two?.vsFewest).toBe(1.5);
    expect(pipeTable(scalingColumns, s)).toContain(
      '| tx-w2 | readonly-short | 8 | 2 | 3,000 | 1,500 | 1.20 | 0.60 | 0.70 | 2,500 | 1.50x | 4.0 |',
    );
  });

  it('says a single process saturates a core only when its CPU is near one core and more workers gave more', () => {
    const saturated = scalingRows([row('tx-w1', 2000, [0.95]), row('tx-w2', 3000, [0.6, 0.6])], workers);
    const s = saturationSentence(saturated, 0.9);
    expect(s?.text).toBe(
      'A single PgBouncer process saturates a core: tx-w1 (1 worker) used 0.95 cores for 2,000 tps on readonly-short at 8 clients, while 2 workers (tx-w2) reached 3,000 tps (1.50x).',
    );
    expect(s?.numbers[0]?.pointer).toBe('/rows/0/sampling/components/1/cpuCoresMean');
    // Not near a core: no sentence, whatever the gain.
    expect(
      saturationSentence(
        scalingRows([row('tx-w1', 2000, [0.5]), row('tx-w2', 3000, [0.3, 0.3])], workers),
        0.9,
      ),
    ).toBeUndefined();
    // Near a core but more workers gave nothing (the host is the limit): no sentence.
    expect(
      saturationSentence(
        scalingRows([row('tx-w1', 2000, [0.95]), row('tx-w2', 2050, [0.5, 0.5])], workers),
        0.9,
      ),
    ).toBeUndefined();
  });
});

describe('scheduled events on the time axis', () => {
  const startMs = 1_000_000;
  const cell = {
    id: 'stop__readonly-short__c4__r1',
    config: 'stop',
    rep: 1,
    connectionErrors: 1,
    abortedClients: 2,
    events: [
      {
        target: 'stop/worker-2',
        signal: 'SIGINT',
        atMs: 5000,
        firedAt: startMs + 5200,
        offsetMs: 5200,
        pids: [9],
      },
      {
        target: 'stop/worker-1',
        signal: 'SIGINT',
        atMs: 9000,
        pids: [],
        error: 'not sent: pgbench ended first',
      },
    ],
  } as unknown as CellRecord;

  it('marks only events that were sent on the time axis', () => {
    expect(seriesEvents(cell, startMs)).toEqual([{ t: 5.2, label: 'SIGINT stop/worker-2' }]);
  });
});

describe('max_aborted_clients gate', () => {
  const r = (abortedClients?: number) =>
    ({
      config: 'stop',
      workload: 'readonly-short',
      concurrency: 8,
      repsCompleted: 3,
      tps: { n: 3, mean: 1000 },
      failedTransactions: 0,
      connectionErrors: 0,
      failedCells: [],
      ...(abortedClients === undefined ? {} : { abortedClients }),
    }) as unknown as Row;
  const effective = {
    gates: { max_aborted_clients: 0 },
    configs: [{ name: 'stop', kind: 'pgbouncer', gates: { max_aborted_clients: 4 } }],
  };

  it('bounds the clients a scheduled event may cost, per config', () => {
    expect(evaluateGates([r(4)], effective).failures).toEqual([]);
    expect(evaluateGates([r(5)], effective).failures.map((f) => f.message)).toEqual([
      'stop / readonly-short / 8 clients: aborted clients 5 breaks max_aborted_clients = 4',
    ]);
    expect(evaluateGates([r()], { gates: { max_aborted_clients: 0 } }).failures).toEqual([]);
  });
});
