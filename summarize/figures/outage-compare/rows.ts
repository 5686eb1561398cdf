import { fixed } from '../../model/format.js';
import type { EventOutage } from '../../model/outage.js';
import { type EventComparison, eventComparisons } from '../../model/outage-compare.js';
import type { FigureContext } from '../figure.js';

/** One rep of one config of a comparison: a row of the table. */
export interface CompareRow {
  c: EventComparison;
  config: string;
  strategy?: string;
  rep: number;
  /** The outage's index in summary.json's `outages`. */
  i: number;
  o: EventOutage;
  paired: boolean;
}

export function compareRows(ctx: FigureContext): CompareRow[] {
  return eventComparisons(ctx.options.outages ?? []).flatMap((c) =>
    c.configs.flatMap((k) =>
      k.reps.map((r) => ({
        c,
        config: k.config,
        ...(k.strategy !== undefined ? { strategy: k.strategy } : {}),
        rep: r.rep,
        i: r.i,
        o: r.o,
        paired: c.pairedReps.includes(r.rep),
      })),
    ),
  );
}

/** `promote (crash) at 2.40 s on tpcb-paced at 8 clients`. */
export const comparedEvent = (c: EventComparison) =>
  `${c.action} at ${fixed(c.plannedAtMs / 1000, 2)} s on ${c.workload} at ${c.concurrency} client${c.concurrency === 1 ? '' : 's'}`;

/** `tx-failover-reload (reload)`; a config named after nothing else stays as it is. */
export const configWithStrategy = (config: string, strategy: string | undefined) =>
  strategy === undefined ? config : `${config} (${strategy})`;

/** The distinct comparisons of the rows, in order. */
export const comparisonsOf = (rows: readonly CompareRow[]) => [...new Set(rows.map((r) => r.c))];
