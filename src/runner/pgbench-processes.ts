import type { Protocol } from '../matrix/protocol.js';
import { cellArgv, pgbenchEnv } from '../pgbench/argv.js';
import { mergeSequential, mergeSummaries } from '../pgbench/merge-summary.js';
import { flagsForShare, splitClients } from '../pgbench/split.js';
import { parseSummary } from '../pgbench/summary.js';
import type { PgbenchSummary } from '../pgbench/types.js';
import type { ConfigPath, PgbenchResult, Stack } from '../stack/types.js';
import { lanesOf, type ProcessSegment } from './chain.js';

/** One pgbench process of a cell: its share of the clients and threads, and its argv. */
export interface PgbenchProcess {
  clients: number;
  threads: number;
  argv: string[];
  /** Per-transaction log prefix, when it logs. */
  logPrefix?: string;
  /** In a mix cell: the position of the client group it belongs to (src/runner/mix-cell.ts). */
  group?: number;
  /**
   * A segment of its group's profile: it starts when its group's previous segment ended
   * (src/runner/chain.ts), not with the cell.
   */
  segment?: ProcessSegment;
}

interface ProcessPlan {
  path: ConfigPath;
  workload: import('../matrix/workload.js').Workload;
  clients: number;
  threads: number;
  clientsPerProcess: number;
  protocol: Protocol;
}

/**
 * The processes of a cell. A single process logs under `logPrefix` as before; several log under
 * `<logPrefix>_p<i>`, so their files never collide (pgbench names them by PID, and PIDs repeat
 * across containers).
 */
export function pgbenchProcesses(p: ProcessPlan, durationS: number, logPrefix?: string): PgbenchProcess[] {
  const shares = splitClients(p.clients, p.threads, p.clientsPerProcess);
  return shares.map((s, i) => {
    const prefix =
      logPrefix === undefined ? undefined : shares.length === 1 ? logPrefix : `${logPrefix}_p${i}`;
    return {
      clients: s.clients,
      threads: s.threads,
      ...(prefix === undefined ? {} : { logPrefix: prefix }),
      // The whole argv, not only the workload's flags: a total rate is divided wherever it came from.
      argv: flagsForShare(
        cellArgv({
          endpoint: p.path.endpoint,
          workload: p.workload,
          clients: s.clients,
          threads: s.threads,
          durationS,
          protocol: p.protocol,
          ...(prefix === undefined ? {} : { logPrefix: prefix }),
        }),
        s.share,
      ),
    };
  });
}

/**
 * What the processes did, as one result: the first failing exit (or signal) decides, any timeout
 * or abort counts, and the outputs are joined with a header line per process so that the files on
 * disk show which process said what.
 */
export function combineResults(parts: readonly PgbenchResult[]): PgbenchResult {
  const [first] = parts;
  if (parts.length === 1 && first) return first;
  // The process that failed first in its own right, before those stopped because of it.
  const failing =
    parts.find((r) => r.exitCode !== 0 && !r.stderr.includes(STOPPED_BY_PEER)) ??
    parts.find((r) => r.exitCode !== 0);
  const header = (i: number) => `# pgbench process ${i + 1} of ${parts.length}`;
  const join = (f: (r: PgbenchResult) => string) => parts.map((r, i) => `${header(i)}\n${f(r)}`).join('\n');
  return {
    exitCode: failing ? failing.exitCode : 0,
    ...(failing?.signal ? { signal: failing.signal } : {}),
    stdout: join((r) => r.stdout),
    stderr: join((r) => r.stderr),
    timedOut: parts.some((r) => r.timedOut),
    aborted: parts.some((r) => r.aborted),
  };
}

/** Every process's stderr, those that failed in their own right first: their errors lead the cell's reason. */
export function errorText(parts: readonly PgbenchResult[]): string {
  const stopped = (r: PgbenchResult) => r.stderr.includes(STOPPED_BY_PEER);
  return [...parts.filter((r) => !stopped(r)), ...parts.filter(stopped)].map((r) => r.stderr).join('\n');
}

/**
 * The cell's summary: each process's parsed, then merged; none when no process printed one. With
 * `procs` that hold a chain (a group's profile), each segment's processes are merged side by side,
 * the segments one after another (mergeSequential: their TPS does not add), and the lanes side by
 * side again; a segment that printed nothing (never started) is left out of its chain.
 */
