import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/matrix/expand.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { cellSettings, etaMs, isFinished, remainingCells } from '../../src/runner/plan.js';

const matrix = (extra = '') =>
  parseMatrix(
    `
duration: 10s
warmup: 2s
sample_interval: 500ms
concurrency: [1, 8, 64]
configs:
  - { name: a, kind: direct }
workloads: [readonly, tpcb]
${extra}`,
    'settings.yaml',
  );
const cell = (o: Partial<Cell> = {}): Cell => ({
  id: 'x',
  index: 0,
  config: 'a',
  workload: 'readonly',
  concurrency: 8,
  rep: 1,
  ...o,
});

describe('cellSettings', () => {
  it('takes the workload, durations and protocol from the matrix', () => {
    const s = cellSettings(matrix('protocol: prepared'), cell({ workload: 'tpcb' }), {
      cores: 4,
      sampling: true,
    });
    expect(s.workload.name).toBe('tpcb');
    expect(s.durationMs).toBe(10_000);
    expect(s.warmupMs).toBe(2000);
    expect(s.protocol).toBe('prepared');
    expect(s.keepRawLogs).toBe(false);
  });

  it('threads: auto is min(clients, cores); a fixed count never exceeds the clients', () => {
    const m = matrix();
    expect(cellSettings(m, cell({ concurrency: 64 }), { cores: 4, sampling: false }).threads).toBe(4);
    expect(cellSettings(m, cell({ concurrency: 1 }), { cores: 4, sampling: false }).threads).toBe(1);
    const fixed = matrix('threads: 16');
    expect(cellSettings(fixed, cell({ concurrency: 64 }), { cores: 2, sampling: false }).threads).toBe(16);
    expect(cellSettings(fixed, cell({ concurrency: 8 }), { cores: 2, sampling: false }).threads).toBe(8);
  });

  it('passes hang_grace only when the matrix sets it', () => {
    expect(cellSettings(matrix(), cell(), { cores: 2, sampling: false }).hangGraceMs).toBeUndefined();
    expect(cellSettings(matrix('hang_grace: 7s'), cell(), { cores: 2, sampling: false }).hangGraceMs).toBe(
      7000,
    );
  });

  it('samples with the matrix interval, the duration and the clients, or not at all', () => {
    const m = matrix();
    expect(cellSettings(m, cell({ concurrency: 64 }), { cores: 2, sampling: true }).sampling).toEqual({
      intervalMs: 500,
      durationMs: 10_000,
      clients: 64,
    });
    expect(cellSettings(m, cell(), { cores: 2, sampling: false }).sampling).toBeUndefined();
  });

  it('refuses a workload the matrix does not define', () => {
    expect(() => cellSettings(matrix(), cell({ workload: 'nope' }), { cores: 2, sampling: false })).toThrow(
      /workload nope/,
    );
  });
});

describe('remainingCells', () => {
  it('skips finished cells and reruns interrupted and skipped ones', () => {
    const cells = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id, index) => cell({ id, index }));
    const previous = [
      { id: 'c1', state: 'completed' },
      { id: 'c2', state: 'failed' },
      { id: 'c3', state: 'timed-out' },
      { id: 'c4', state: 'interrupted' },
    ];
    expect(remainingCells(cells, previous).map((c) => c.id)).toEqual(['c4', 'c5']);
    expect(isFinished('skipped')).toBe(false);
  });
});

describe('etaMs', () => {
  it('is unknown before the first cell, then the mean cell time times the cells left', () => {
    expect(etaMs([], 5)).toBeUndefined();
    expect(etaMs([1000, 3000], 5)).toBe(10_000);
  });
});
