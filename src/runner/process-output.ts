import type { Writable } from 'node:stream';
import { parseProgressLine } from '../pgbench/progress.js';
import { StderrEventLog } from '../pgbench/stderr-events.js';
import type { PgbenchProcess } from './pgbench-processes.js';

/**
 * What the measured pgbench processes say while they run: their -P lines to progress.jsonl and the
 * progress display, their aborted clients and failed connections, and when each started. A
 * segment of a group's profile (src/runner/chain.ts) starts later than the cell and counts its -P
 * seconds from its own start: its lines are moved onto the cell's axis (`t` plus its start, with
 * `segment`), and its group's earlier segments leave the displayed sum when it starts.
 */
export class ProcessOutput {
  readonly stderrEvents = new StderrEventLog();
  /** When each process started, ms after `startMs`. */
  readonly startedAfterMs: Array<number | undefined>;
  /** The measured pgbench's start (epoch ms); set just before the processes start. */
  startMs = Date.now();
  private readonly latestTps = new Map<number, number>();

  constructor(
    private readonly processes: readonly PgbenchProcess[],
    private readonly progress: Writable,
    private readonly onProgress?: (tps: number, elapsedS: number) => void,
  ) {
    this.startedAfterMs = processes.map(() => undefined);
  }

  readonly onStart = (proc: number, at: number): void => {
    this.startedAfterMs[proc] = at - this.startMs;
    const me = this.processes[proc];
    const seg = me?.segment;
    if (!seg) return;
    this.processes.forEach((q, j) => {
      if (q.group === me.group && (q.segment?.index ?? 0) < seg.index) this.latestTps.delete(j);
    });
  };

  readonly onStderr = (proc: number, line: string): void => {
    this.stderrEvents.add(proc, line, Date.now());
    const p = parseProgressLine(line);
    if (!p) return;
    // Several processes: each progress line says which one, and the display shows their sum.
    const where = this.processes.length > 1 ? { process: proc } : {};
    const seg = this.processes[proc]?.segment;
    const offsetMs = seg ? (this.startedAfterMs[proc] ?? seg.startMs) : 0;
    const shift = seg ? { t: Math.round(p.t * 10 + offsetMs / 100) / 10, segment: seg.index + 1 } : {};
    this.progress.write(`${JSON.stringify({ ...p, ...where, ...shift, at: Date.now() })}\n`);
    this.latestTps.set(proc, p.tps);
    this.onProgress?.(
      [...this.latestTps.values()].reduce((a, b) => a + b, 0),
      p.t + offsetMs / 1000,
    );
  };
}
