import { describe, expect, it } from 'vitest';
import type { PgbenchSummary } from '../../src/pgbench/types.js';
import { type CellEnd, classifyCell } from '../../src/runner/outcome.js';

const summary = (o: Partial<PgbenchSummary> = {}): PgbenchSummary => ({
  processed: 100,
  failed: 0,
  aborted: false,
  tps: 50,
  ...o,
});
const clean = (o: Partial<CellEnd> = {}): CellEnd => ({
  interrupted: false,
  timedOut: false,
  exitCode: 0,
  summary: summary(),
  dead: [],
  elapsedMs: 2000,
  plannedS: 2,
  ...o,
});

describe('classifyCell', () => {
  it('completes a clean run with a summary, and hands the summary back', () => {
    const s = summary({ tps: 123 });
    expect(classifyCell(clean({ summary: s }))).toEqual({ state: 'completed', summary: s });
  });

  it('calls an interruption interrupted, before anything else it could also be', () => {
    const v = classifyCell(clean({ interrupted: true, timedOut: true, exitCode: 1, dead: ['proxy:p'] }));
    expect(v.state).toBe('interrupted');
  });

  it('calls a hang timed-out with the elapsed and planned seconds', () => {
    const v = classifyCell(clean({ timedOut: true, exitCode: null, elapsedMs: 34_400, plannedS: 4 }));
    expect(v).toEqual({
      state: 'timed-out',
      reason: 'pgbench still running 34 s after start (planned 4 s); killed',
    });
  });

  it('fails a non-zero exit, naming dead components and the first error line', () => {
    const v = classifyCell(
      clean({ exitCode: 2, dead: ['pgbouncer:tx'], firstError: 'connection refused', summary: undefined }),
    );
    expect(v).toEqual({
      state: 'failed',
      reason: 'pgbench exited with 2; pgbouncer:tx died during the cell; connection refused',
    });
  });

  it('names the signal when pgbench died of one', () => {
    const v = classifyCell(clean({ exitCode: null, signal: 'SIGKILL' }));
    expect(v.state === 'failed' && v.reason).toBe('pgbench exited with SIGKILL');
  });

  it('fails a run pgbench itself called aborted, even with exit 0 and a TPS', () => {
    const v = classifyCell(clean({ summary: summary({ aborted: true }) }));
    expect(v).toEqual({ state: 'failed', reason: 'pgbench reported the run as aborted' });
  });

  it('fails exit 0 without a summary or without TPS', () => {
    expect(classifyCell(clean({ summary: undefined }))).toEqual({
      state: 'failed',
      reason: 'pgbench printed no summary',
    });
    expect(classifyCell(clean({ summary: summary({ tps: undefined }) })).state).toBe('failed');
  });

  it('fails a clean pgbench run when a component of the path died under it', () => {
    expect(classifyCell(clean({ dead: ['proxy:p', 'pgbouncer:p'] }))).toEqual({
      state: 'failed',
      reason: 'proxy:p died during the cell; pgbouncer:p died during the cell',
    });
  });
});
