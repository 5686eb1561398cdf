import type { PgbenchSummary } from '../pgbench/types.js';

/** What the runner saw when the measured pgbench ended; everything the verdict depends on. */
export interface CellEnd {
  /** pgbench was stopped by the user's SIGINT/SIGTERM (its own abort or the run's signal). */
  interrupted: boolean;
  /** pgbench ran past its duration plus the hang grace and was killed. */
  timedOut: boolean;
  exitCode: number | null;
  /** The signal that ended pgbench, when no exit code did. */
  signal?: string | undefined;
  /** pgbench's closing summary, when it printed one. */
  summary: PgbenchSummary | undefined;
  /** Components of the config's path that were found dead after the cell (`pgbouncer:pgbouncer-tx`). */
  dead: readonly string[];
  /** pgbench's first error line (stderr), if any. */
  firstError?: string | undefined;
  elapsedMs: number;
  plannedS: number;
  /**
   * A scheduled event signalled a component during the cell: pgbench's exit 2 (clients aborted on
   * failed connections) with a summary is then the event's expected effect, and gates decide.
   */
  disrupted?: boolean;
}

export type CellVerdict =
  | { state: 'completed'; summary: PgbenchSummary }
  | { state: 'failed' | 'timed-out' | 'interrupted'; reason: string };

/**
 * The state of a cell and why, first match wins: an interruption, a hang, a non-zero exit, a run
 * pgbench itself called aborted, a missing summary (or one without TPS), then a component that
 * died under an otherwise clean run. Only a clean run with a summary is `completed`: a number
 * measured while the path was broken would be averaged into results that lie.
 */
export function classifyCell(e: CellEnd): CellVerdict {
  const deadNotes = e.dead.map((d) => `${d} died during the cell`);
  if (e.interrupted) return { state: 'interrupted', reason: 'interrupted by the user (SIGINT/SIGTERM)' };
  if (e.timedOut) {
    return {
      state: 'timed-out',
      reason: `pgbench still running ${Math.round(e.elapsedMs / 1000)} s after start (planned ${e.plannedS} s); killed`,
    };
  }
  if (e.disrupted && e.exitCode === 2 && e.summary?.tps !== undefined && e.dead.length === 0) {
    return { state: 'completed', summary: e.summary };
  }
  if (e.exitCode !== 0) {
    const exit = `pgbench exited with ${e.exitCode ?? e.signal}`;
    return {
      state: 'failed',
      reason: [exit, ...deadNotes, ...(e.firstError ? [e.firstError] : [])].join('; '),
    };
  }
  if (e.summary?.aborted) {
    return { state: 'failed', reason: ['pgbench reported the run as aborted', ...deadNotes].join('; ') };
  }
  if (!e.summary || e.summary.tps === undefined)
    return { state: 'failed', reason: 'pgbench printed no summary' };
  if (deadNotes.length > 0) return { state: 'failed', reason: deadNotes.join('; ') };
  return { state: 'completed', summary: e.summary };
}
