import type { Figure, FigureContext } from '../figure.js';
import { WORKERS_SECTION } from '../worker-scaling/figure.js';
import { type EventBlip, eventBlips } from './blips.js';
import { blipTable } from './table.js';

function rows(ctx: FigureContext): EventBlip[] {
  const byId = new Map((ctx.run?.series ?? []).map((s) => [s.cellId, s]));
  return (ctx.run?.cells ?? []).flatMap((c) => eventBlips(c, byId.get(c.id)));
}

/** The blip of throughput around each scheduled event (a signal to a pooler worker), docs/workers.md. */
export const eventBlipsFigure: Figure<EventBlip> = {
  id: 'event-blips',
  section: WORKERS_SECTION,
  applies: (ctx) => rows(ctx).length > 0,
  rows,
  tables: [blipTable],
};
