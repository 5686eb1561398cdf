import { fmtInt } from '../../summarize/model/format.js';
import type { Cell } from '../matrix/expand.js';
import type { CellRecord } from '../results/types.js';
import type { RunEvents } from '../runner/types.js';
import { redact } from '../util/redact.js';

function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function label(c: Cell): string {
  return `${c.config} ${c.workload} c=${c.concurrency} rep ${c.rep}`;
}

/**
 * The TPS of a cell some of whose clients aborted or were starved is the TPS of the others only:
 * the line says how many of the cell's clients did not get through (docs/fairness.md).
 */
function clientCaveat(rec: CellRecord): string {
  const parts: string[] = [];
  if ((rec.abortedClients ?? 0) > 0) parts.push(`${fmtInt(rec.abortedClients)} clients aborted`);
  const c = rec.clients;
  if (c && c.starved > 0) parts.push(`${fmtInt(c.starved)} of ${fmtInt(c.clients)} clients starved`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function outcomeLine(rec: CellRecord): string {
  if (rec.state === 'completed') {
    const tps = rec.summary.tps ?? 0;
    const p99 = rec.latency ? `, p99 ${rec.latency.p99Ms.toFixed(2)} ms` : '';
    const failed = rec.summary.failed > 0 ? `, ${fmtInt(rec.summary.failed)} failed tx` : '';
    return `${fmtInt(tps)} tps${p99}${failed}${clientCaveat(rec)}`;
  }
  return `${rec.state.toUpperCase()}: ${rec.reason}`;
}

/**
 * The status line cut to the terminal's width so it never wraps: a wrapped line cannot be redrawn
 * in place by `\r` and would leave a trail of half lines. One column is kept free because some
 * terminals wrap when the last column is written. Cut by code points, never inside a surrogate pair.
 */
export function fitLine(s: string, columns: number | undefined): string {
  const width = Math.max(1, (columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS) - 1);
  const chars = [...s];
  return chars.length <= width ? s : `${chars.slice(0, width - 1).join('')}…`;
}

/** When the stream does not say how wide it is. */
const DEFAULT_COLUMNS = 80;

/**
 * Progress for `bench run`: on a TTY one status line redrawn in place (cell n of N, elapsed, live
 * TPS from pgbench's progress lines, ETA); otherwise one plain line per cell, for CI logs.
 */
export function progressReporter(stream: NodeJS.WriteStream): RunEvents {
  const tty = stream.isTTY === true;
  let status = '';
  let etaMs: number | undefined;
  let durationS = 0;
  let header = '';
  const clear = () => {
    if (tty && status !== '') stream.write('\r\x1b[2K');
  };
  const draw = (s: string) => {
    // Cut at every draw: the terminal may have been resized since the last one.
    status = fitLine(s, stream.columns);
    if (tty) stream.write(`\r\x1b[2K${status}`);
  };
  return {
    log(msg) {
      clear();
      stream.write(`${redact(msg)}\n`);
      if (tty && status !== '') stream.write(fitLine(status, stream.columns));
    },
    cellStart(cell, pos, total, eta, duration) {
      etaMs = eta;
      durationS = duration;
      header = `[${pos}/${total}] ${label(cell)}`;
      if (tty) draw(`${header}  starting${eta === undefined ? '' : `  ETA ${fmtDuration(eta)}`}`);
      else stream.write(`${header} ...\n`);
    },
    cellProgress(_cell, tps, elapsed) {
      if (!tty) return;
      const left = etaMs === undefined ? '' : `  ETA ${fmtDuration(Math.max(0, etaMs - elapsed * 1000))}`;
      draw(`${header}  ${Math.round(elapsed)}s/${durationS}s  ${fmtInt(tps)} tps${left}`);
    },
    cellEnd(cell, rec, pos, total) {
      clear();
      status = '';
      stream.write(`[${pos}/${total}] ${label(cell)}: ${outcomeLine(rec)}\n`);
    },
  };
}