export function cellSummary(
  parts: readonly PgbenchResult[],
  procs?: readonly Pick<PgbenchProcess, 'group' | 'segment' | 'clients'>[],
): PgbenchSummary | undefined {
  const printed = (r: PgbenchResult | undefined) => r !== undefined && r.stdout.trim() !== '';
  if (!parts.some(printed)) return undefined;
  const parsed = parts.map((r) => parseSummary(r.stdout, r.stderr));
  if (!procs?.some((p) => p.segment !== undefined)) return mergeSummaries(parsed);
  const lanes = lanesOf(procs).flatMap((steps) => {
    const ran = steps.filter((step) => step.some((i) => printed(parts[i])));
    const merged = ran.map((step) => mergeSummaries(step.flatMap((i) => parsed[i] ?? [])));
    return merged.length > 0 ? [mergeSequential(merged)] : [];
  });
  return mergeSummaries(lanes);
}

/** Said in a process's stderr when the harness stopped it because another process of the cell failed. */
export const STOPPED_BY_PEER = 'bench: stopped: another pgbench process of this cell failed';

/**
 * Whether a process's end stops the other processes of its cell. A failure (a refused connection at
 * start exits 1) does; exit 2 does not when the cell schedules events: pgbench exits 2 once a client
 * aborted, which a signalled pooler or server is expected to cause (the cell counts it as completed
 * with a warning), and the other processes must live to print their summary.
 */
export function stopsPeers(
  r: Pick<PgbenchResult, 'exitCode' | 'aborted' | 'timedOut'>,
  o: { processes: number; events: boolean },
): boolean {
  if (o.processes <= 1 || r.exitCode === 0 || r.aborted || r.timedOut) return false;
  return !(o.events && r.exitCode === 2);
}

/** The result of a chain's segment that never started: the cell was stopped, or an earlier segment timed out. */
function notStarted(why: 'aborted' | 'timed-out'): PgbenchResult {
  const stderr =
    why === 'aborted'
      ? 'bench: not started: the cell was stopped before this segment of the profile\n'
      : "bench: not started: an earlier segment of this group's profile timed out\n";
  return { exitCode: null, stdout: '', stderr, timedOut: why === 'timed-out', aborted: why === 'aborted' };
}

/**
 * Starts every process at once and waits for all of them; a group's profile segments run as a
 * chain (src/runner/chain.ts), each one started when the one before it ended, all within the
 * cell's `timeoutMs` (a segment gets what is left of it). When one fails (a refused connection at
 * start, say), the others are stopped rather than left to run the whole cell for a result that
 * cannot count, and a chain starts no further segment; they are not "interrupted" (the user did
 * not stop them) and say why in their stderr. The cell's `signal` stops a chain the same way.
 * `events`: the cell schedules events, so exit 2 is expected and stops nobody (see stopsPeers).
 * `onStart`: when each process started (epoch ms), for a chain's segment offsets.
 */
export async function runProcesses(
  stack: Stack,
  procs: readonly PgbenchProcess[],
  o: {
    cwd: string;
    path: ConfigPath;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
    onStderr?: (process: number, line: string) => void;
    onStart?: (process: number, atMs: number) => void;
    events?: boolean;
  },
): Promise<PgbenchResult[]> {
  const peers = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, peers.signal]) : peers.signal;
  const deadline = Date.now() + o.timeoutMs;
  const runOne = async (i: number): Promise<PgbenchResult> => {
    const p = procs[i] as PgbenchProcess;
    o.onStart?.(i, Date.now());
    const r = await stack.pgbench.run({
      args: p.argv,
      cwd: o.cwd,
      env: pgbenchEnv(o.path.endpoint),
      timeoutMs: Math.max(1, deadline - Date.now()),
      ...(o.onStderr ? { onStderr: (line: string) => o.onStderr?.(i, line) } : {}),
      signal,
    });
    if (stopsPeers(r, { processes: procs.length, events: o.events === true })) peers.abort();
    return r;
  };
  const parts: PgbenchResult[] = procs.map(() => notStarted('aborted'));
  await Promise.all(
    lanesOf(procs).map(async (steps) => {
      let timedOut = false;
      for (const step of steps) {
        if (timedOut || (signal.aborted && step !== steps[0])) {
          for (const i of step) parts[i] = notStarted(timedOut ? 'timed-out' : 'aborted');
          continue;
        }
        const rs = await Promise.all(step.map(runOne));
        step.forEach((i, k) => {
          parts[i] = rs[k] as PgbenchResult;
        });
        timedOut = rs.some((r) => r.timedOut);
      }
    }),
  );
  if (o.signal?.aborted || !peers.signal.aborted) return parts;
  return parts.map((r) =>
    r.aborted ? { ...r, aborted: false, stderr: `${r.stderr}\n${STOPPED_BY_PEER}\n` } : r,
  );
}
