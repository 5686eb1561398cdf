import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../summarize/model/gates.js';
import type { Row } from '../../summarize/model/row.js';

/** A row with the figures the gates read; the rest of Row does not take part. */
function row(over: Partial<Row> & Pick<Row, 'config' | 'workload'>): Row {
  return {
    concurrency: 8,
    reconnect: false,
    isBaseline: false,
    repsCompleted: 3,
    tps: { n: 3, mean: 1000 },
    processed: 30_000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: [],
    latency: { p99Ms: 10 },
    ...over,
  } as Row;
}

const direct = row({ config: 'direct', workload: 'tpcb' });

describe('evaluateGates', () => {
  it('passes rows within every gate, and counts each check it made', () => {
    const report = evaluateGates([direct], {
      gates: { max_failed_transactions: 0, max_connection_errors: 0, min_tps: 500, max_p99_ms: 20 },
    });
    expect(report.failures).toEqual([]);
    // Four gates plus the failed-cells check that always applies.
    expect(report.checked).toBe(5);
  });

  it('fails a row below min_tps or above max_p99_ms, naming the group, the value and the limit', () => {
    const slow = row({
      config: 'proxy',
      workload: 'tpcb',
      tps: { n: 3, mean: 400 } as Row['tps'],
      latency: { p99Ms: 35 } as Row['latency'],
    });
    const report = evaluateGates([direct, slow], { gates: { min_tps: 500, max_p99_ms: 20 } });
    expect(report.failures.map((f) => [f.gate, f.group.config, f.value, f.limit])).toEqual([
      ['min_tps', 'proxy', 400, 500],
      ['max_p99_ms', 'proxy', 35, 20],
    ]);
    expect(report.failures[0]?.message).toBe('proxy / tpcb / 8 clients: mean TPS 400 breaks min_tps = 500');
  });

  it('treats limits as inclusive: exactly at the limit passes', () => {
    const edge = row({
      config: 'direct',
      workload: 'tpcb',
      failedTransactions: 2,
      tps: { n: 3, mean: 500 } as Row['tps'],
    });
    expect(evaluateGates([edge], { gates: { max_failed_transactions: 2, min_tps: 500 } }).failures).toEqual(
      [],
    );
    expect(
      evaluateGates([edge], { gates: { max_failed_transactions: 1 } }).failures.map((f) => f.gate),
    ).toEqual(['max_failed_transactions']);
  });

  it('lets the config and then the workload override the matrix-wide gates', () => {
    const proxy = row({ config: 'proxy', workload: 'web', tps: { n: 3, mean: 300 } as Row['tps'] });
    const effective = {
      gates: { min_tps: 500 },
      configs: [{ name: 'proxy', gates: { min_tps: 100 } }],
      workloads: ['tpcb', { name: 'web', gates: { min_tps: 400 } }],
    };
    expect(evaluateGates([proxy], effective).failures.map((f) => f.limit)).toEqual([400]);
    const onTpcb = row({ config: 'proxy', workload: 'tpcb', tps: { n: 3, mean: 300 } as Row['tps'] });
    expect(evaluateGates([onTpcb], effective).failures).toEqual([]);
  });

  it('fails a group with a failed cell even without gates', () => {
    const failed = row({
      config: 'proxy',
      workload: 'tpcb',
      failedCells: [{ cellId: 'c1', rep: 2, state: 'failed', reason: 'pgbench exited 2' }],
    });
    const report = evaluateGates([failed], undefined);
    expect(report.failures.map((f) => [f.gate, f.value])).toEqual([['failed_cells', 1]]);
  });

  it('does not check min_tps on a group with no completed rep (there is no TPS to check)', () => {
    const none = row({
      config: 'proxy',
      workload: 'tpcb',
      repsCompleted: 0,
      tps: { n: 0, mean: Number.NaN } as Row['tps'],
    });
    const report = evaluateGates([none], { gates: { min_tps: 500 } });
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(1); // the failed-cells check only
  });

  it('ignores gates that are not finite numbers (an older or hand-edited run.json)', () => {
    const report = evaluateGates([direct], { gates: { min_tps: 'fast', max_p99_ms: null } });
    expect(report.checked).toBe(1);
  });
});
