import type { RunInfo } from '../../src/results/types.js';
import type { MergedRuns } from '../input/merge.js';
import { plannedCells } from '../input/shards.js';
import { type ExternalMeta, externalMeta } from '../reporters/findings/external-method.js';
import type { GateReport } from './gates.js';
import type { Thresholds, Warning } from './row.js';
import type { SweepSeries } from './sweep.js';

/** What a report says about where its numbers come from (from run.json of every merged run). */
export interface ReportMeta {
  runIds: string[];
  matrix?: { file: string; hash: string; name?: string };
  tool?: RunInfo['tool'];
  provider?: string;
  providerReason?: string;
  versions: Record<string, string>;
  host?: RunInfo['host'];
  startedAt?: string;
  endedAt?: string;
  /** The command that produced the first run, as typed. */
  command?: string[];
  cellsPlanned?: number;
  /** An external stack's endpoints, PIDs and data (provider external only). */
  external?: ExternalMeta;
}

/** Everything a renderer may use besides the rows. Renderers are `(rows, options) => string`. */
export interface RenderOptions {
  warnings: readonly Warning[];
  meta?: ReportMeta;
  baseline?: string;
  thresholds?: Thresholds;
  gates?: GateReport;
  /** Setting sweeps (summarize/model/sweep.ts), when configs of the run were expanded from a setting list. */
  sweeps?: readonly SweepSeries[];
}

export function reportMeta(m: MergedRuns): ReportMeta {
  const p = m.primary;
  const ends = m.runs.flatMap((r) => (r.run.endedAt ? [r.run.endedAt] : [])).sort();
  const starts = m.runs.map((r) => r.run.startedAt).sort();
  const meta: ReportMeta = {
    runIds: m.runs.map((r) => r.run.runId),
    versions: { ...p.versions },
  };
  if (p.matrix)
    meta.matrix = {
      file: p.matrix.file,
      hash: p.matrix.hash,
      ...(p.matrix.name ? { name: p.matrix.name } : {}),
    };
  if (p.tool) meta.tool = p.tool;
  if (p.provider) meta.provider = p.provider;
  if (p.providerReason) meta.providerReason = p.providerReason;
  const external = p.provider === 'external' ? externalMeta(p.stack) : undefined;
  if (external) meta.external = external;
  if (p.host) meta.host = p.host;
  if (starts[0]) meta.startedAt = starts[0];
  const lastEnd = ends[ends.length - 1];
  if (lastEnd) meta.endedAt = lastEnd;
  if (Array.isArray(p.command) && p.command.length > 0) meta.command = p.command;
  meta.cellsPlanned = plannedCells(m.runs.map((r) => r.run));
  return meta;
}
