import { stringify } from 'csv-stringify/sync';
import type { FigureContext } from '../figures/figure.js';
import { FIGURES } from '../figures/index.js';
import type { RenderOptions } from '../model/report-options.js';
import { groupId, type Row } from '../model/row.js';

/**
 * summary.csv: one row per group, one unit per column, the unit in the column name (tps, _ms,
 * _pct, _mib, _cores). Plain numbers (no separators, no exponent); a missing figure is empty.
 * The columns are every figure's (FIGURES' order), then the group's warning kinds.
 */
export function csv(rows: readonly Row[], options: RenderOptions): string {
  const kindsByGroup = new Map<string, Set<string>>();
  for (const w of options.warnings) {
    if (!w.group) continue;
    const id = groupId(w.group);
    kindsByGroup.set(id, (kindsByGroup.get(id) ?? new Set()).add(w.kind));
  }
  const ctx: FigureContext = { rows, options };
  const columns = FIGURES.flatMap((f) => f.csv?.(ctx) ?? []);
  const header = [...columns.map((c) => c.name), 'warnings'];
  const body = rows.map((r, i) => [
    ...columns.map((c) => c.value(r, i)),
    [...(kindsByGroup.get(groupId(r)) ?? [])].join(';'),
  ]);
  return stringify([header, ...body]);
}
