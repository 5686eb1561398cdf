import { externalMeta } from '../model/external-meta.js';
import type { ReportMeta } from '../model/report-options.js';
import type { MergedRuns } from './merge.js';
import { plannedCells } from './shards.js';

/** What a report says about where its numbers come from, from run.json of every merged run. */
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
