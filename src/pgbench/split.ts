/**
 * Several pgbench processes for one cell: the rule that decides how many, in one place.
 *
 * One pgbench process holds every client socket of its share, so it needs clients + 3 open files
 * (its own check), plus a per-transaction log per thread; a pgbench built with select() instead of
 * ppoll() also cannot watch more than FD_SETSIZE (1024) sockets per thread. Debian's pgbench 15
 * uses ppoll: measured here, one process held 10,000 clients with -j 1, and four processes of
 * 2,500 connected no faster (PgBouncer's accept loop, not pgbench, set the pace; docs/many-clients.md).
 * So a cell is split only when one process cannot hold it (or the matrix's clients_per_pgbench says so).
 */

export interface PgbenchShare {
  clients: number;
  threads: number;
  /** This process's share of the cell's clients (clients / cell clients), for a total --rate. */
  share: number;
}

/** Files one pgbench needs beyond one per client: stdio, its log per thread, libpq's, and slack. */
export const PGBENCH_FD_MARGIN = 64;

/**
 * The most clients one pgbench process may hold: the matrix's `clients_per_pgbench`, else what
 * the open-file limit pgbench inherits leaves after the margin (no bound when it is unknown).
 */
export function clientsPerProcess(o: {
  override?: number | undefined;
  nofileSoft?: number | undefined;
}): number {
  const byFiles =
    o.nofileSoft === undefined || !Number.isFinite(o.nofileSoft)
      ? Number.POSITIVE_INFINITY
      : Math.max(1, o.nofileSoft - PGBENCH_FD_MARGIN);
  return Math.min(o.override ?? Number.POSITIVE_INFINITY, byFiles);
}

/**
 * The cell's clients spread evenly over ceil(clients / perProcess) processes (the first ones take
 * the remainder), and its threads over the processes: at least one each, never more than its
 * clients. Shares sum to exactly 1 in clients.
 */
export function splitClients(clients: number, threads: number, perProcess: number): PgbenchShare[] {
  const n = Math.max(1, Math.ceil(clients / Math.max(1, perProcess)));
  const base = Math.floor(clients / n);
  const extra = clients % n;
  const tBase = Math.floor(threads / n);
  const tExtra = threads % n;
  return Array.from({ length: n }, (_, i) => {
    const c = base + (i < extra ? 1 : 0);
    const t = Math.min(c, Math.max(1, tBase + (i < tExtra ? 1 : 0)));
    return { clients: c, threads: t, share: c / clients };
  });
}

const RATE_FLAGS = new Set(['-R', '--rate']);

function scaled(value: string, share: number): string {
  const v = Number(value);
  if (!Number.isFinite(v)) return value;
  // pgbench takes a decimal rate; six places keep a per-process rate exact enough to sum back.
  return String(Math.round(v * share * 1e6) / 1e6);
}

/**
 * A workload's flags for one process of a split cell: pgbench's --rate is per process, so a total
 * rate is divided by the process's share of the clients (-R N, -RN, --rate N, --rate=N). Every
 * other flag holds per client or per process as it is.
 */
export function flagsForShare(flags: readonly string[], share: number): string[] {
  if (share === 1) return [...flags];
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i] as string;
    const next = flags[i + 1];
    if (RATE_FLAGS.has(f) && next !== undefined) {
      out.push(f, scaled(next, share));
      i++;
    } else if (f.startsWith('--rate=')) {
      out.push(`--rate=${scaled(f.slice('--rate='.length), share)}`);
    } else if (/^-R\d/.test(f)) {
      out.push(`-R${scaled(f.slice(2), share)}`);
    } else {
      out.push(f);
    }
  }
  return out;
}
