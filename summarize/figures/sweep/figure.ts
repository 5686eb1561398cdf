import { TIER } from '../../tldr/candidate.js';
import type { Figure } from '../figure.js';
import { sweepJobs } from './plots.js';
import { sweepSentences } from './sentences.js';
import { type SweepLine, sweepLines, sweepTable } from './table.js';

/**
 * Setting sweeps (a list in a config's pool fields, settings or proxy placeholders:
 * docs/settings-axes.md): throughput and latency against the swept value at each concurrency, and
 * the knee of throughput, or why none can be named (values that are not numbers: each against the
 * first, no knee). The series
 * are computed once from the rows and run.json's configs (model/sweep.ts) and are summary.json's
 * `sweeps`, which the table's and the sentences' pointers name.
 */
export const sweepFigure: Figure<SweepLine> = {
  id: 'sweep',
  section: { id: 'sweep', title: 'Setting sweeps' },
  applies: (ctx) => (ctx.options.sweeps?.length ?? 0) > 0,
  rows: (ctx) => sweepLines(ctx.options.sweeps ?? []),
  tables: [sweepTable],
  plots: (ctx) => sweepJobs(ctx.options.sweeps ?? []),
  // What a sweep matrix asks: it leads the TL;DR.
  tldr: (ctx) =>
    sweepSentences(ctx.figure.options.sweeps ?? []).map((sentence) => ({
      sentence,
      tier: TIER.lead,
      effect: 0,
    })),
  method: (ctx) =>
    (ctx.options.sweeps?.length ?? 0) > 0
      ? [
          "- A list in a config's pool fields, settings or proxy placeholders is an axis: one config per value, `<config>-<setting>-<value>`, shuffled and paired rep by rep like any configs. Per series (a mix's groups and its total are series of their own), each step is the paired ratio of TPS (to / from, rep by rep, log scale, 95 % t interval). Numeric values step from one value to the next: the knee is the smallest value from which every further step has an interval including 1 or a gain below the noise (the larger CV of TPS of its two values); when the last step still gains, no knee was found; with fewer than 2 paired reps in a step, none can be named. Values that are not all numbers have no order: each is paired against the first in the file, and no knee is named. Latency at each value is the average over completed reps of each rep's own mean and p99, each with the 95 % t interval of those reps' figures (centred on that average, not on the merged figures of the other tables).",
        ]
      : [],
};
