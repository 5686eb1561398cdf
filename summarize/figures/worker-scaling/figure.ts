import { TIER } from '../../tldr/candidate.js';
import type { Figure, FigureContext } from '../figure.js';
import { type ScalingRow, saturationSentence, scalingRows, workersByConfig } from './scaling.js';
import { scalingTable } from './table.js';

/** The section of the worker-scaling figure (the outage figure has its own). */
export const WORKERS_SECTION = { id: 'workers', title: 'PgBouncer workers and scheduled events' };

function rows(ctx: FigureContext): ScalingRow[] {
  const workers = workersByConfig(ctx.run?.configs ?? []);
  return [...workers.values()].some((n) => n > 1) ? scalingRows(ctx.rows, workers) : [];
}

/**
 * Worker scaling (PgBouncer `workers: N`, docs/workers.md): throughput and pooler CPU per worker
 * count, and the TL;DR's lead sentence when one process saturates a core.
 */
export const workerScalingFigure: Figure<ScalingRow> = {
  id: 'worker-scaling',
  section: WORKERS_SECTION,
  applies: (ctx) => rows(ctx).some((s) => s.workers > 1),
  rows,
  tables: [scalingTable],
  // The saturation of one pooler process is what a workers matrix is for: it leads when the data shows it.
  tldr: (ctx, scaling) => {
    const s = saturationSentence(scaling, ctx.cpuSaturationCores);
    return s ? [{ sentence: s, tier: TIER.lead, effect: 0 }] : [];
  },
};
