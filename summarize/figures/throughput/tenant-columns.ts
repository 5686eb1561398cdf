import { fmtInt, fmtMs, fmtTps, MISSING } from '../../model/format.js';
import type { Row } from '../../model/row.js';
import type { Column } from '../figure.js';

/**
 * A `tenant: each` template's one row (model/tenant-template.ts) in the human tables: its group
 * cell says how many copies it stands for, and two columns show the spread across them, so a
 * starved or slow tenant stays visible. No columns in runs without a template.
 */

/** The group cell of a template row: `t: 1,000 tenants`. */
export function templateGroupText(r: Row): string | undefined {
  return r.tenants ? `${r.group}: ${fmtInt(r.tenants.copies)} tenants` : undefined;
}

/** The spread columns; `at(r, path)` gives the summary.json pointer of a row's field, when the output checks them. */
export function tenantColumns(rows: readonly Row[], at?: (r: Row, path: string) => string): Column<Row>[] {
  if (!rows.some((r) => r.tenants)) return [];
  return [
    {
      header: 'worst tenant p99 (ms)',
      align: 'right',
      text: (r) => {
        const w = r.tenants?.worstP99;
        return w ? `${fmtMs(w.ms)} (${w.group})` : MISSING;
      },
      value: (r) => r.tenants?.worstP99?.ms,
      ...(at
        ? { pointer: (r: Row) => (r.tenants?.worstP99 ? at(r, 'tenants/worstP99/ms') : undefined) }
        : {}),
    },
    {
      header: 'tenant TPS (min / median / max)',
      align: 'right',
      text: (r) => {
        const t = r.tenants?.copyTps;
        return t ? `${fmtTps(t.min)} (${t.minGroup}) / ${fmtTps(t.median)} / ${fmtTps(t.max)}` : MISSING;
      },
      value: (r) => r.tenants?.copyTps?.min,
      ...(at ? { pointer: (r: Row) => (r.tenants?.copyTps ? at(r, 'tenants/copyTps/min') : undefined) } : {}),
    },
  ];
}

/** The note under a table with a template row. */
export function tenantNote(rows: readonly Row[]): string[] {
  if (!rows.some((r) => r.tenants)) return [];
  return [
    "A `tenant: each` group's row (`t: N tenants`) stands for its N copies, one per (database, role) pair: its TPS is the copies' summed per rep, its percentiles are from their histograms merged, its clients are theirs together; the worst tenant's p99 and the copies' TPS show the spread across them. Per-tenant rows: summary.csv (and summary.json).",
  ];
}
