import { rankFor } from './histogram.js';

/**
 * Per-client figures of a cell, from the per-transaction log: which clients pgbench's transactions
 * came from. A closed-loop latency percentile is taken over completed transactions, so clients that
 * waited for a connection the whole cell (a session pool smaller than the client count, pgpool-II
 * with fewer children than clients) hardly appear in it; these figures show them.
 *
 * A client is keyed by its pgbench process and its client_id: ids restart at 0 in every process of
 * a split cell (src/pgbench/split.ts), and within one process they are unique over its threads.
 */
export interface ClientFigures {
  /** Every client the cell asked for, over all its processes (zeros included). */
  clients: number;
  /** Clients that completed at least one transaction. */
  served: number;
  /** Clients that completed nothing, or fewer than `starvedBelow` transactions (STARVED_RULE). */
  starved: number;
  /** The starvation threshold: STARVED_FRACTION × `typical` (STARVED_RULE). */
  starvedBelow: number;
  /**
   * Σx² / Σx: the completed transactions of the client behind the average transaction (each client
   * weighted by its own transactions). It equals mean / jain: the mean when all clients are equal,
   * what the few served clients completed when a few did nearly everything. 0 without transactions.
   */
  typical: number;
  /** Completed transactions per client over every client, zeros included (nearest rank). */
  min: number;
  p10: number;
  median: number;
  max: number;
  /** Completed transactions / clients: each client's fair share. */
  mean: number;
  /**
   * Jain's fairness index (Σx)² / (n · Σx²) over the n clients of the cell, zeros included: 1 when
   * every client completed as many transactions, 1/n when one client completed them all. Absent
   * when no client completed anything (0/0).
   */
  jain?: number;
  /** pgbench processes the cell ran as. */
  processes: number;
}

/** A client that completed fewer than this fraction of the typical client's transactions is starved. */
export const STARVED_FRACTION = 0.1;

export const STARVED_RULE =
  `a client is starved when it completed no transaction in the measured time, or fewer than ${STARVED_FRACTION * 100} % of the transactions of the typical client, ` +
  "the one behind the average transaction (Σx² / Σx, which is the mean over Jain's index: the mean when clients are equal, what the served clients completed when a few did nearly everything). " +
  'Not the median or the mean: when most clients starve, the median is a starved client, and the mean sinks toward them';

export const FAIRNESS_RULE =
  "Jain's fairness index (Σx)² / (n · Σx²) over the completed transactions x of every one of the cell's n clients, " +
  'clients that completed nothing included: 1 = all equal, 1/n = one client did everything; ' +
  'clients are told apart by pgbench process and client_id (ids restart in every process of a split cell)';

/** Growable per-process arrays of counts, indexed by client_id. */
class PerProcess {
  private readonly arrays: Float64Array[] = [];

  get(process: number, client: number): number {
    return this.arrays[process]?.[client] ?? 0;
  }

  set(process: number, client: number, value: number): void {
    let a = this.arrays[process];
    if (a === undefined || client >= a.length) {
      const grown = new Float64Array(Math.max(16, client + 1, (a?.length ?? 0) * 2));
      if (a) grown.set(a);
      this.arrays[process] = grown;
      a = grown;
    }
    a[client] = value;
  }

  /** The values of process p's clients 0..n-1 (a client never seen counts 0). */
  values(process: number, n: number): number[] {
    const a = this.arrays[process];
    return Array.from({ length: n }, (_, i) => a?.[i] ?? 0);
  }

  /** One more than the largest client_id seen in process p (0 when none). */
  seen(process: number): number {
    const a = this.arrays[process];
    if (!a) return 0;
    for (let i = a.length - 1; i >= 0; i--) if ((a[i] as number) !== 0) return i + 1;
    return 0;
  }

  get processes(): number {
    return this.arrays.length;
  }
}

/**
 * Counts completed transactions per client, and whether a transaction is its client's first in its
 * epoch second (for the per-second active clients). Memory is one number per client and two per
 * client per process, whatever the number of transactions: 10,000 clients are 160 KB.
 */
export class ClientTally {
  private readonly counts = new PerProcess();
  /** The last epoch second (+1, so 0 means none) each client completed a transaction in. */
  private readonly lastSecond = new PerProcess();

  /**
   * One completed transaction of (process, client) in epoch second t; true when it is the client's
   * first in that second. Exact because a client's lines are in time order: a client belongs to
   * one thread, and each thread writes its own file as its transactions end.
   */
  add(process: number, client: number, t: number): boolean {
    this.counts.set(process, client, this.counts.get(process, client) + 1);
    if (this.lastSecond.get(process, client) === t + 1) return false;
    this.lastSecond.set(process, client, t + 1);
    return true;
  }

  /**
   * Completed transactions of every client, per process: `clientsPerProcess[p]` clients of process
   * p (as planned), or more when the log names a higher client_id.
   */
  perClient(clientsPerProcess: readonly number[]): number[][] {
    const n = Math.max(clientsPerProcess.length, this.counts.processes);
    return Array.from({ length: n }, (_, p) =>
      this.counts.values(p, Math.max(clientsPerProcess[p] ?? 0, this.counts.seen(p))),
    );
  }
}

/** The figures of ClientFigures from every client's completed transactions (per process). */
export function clientFigures(perProcess: readonly (readonly number[])[]): ClientFigures {
  const all = perProcess.flat();
  const n = all.length;
  const sorted = [...all].sort((a, b) => a - b);
  const total = all.reduce((a, b) => a + b, 0);
  const squares = all.reduce((a, b) => a + b * b, 0);
  const mean = n === 0 ? 0 : total / n;
  const typical = total === 0 ? 0 : squares / total;
  const starvedBelow = STARVED_FRACTION * typical;
  const at = (p: number) => (n === 0 ? 0 : (sorted[rankFor(p, n) - 1] as number));
  return {
    clients: n,
    served: all.filter((x) => x > 0).length,
    starved: all.filter((x) => x === 0 || x < starvedBelow).length,
    starvedBelow,
    typical,
    min: n === 0 ? 0 : (sorted[0] as number),
    p10: at(10),
    median: at(50),
    max: n === 0 ? 0 : (sorted[n - 1] as number),
    mean,
    ...(squares > 0 ? { jain: (total * total) / (n * squares) } : {}),
    processes: perProcess.length,
  };
}
