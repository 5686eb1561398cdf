import { PEERING_MIN_PGBOUNCER } from '../matrix/peering.js';
import type { WorkerShare, WorkersRecord } from '../results/types.js';
import { listeners } from '../sampling/listeners.js';
import { parseStats, type StatsCounters } from '../sampling/pgbouncer-admin.js';
import { withClient } from '../stack/ready.js';
import type { ConfigPath, PgbouncerWorker } from '../stack/types.js';
import { versionAtLeast } from '../util/version.js';

/** One worker's SHOW STATS counters, or why they could not be read. */
export type WorkerCounters = StatsCounters | { error: string };

/** Each worker's cumulative SHOW STATS counters, through its own admin console (unix socket). */
export async function readWorkerCounters(ws: readonly PgbouncerWorker[]): Promise<WorkerCounters[]> {
  return Promise.all(
    ws.map(async (w) => {
      try {
        return parseStats((await withClient(w.admin, (c) => c.query('SHOW STATS'))).rows);
      } catch (e) {
        return { error: (e as Error).message };
      }
    }),
  );
}

/**
 * Each worker's share of a cell: whether it held a listening socket on the shared port before
 * pgbench started, and its transactions and queries over the cell (counters after minus before).
 * Pure.
 */
export function workersRecord(
  port: number,
  ws: readonly PgbouncerWorker[],
  before: readonly WorkerCounters[],
  after: readonly WorkerCounters[],
  listen: { sockets: number; holders: ReadonlySet<number> },
): WorkersRecord {
  const workers = ws.map((w, i): WorkerShare => {
    const pid = w.component.pid;
    const b = before[i];
    const a = after[i];
    const base = {
      worker: w.worker,
      ...(pid === undefined ? {} : { pid }),
      listening: pid !== undefined && listen.holders.has(pid),
    };
    if (!b || 'error' in b) return { ...base, error: `before the cell: ${b ? b.error : 'not read'}` };
    if (!a || 'error' in a) return { ...base, error: `after the cell: ${a ? a.error : 'not read'}` };
    return { ...base, xacts: a.xacts - b.xacts, queries: a.queries - b.queries };
  });
  return { port, listenSockets: listen.sockets, workers };
}

/**
 * What happens to a cancel request (sent on a new connection, which the kernel gives to any worker)
 * with several workers. PgBouncer forwards a cancel only for a client it holds; peering (`peer_id`
 * and `[peers]`, PgBouncer 1.19) forwards it to the worker that does. Pure.
 */
export function cancelNote(version: string | undefined, peered: boolean): string {
  const v = version ?? 'of unknown version';
  if (peered)
    return `PgBouncer ${v}: workers peered (peer_id, [peers] through each worker's unix socket): a cancel request reaching any worker is forwarded to the client's`;
  return version !== undefined && versionAtLeast(version, [...PEERING_MIN_PGBOUNCER])
    ? `PgBouncer ${v}: workers not peered (peering: false): a cancel request may land on another worker than the client's and be ignored`
    : `PgBouncer ${v} has no peering (peer_id and [peers] arrived in 1.19): a cancel request may land on another worker than the client's and be ignored`;
}

/** Reads the workers' counters and listeners before pgbench; `end()` reads them again and records. */
export async function watchWorkers(p: ConfigPath): Promise<{ end(): Promise<WorkersRecord> } | undefined> {
  const ws = p.pgbouncerWorkers;
  if (!ws || ws.length === 0) return undefined;
  const peered = p.peered === true;
  const port = ws[0]?.component.port ?? p.endpoint.port;
  const pids = ws.map((w) => w.component.pid).filter((x): x is number => x !== undefined);
  const listen = listeners(port, pids);
  const before = await readWorkerCounters(ws);
  return {
    end: async () => ({
      ...workersRecord(port, ws, before, await readWorkerCounters(ws), listen),
      cancel: cancelNote(ws[0]?.component.version, peered),
      peered,
    }),
  };
}
