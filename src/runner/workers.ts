import type { WorkerShare, WorkersRecord } from '../results/types.js';
import { listeners } from '../sampling/listeners.js';
import { parseStats, type StatsCounters } from '../sampling/pgbouncer-admin.js';
import { withClient } from '../stack/ready.js';
import type { ConfigPath, PgbouncerWorker } from '../stack/types.js';

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

/** Reads the workers' counters and listeners before pgbench; `end()` reads them again and records. */
export async function watchWorkers(p: ConfigPath): Promise<{ end(): Promise<WorkersRecord> } | undefined> {
  const ws = p.pgbouncerWorkers;
  if (!ws || ws.length === 0) return undefined;
  const port = ws[0]?.component.port ?? p.endpoint.port;
  const pids = ws.map((w) => w.component.pid).filter((x): x is number => x !== undefined);
  const listen = listeners(port, pids);
  const before = await readWorkerCounters(ws);
  return {
    end: async () => workersRecord(port, ws, before, await readWorkerCounters(ws), listen),
  };
}
