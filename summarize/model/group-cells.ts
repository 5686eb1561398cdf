import type { CellRecord, GroupRecord } from '../../src/results/types.js';
import type { GroupKey } from './row.js';
import { collapseCopies } from './tenant-template.js';

/** A row's cell; a template's cell also carries its copies' cells, whose histograms it merges. */
export interface RowCell {
  key: GroupKey;
  cell: CellRecord;
  copies?: CellRecord[];
}

/**
 * A mix cell as the rows see it (docs/tenants.md): the cell itself (its total over the groups), and
 * one cell per client group holding only that group's figures, keyed by the group. A group's cell
 * keeps the cell's state, rep and prepared list, and takes its summary, latency (its own histogram
 * file), per-client figures, argv and load from the group's record. The samplers watched the whole
 * cell (PostgreSQL, the pooler, every group at once), so a group's cell has no sampling.
 */
export function rowCells(c: CellRecord, tenantGroups?: readonly string[]): RowCell[] {
  const key = { config: c.config, workload: c.workload, concurrency: c.concurrency };
  const own = (c.groups ?? []).map((g) => ({ key: { ...key, group: g.name }, cell: groupCell(c, g) }));
  if (!tenantGroups?.length || !c.groups) return [{ key, cell: c }, ...own];
  // A `tenant: each` template (model/tenant-template.ts): one more cell, its copies merged.
  const { groups, copies } = collapseCopies(c.groups, tenantGroups);
  const templates = groups.flatMap((g) => {
    const parts = copies.get(g.name);
    if (!parts) return [];
    const names = new Set(parts.map((p) => p.name));
    return [
      {
        key: { ...key, group: g.name },
        cell: groupCell(c, g),
        copies: own.filter((o) => names.has(o.key.group)).map((o) => o.cell),
      },
    ];
  });
  return [{ key, cell: c }, ...templates, ...own];
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
