import { isNum } from './format.js';
import type { ComponentFigures, Row } from './row.js';

/**
 * The sampled figures of every process of one role in a row, added up. A config may run several
 * components of one role (PgBouncer `workers: N` is N processes, each sampled on its own): the
 * role's cost is their sum, never the first one's. The one place reporters read a role's figures.
 *
 * A figure is the sum only when every process has it (a partial sum would make the row look
 * cheaper); peaks are the sum of each process's own peak (the processes need not peak together).
 */
export interface RoleFigures {
  role: string;
  /** How many processes were added up (1 for a single PgBouncer, PostgreSQL, a proxy). */
  processes: number;
  /** The component's index in `sampling.components` when there is one process (its JSON pointer). */
  index?: number;
  cpuCoresMean?: number;
  pssPeakBytes?: number;
  pssMeanBytes?: number;
  rssPeakBytes?: number;
  /** Set when any process's PSS was not read (the sum is then absent). */
  pssMissing?: ComponentFigures['pssMissing'];
}

function sum(cs: readonly ComponentFigures[], pick: (c: ComponentFigures) => number | undefined) {
  const vs = cs.map(pick);
  return vs.every(isNum) ? vs.reduce((a, b) => a + b, 0) : undefined;
}

/** The summed figures of `role` in `row`, or undefined when the row sampled no process of it. */
export function roleFigures(row: Row, role: string): RoleFigures | undefined {
  const all = row.sampling?.components ?? [];
  const cs = all.filter((c) => c.role === role);
  const first = cs[0];
  if (!first) return undefined;
  const out: RoleFigures = { role, processes: cs.length };
  if (cs.length === 1) out.index = all.indexOf(first);
  const cpu = sum(cs, (c) => c.cpuCoresMean);
  const pssPeak = sum(cs, (c) => c.pssPeakBytes);
  const pssMean = sum(cs, (c) => c.pssMeanBytes);
  const rss = sum(cs, (c) => c.rssPeakBytes);
  const missing = cs.find((c) => c.pssMissing)?.pssMissing;
  if (cpu !== undefined) out.cpuCoresMean = cpu;
  if (pssPeak !== undefined) out.pssPeakBytes = pssPeak;
  if (pssMean !== undefined) out.pssMeanBytes = pssMean;
  if (rss !== undefined) out.rssPeakBytes = rss;
  if (missing) out.pssMissing = missing;
  return out;
}

/** The largest number of processes any row has for `role` (1 when none has several). */
export function maxProcesses(rows: readonly Row[], role: string): number {
  return Math.max(1, ...rows.map((r) => roleFigures(r, role)?.processes ?? 0));
}

/** ` (sum of N)` after a summed figure's text, empty for a single process. */
export function sumNote(f: RoleFigures | undefined): string {
  return f && f.processes > 1 ? ` (sum of ${f.processes})` : '';
}
