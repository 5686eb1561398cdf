import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { readRun } from '../../src/results/read.js';
import { loadSummary } from '../../summarize/input/load.js';
import { mergeRuns } from '../../summarize/input/merge.js';

const dir = (name: string) => path.resolve(import.meta.dirname, '../fixtures/runs', name);

describe('merging run directories', () => {
  it('lets the later record of a cell win (a rerun supersedes the original)', () => {
    const m = mergeRuns([readRun(dir('three-reps')), readRun(dir('three-reps-rerun'))]);
    const cell = m.cells.find((c) => c.cell.id === 'direct__readonly__c1__r3');
    expect(cell?.dir).toBe(dir('three-reps-rerun'));
    expect(cell?.cell.state === 'completed' && cell.cell.summary.tps).toBe(10410);
    expect(m.cells).toHaveLength(24);
    // Order of arguments does not matter: the record that ended last wins.
    const reversed = mergeRuns([readRun(dir('three-reps-rerun')), readRun(dir('three-reps'))]);
    expect(reversed.cells.find((c) => c.cell.id === 'direct__readonly__c1__r3')?.dir).toBe(
      dir('three-reps-rerun'),
    );
  });

  it('summarizes the merged cells: the rerun removes the outlier', () => {
    const s = loadSummary([dir('three-reps'), dir('three-reps-rerun')]);
    const r = s.rows.find((x) => x.config === 'direct' && x.workload === 'readonly' && x.concurrency === 1);
    expect(r?.samples.map((x) => x.tps)).toEqual([10450, 10390, 10410]);
    expect(s.warnings.some((w) => w.kind === 'outlier-rep')).toBe(false);
  });

  it('refuses runs whose matrix hash or versions differ, naming both dirs and the differences', () => {
    const runs = [readRun(dir('hash-a')), readRun(dir('hash-b'))];
    let err: unknown;
    try {
      mergeRuns(runs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    const msg = (err as Error).message;
    expect(msg).toContain(dir('hash-a'));
    expect(msg).toContain(dir('hash-b'));
    expect(msg).toContain('matrix hash cccccccccccc');
    expect(msg).toContain('dddddddddddd');
    expect(msg).toContain('pgbouncer version "PgBouncer 1.18.0" vs "PgBouncer 1.21.0"');
    expect(msg).toContain('--allow-mixed');
  });

  it('merges them anyway with allowMixed, with a mixed-runs warning', () => {
    const s = loadSummary([dir('hash-a'), dir('hash-b')], { allowMixed: true });
    expect(s.rows).toHaveLength(1);
    expect(s.warnings.filter((w) => w.kind === 'mixed-runs')).toHaveLength(1);
  });

  it('rejects a directory that is not a run', () => {
    expect(() => loadSummary([dir('does-not-exist')])).toThrow(ConfigurationError);
  });
});
