import type { CellRecord, GroupRecord } from '../../src/results/types.js';
import type { GroupKey } from './row.js';

/**
 * A mix cell as the rows see it (docs/tenants.md): the cell itself (its total over the groups), and
 * one cell per client group holding only that group's figures, keyed by the group. A group's cell
 * keeps the cell's state, rep and prepared list, and takes its summary, latency (its own histogram
 * file), per-client figures, argv and load from the group's record. The samplers watched the whole
 * cell (PostgreSQL, the pooler, every group at once), so a group's cell has no sampling.
 */
export function rowCells(c: CellRecord): Array<{ key: GroupKey; cell: CellRecord }> {
  const key = { config: c.config, workload: c.workload, concurrency: c.concurrency };
  return [
    { key, cell: c },
    ...(c.groups ?? []).map((g) => ({ key: { ...key, group: g.name }, cell: groupCell(c, g) })),
  ];
}

function groupCell(c: CellRecord, g: GroupRecord): CellRecord {
  const {
    sampling: _s,
    groups: _g,
    summary: _sum,
    latency: _l,
    clients: _c,
    load: _load,
    pgbenchProcesses: _p,
    ...rest
  } = c;
  const own = {
    ...rest,
    // Only its own group's record: the row reads the group's clients from it.
    groups: [g],
    threads: g.threads,
    argv: g.argv,
    connectionErrors: g.connectionErrors,
    ...(g.latency ? { latency: g.latency } : {}),
    ...(g.clientFigures ? { clients: g.clientFigures } : {}),
    ...(g.load ? { load: g.load } : {}),
  };
  if (rest.state !== 'completed')
    return { ...own, state: rest.state, ...(g.summary ? { summary: g.summary } : {}) } as CellRecord;
  if (g.summary) return { ...own, state: 'completed', summary: g.summary } as CellRecord;
  return {
    ...own,
    state: 'failed',
    exitCode: g.exitCode,
    reason: `client group ${g.name} printed no pgbench summary (exit ${g.exitCode ?? 'by signal'})`,
    errorLines: [],
  } as CellRecord;
}

/**
 * The clients of a group row from its cells' records, or, for a mix's total row (no group), of all
 * its groups together; the most of any rep. Undefined for a row that is not a mix's.
 */
export function groupClientsOf(cells: readonly CellRecord[], group: string | undefined): number | undefined {
  const n = cells.flatMap((c) => {
    const gs = (c.groups ?? []).filter((g) => group === undefined || g.name === group);
    return gs.length === 0 ? [] : [gs.reduce((a, g) => a + g.clients, 0)];
  });
  return n.length > 0 ? Math.max(...n) : undefined;
}
